/**
 * Server side of the mini-app's platform sign-ins: a single-use code from the client is exchanged with
 * the platform for the member's userid (never trusted from the client).
 *
 * - WeCom mini-program: `wx.qy.login` → `GET /cgi-bin/miniprogram/jscode2session` (token of the corp app).
 * - WeCom H5 (OAuth2 redirect): `GET /cgi-bin/auth/getuserinfo`.
 * - DingTalk: `dd.getAuthCode` → `POST {oapi}/topapi/v2/user/getuserinfo` with a legacy token from `GET {oapi}/gettoken`.
 * - WeCom web sign-in (网页登录, the workbench's QR code): the redirect's code → `GET /cgi-bin/auth/getuserinfo`, as OAuth2.
 * - DingTalk 扫码登录 (the workbench): the redirect's authCode → `POST {api}/v1.0/oauth2/userAccessToken` → the member's
 *   `GET {api}/v1.0/contact/users/me` (unionId, no userid) → `POST {oapi}/topapi/user/getbyunionid` (60121: not a member).
 *
 * Why not the bot's clients: the API never imports `bot/`, and those clients do not fit (WeCom's is
 * POST-only, DingTalk's speaks the v1.0 API with its own token). These are two small GET/POST clients on the
 * one platform HTTP client (`platformHttp`) with the same token rules: cached until five minutes before
 * expiry, one shared refresh, one retry when the platform says the token is invalid (`withRetry`).
 */
import { platformHttp, TokenCache, withRetry, type PlatformHttp } from '@crm/shared';
export type SignInFailure = 'invalid-code' | 'not-member' | 'platform';

export class PlatformSignInError extends Error {
  constructor(
    readonly failure: SignInFailure,
    readonly platform: 'wecom' | 'dingtalk',
    readonly errcode: number | string,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformSignInError';
  }
}

interface Options {
  now?: () => number;
  timeoutMs?: number;
}

type Body = { errcode?: number; errmsg?: string; [k: string]: unknown };

/** One call; a 5xx reads as the platform's "system busy" (-1). */
async function callJson(
  http: PlatformHttp,
  url: string,
  init: { method?: 'GET' | 'POST'; params?: Record<string, string>; body?: unknown } = {},
): Promise<Body> {
  const res = await http.request<Body>({ url, method: init.method ?? 'GET', params: init.params, data: init.body });
  if (res.status >= 500) return { errcode: -1, errmsg: `HTTP ${res.status}` };
  return res.data && typeof res.data === 'object' ? res.data : {};
}

/** The platform refused the token: dropped, and the call made once more with a fresh one. */
class TokenRefused extends Error {}
const ONCE_MORE_WITH_A_NEW_TOKEN = { attempts: 2, delayMs: (err: unknown) => (err instanceof TokenRefused ? 0 : null) };

const WECOM_TOKEN_INVALID = new Set([40014, 42001]);
const WECOM_INVALID_CODE = new Set([40029, 40163, 42003, 50001]);

export class WeComSignIn {
  private readonly http: PlatformHttp;
  private readonly tokens: TokenCache;

  constructor(
    private readonly cfg: { corpId: string; secret: string; apiBase: string },
    opts: Options = {},
  ) {
    this.http = platformHttp({ baseURL: cfg.apiBase, timeoutMs: opts.timeoutMs });
    this.tokens = new TokenCache(async () => {
      const body = await callJson(this.http, '/cgi-bin/gettoken', { params: { corpid: cfg.corpId, corpsecret: cfg.secret } });
      if (body.errcode || typeof body.access_token !== 'string')
        throw new PlatformSignInError('platform', 'wecom', body.errcode ?? -1, `gettoken: ${body.errmsg}`);
      return { value: body.access_token, ttlSeconds: Number(body.expires_in ?? 7200) };
    }, opts.now ?? Date.now);
  }

  /** `wx.qy.login` code → userid. */
  async code2Session(code: string): Promise<{ userid: string; corpid: string | null }> {
    const body = await this.call('/cgi-bin/miniprogram/jscode2session', { js_code: code, grant_type: 'authorization_code' });
    if (typeof body.userid !== 'string' || !body.userid) throw new PlatformSignInError('not-member', 'wecom', 0, 'jscode2session returned no userid');
    return { userid: body.userid, corpid: typeof body.corpid === 'string' ? body.corpid : null };
  }

  /** OAuth2 redirect code → userid (non-members only have an openid: refused). */
  async oauthUser(code: string): Promise<{ userid: string }> {
    const body = await this.call('/cgi-bin/auth/getuserinfo', { code });
    const userid = body.userid ?? body.UserId;
    if (typeof userid !== 'string' || !userid) throw new PlatformSignInError('not-member', 'wecom', 0, 'not a member of the corp (openid only)');
    return { userid };
  }

  private call(path: string, params: Record<string, string>): Promise<Body> {
    return withRetry(async (attempt) => {
      const token = await this.tokens.get();
      const body = await callJson(this.http, path, { params: { access_token: token, ...params } });
      const code = body.errcode ?? 0;
      if (code === 0) return body;
      if (WECOM_TOKEN_INVALID.has(code) && attempt === 1) {
        this.tokens.drop(token);
        throw new TokenRefused();
      }
      if (WECOM_INVALID_CODE.has(code)) throw new PlatformSignInError('invalid-code', 'wecom', code, `${path}: ${body.errmsg}`);
      throw new PlatformSignInError('platform', 'wecom', code, `${path}: ${body.errmsg}`);
    }, ONCE_MORE_WITH_A_NEW_TOKEN);
  }
}

const DINGTALK_TOKEN_INVALID = new Set([40014, 42001, 88]);
const DINGTALK_INVALID_CODE = new Set([40078, 40029]);

export class DingTalkSignIn {
  private readonly http: PlatformHttp;
  /** The v1.0 API (api.dingtalk.com): the 扫码登录 code exchange. */
  private readonly api: PlatformHttp;
  private readonly tokens: TokenCache;

  constructor(
    private readonly cfg: { clientId: string; clientSecret: string; oapiBase: string; apiBase?: string },
    opts: Options = {},
  ) {
    this.http = platformHttp({ baseURL: cfg.oapiBase, timeoutMs: opts.timeoutMs });
    this.api = platformHttp({ baseURL: cfg.apiBase ?? 'https://api.dingtalk.com', timeoutMs: opts.timeoutMs });
    this.tokens = new TokenCache(async () => {
      const body = await callJson(this.http, '/gettoken', { params: { appkey: cfg.clientId, appsecret: cfg.clientSecret } });
      if (body.errcode || typeof body.access_token !== 'string')
        throw new PlatformSignInError('platform', 'dingtalk', body.errcode ?? -1, `gettoken: ${body.errmsg}`);
      return { value: body.access_token, ttlSeconds: Number(body.expires_in ?? 7200) };
    }, opts.now ?? Date.now);
  }

  /** `dd.getAuthCode` code → userid. */
  userByAuthCode(authCode: string): Promise<{ userid: string; name: string | null }> {
    return withRetry(async (attempt) => {
      const token = await this.tokens.get();
      const body = await callJson(this.http, '/topapi/v2/user/getuserinfo', { method: 'POST', params: { access_token: token }, body: { code: authCode } });
      const code = body.errcode ?? 0;
      if (code === 0) {
        const result = (body.result ?? {}) as { userid?: unknown; name?: unknown };
        if (typeof result.userid !== 'string' || !result.userid) throw new PlatformSignInError('not-member', 'dingtalk', 0, 'getuserinfo returned no userid');
        return { userid: result.userid, name: typeof result.name === 'string' ? result.name : null };
      }
      if (DINGTALK_TOKEN_INVALID.has(code) && attempt === 1) {
        this.tokens.drop(token);
        throw new TokenRefused();
      }
      if (DINGTALK_INVALID_CODE.has(code)) throw new PlatformSignInError('invalid-code', 'dingtalk', code, `getuserinfo: ${body.errmsg}`);
      throw new PlatformSignInError('platform', 'dingtalk', code, `getuserinfo: ${body.errmsg}`);
    }, ONCE_MORE_WITH_A_NEW_TOKEN);
  }
  /**
   * 扫码登录 (OAuth 2 in the browser): the redirect's authCode → the member's user token → their unionId → the corp userid.
   * A bad or used code is `invalid-code`; a DingTalk user who is not in this corp (60121) is `not-member`.
   */
  async userByOAuthCode(authCode: string): Promise<{ userid: string; unionId: string }> {
    const exchanged = await this.api.request<{ accessToken?: string; code?: string; message?: string }>({
      url: '/v1.0/oauth2/userAccessToken',
      method: 'POST',
      data: { clientId: this.cfg.clientId, clientSecret: this.cfg.clientSecret, code: authCode, grantType: 'authorization_code' },
    });
    if (exchanged.status >= 500) throw new PlatformSignInError('platform', 'dingtalk', exchanged.status, `userAccessToken: HTTP ${exchanged.status}`);
    const userToken = exchanged.data?.accessToken;
    if (exchanged.status !== 200 || typeof userToken !== 'string')
      throw new PlatformSignInError('invalid-code', 'dingtalk', exchanged.data?.code ?? exchanged.status, `userAccessToken: ${exchanged.data?.message}`);
    const me = await this.api.request<{ unionId?: string; message?: string }>({
      url: '/v1.0/contact/users/me',
      method: 'GET',
      headers: { 'x-acs-dingtalk-access-token': userToken },
    });
    const unionId = me.data?.unionId;
    if (me.status !== 200 || typeof unionId !== 'string' || !unionId)
      throw new PlatformSignInError('platform', 'dingtalk', me.status, `contact/users/me: ${me.data?.message ?? 'no unionId'}`);
    return withRetry(async (attempt) => {
      const token = await this.tokens.get();
      const body = await callJson(this.http, '/topapi/user/getbyunionid', { method: 'POST', params: { access_token: token }, body: { unionid: unionId } });
      const code = body.errcode ?? 0;
      if (code === 0) {
        const userid = (body.result as { userid?: unknown } | undefined)?.userid;
        if (typeof userid !== 'string' || !userid) throw new PlatformSignInError('not-member', 'dingtalk', 0, 'getbyunionid returned no userid');
        return { userid, unionId };
      }
      if (DINGTALK_TOKEN_INVALID.has(code) && attempt === 1) {
        this.tokens.drop(token);
        throw new TokenRefused();
      }
      if (code === 60121) throw new PlatformSignInError('not-member', 'dingtalk', code, `getbyunionid: ${body.errmsg}`);
      throw new PlatformSignInError('platform', 'dingtalk', code, `getbyunionid: ${body.errmsg}`);
    }, ONCE_MORE_WITH_A_NEW_TOKEN);
  }
}
