import jwt from 'jsonwebtoken';
import { unauthenticated } from '../../errors/app-error';

export interface TokenClaims {
  sub: string;
}

/** Bearer tokens for the API, the mini-app and the sandbox alike (HS256, short-lived). */
export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  issue(userId: string): { token: string; expiresAt: Date } {
    const token = jwt.sign({}, this.secret, { algorithm: 'HS256', subject: userId, expiresIn: this.ttlSeconds });
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  verify(token: string): TokenClaims {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] });
      if (typeof claims === 'string' || typeof claims.sub !== 'string' || !/^[0-9a-f]{24}$/.test(claims.sub)) throw new Error('bad subject');
      // every token we issue expires; one without `exp` (or living longer than ours do) was not made by us
      if (typeof claims.exp !== 'number') throw new Error('no expiry');
      if (typeof claims.iat !== 'number' || claims.exp - claims.iat > this.ttlSeconds) throw new Error('lifetime longer than issued');
      return { sub: claims.sub };
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw unauthenticated('登录已过期，请重新登录');
      throw unauthenticated('登录凭证无效，请重新登录');
    }
  }
}
