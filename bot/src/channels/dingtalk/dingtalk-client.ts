import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { backoffMs, platformHttp, TokenCache, withRetry, type TokenStatus } from '@crm/shared';
import { countPlatformCalls, type PlatformCallListener } from '../../outbound/platform-calls';

export interface DingTalkApiConfig {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  apiBase: string;
  /** Legacy host for topapi calls (work notifications). */
  oapiBase?: string;
}

/** topapi errcodes: the token is invalid or expired (fetch a new one once). */
const LEGACY_TOKEN_ERRORS = new Set([88, 40014, 42001]);
/** topapi errcodes worth a retry with backoff: system busy, per-app / per-corp recipients per minute exceeded. */
const LEGACY_RETRY_ERRORS = new Set([-1, 143103, 143104]);

export class DingTalkApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly path: string,
    message: string,
    /** Busy or throttled: worth another attempt after a wait. */
    readonly retryable = false,
  ) {
    super(`DingTalk ${path} failed: ${status} ${code} ${message}`);
    this.name = 'DingTalkApiError';
  }
}

/**
 * DingTalk's v1.0 API (a cached app access token in x-acs-dingtalk-access-token) and the legacy topapi
 * (a cached oapi token in the query): each token is fetched again once when a call says it is invalid,
 * concurrent callers share one fetch, and busy or throttled answers are retried with backoff.
 */
export class DingTalkClient {
  private readonly http: AxiosInstance;
  private readonly oapi: AxiosInstance;
  private readonly v1Token: TokenCache;
  private readonly legacyToken: TokenCache;

  constructor(
    readonly cfg: DingTalkApiConfig,
    private readonly log: Logger,
    private readonly opts: { sleep?: (ms: number) => Promise<void>; now?: () => number; onCall?: PlatformCallListener } = {},
  ) {
    this.http = platformHttp({ baseURL: cfg.apiBase });
    this.oapi = platformHttp({ baseURL: cfg.oapiBase ?? 'https://oapi.dingtalk.com' });
    countPlatformCalls(this.http, opts.onCall);
    countPlatformCalls(this.oapi, opts.onCall);
    const now = () => this.now();
    this.v1Token = new TokenCache(async () => {
      const res = await this.http.post<{ accessToken?: string; expireIn?: number; code?: string; message?: string }>('/v1.0/oauth2/accessToken', {
        appKey: this.cfg.clientId,
        appSecret: this.cfg.clientSecret,
      });
      if (res.status !== 200 || !res.data.accessToken)
        throw new DingTalkApiError(res.status, res.data.code ?? 'NoToken', '/v1.0/oauth2/accessToken', res.data.message ?? '');
      return { value: res.data.accessToken, ttlSeconds: res.data.expireIn ?? 7200 };
    }, now);
    this.legacyToken = new TokenCache(async () => {
      const res = await this.oapi.get<{ errcode?: number; errmsg?: string; access_token?: string; expires_in?: number }>('/gettoken', {
        params: { appkey: this.cfg.clientId, appsecret: this.cfg.clientSecret },
      });
      if (res.status !== 200 || res.data.errcode !== 0 || !res.data.access_token)
        throw new DingTalkApiError(res.status, String(res.data.errcode ?? 'NoToken'), '/gettoken', res.data.errmsg ?? '');
      return { value: res.data.access_token, ttlSeconds: res.data.expires_in ?? 7200 };
    }, now);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Busy and throttled answers are retried (4 attempts, 300 ms doubling); the last error is logged and thrown. */
  private retrying<T>(path: string, attempt: () => Promise<T>): Promise<T> {
    return withRetry(attempt, {
      attempts: 4,
      delayMs: (err, n) => (err instanceof DingTalkApiError && err.retryable ? backoffMs(n, 300) : null),
      sleep: this.opts.sleep,
      onRetry: (err, n) => {
        const e = err as DingTalkApiError;
        this.log.warn({ path, status: e.status, code: e.code, attempt: n }, 'DingTalk busy or rate limited: retrying');
      },
    }).catch((err: unknown) => {
      if (err instanceof DingTalkApiError) this.log.error({ path, status: err.status, code: err.code }, 'DingTalk API call failed');
      throw err;
    });
  }

  /** How the last token fetches went (both APIs' tokens; failing if either fails), for /readyz; never fetches. */
  tokenStatus(): TokenStatus {
    const all = [this.v1Token.status(), this.legacyToken.status()];
    return all.find((s) => s.state === 'failing') ?? all.find((s) => s.state === 'ok') ?? { state: 'unknown' };
  }

  accessToken(): Promise<string> {
    return this.v1Token.get();
  }

  /**
   * A legacy topapi call (`?access_token=` from /gettoken; the answer carries errcode): the token is
   * fetched again once when it is refused, busy and rate-limit answers are retried with backoff, and any
   * other errcode is an error with DingTalk's code and message.
   */
  async topapi<T>(path: string, body: unknown): Promise<T> {
    let refreshed = false;
    return this.retrying(path, async () => {
      for (;;) {
        const token = await this.legacyToken.get();
        const res = await this.oapi.post<T & { errcode?: number; errmsg?: string }>(path, body, { params: { access_token: token } });
        const errcode = res.status === 200 ? Number(res.data?.errcode ?? 0) : -1;
        if (errcode === 0) return res.data;
        if (LEGACY_TOKEN_ERRORS.has(errcode) && !refreshed) {
          refreshed = true;
          this.legacyToken.drop(token);
          continue;
        }
        throw new DingTalkApiError(res.status, String(errcode), path, String(res.data?.errmsg ?? ''), LEGACY_RETRY_ERRORS.has(errcode));
      }
    });
  }

  async call<T>(method: 'post' | 'put', path: string, body: unknown): Promise<T> {
    let refreshed = false;
    return this.retrying(path, async () => {
      for (;;) {
        const token = await this.accessToken();
        const res = await this.http.request<T & { code?: string; message?: string }>({
          method,
          url: path,
          data: body,
          headers: { 'x-acs-dingtalk-access-token': token },
        });
        if (res.status >= 200 && res.status < 300) return res.data;
        const code = String(res.data?.code ?? res.status);
        if ((res.status === 401 || /InvalidAuthentication|token/i.test(code)) && !refreshed) {
          refreshed = true;
          this.v1Token.drop(token);
          continue;
        }
        const retryable = res.status >= 500 || res.status === 429 || /Throttling/i.test(code);
        throw new DingTalkApiError(res.status, code, path, String(res.data?.message ?? ''), retryable);
      }
    });
  }
}
