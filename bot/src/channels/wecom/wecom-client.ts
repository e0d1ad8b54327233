import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { backoffMs, platformHttp, TokenCache, withRetry, type TokenStatus } from '@crm/shared';
import { countPlatformCalls, type PlatformCallListener } from '../../outbound/platform-calls';

export interface WeComApiConfig {
  corpId: string;
  agentId: number;
  secret: string;
  apiBase: string;
}

export class WeComApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
    /** System busy, rate limited, or a 5xx: worth another attempt after a wait. */
    readonly retryable = false,
  ) {
    super(`WeCom ${path} failed: errcode ${errcode} ${errmsg}`);
    this.name = 'WeComApiError';
  }
}

const TOKEN_INVALID = new Set([40014, 42001]);
const SYSTEM_BUSY = -1;
const RATE_LIMITED = 45009;

interface WeComResponse {
  errcode?: number;
  errmsg?: string;
  [k: string]: unknown;
}

/**
 * The WeCom server API: a cached access token per app (refreshed once on 40014 / 42001, concurrent
 * callers share one refresh), retries with backoff for "system busy" (-1) and rate limiting (45009),
 * every other error surfaced with its errcode. The base URL is injectable, so tests run a fake server.
 */
export class WeComClient {
  private readonly http: AxiosInstance;
  private readonly tokens: TokenCache;

  constructor(
    private readonly cfg: WeComApiConfig,
    private readonly log: Logger,
    private readonly opts: { timeoutMs?: number; sleep?: (ms: number) => Promise<void>; now?: () => number; onCall?: PlatformCallListener } = {},
  ) {
    this.http = platformHttp({ baseURL: cfg.apiBase, timeoutMs: opts.timeoutMs });
    countPlatformCalls(this.http, opts.onCall);
    this.tokens = new TokenCache(
      async () => {
        const res = await this.http.get<WeComResponse>('/cgi-bin/gettoken', { params: { corpid: this.cfg.corpId, corpsecret: this.cfg.secret } });
        const body = res.data;
        if (res.status !== 200 || body.errcode || typeof body.access_token !== 'string') {
          throw new WeComApiError(body.errcode ?? res.status, body.errmsg ?? 'no token', '/cgi-bin/gettoken');
        }
        return { value: body.access_token, ttlSeconds: Number(body.expires_in ?? 7200) };
      },
      () => this.now(),
    );
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private sleep(ms: number): Promise<void> {
    return this.opts.sleep?.(ms) ?? new Promise((r) => setTimeout(r, ms));
  }

  /** How the last token fetch went (for /readyz; never fetches). */
  tokenStatus(): TokenStatus {
    return this.tokens.status();
  }

  /** The cached token, or one fresh fetch shared by every concurrent caller. */
  accessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** POSTs to a token-authenticated API with the retry rules above. */
  post<T extends WeComResponse>(path: string, body: unknown): Promise<T> {
    return this.call<T>('post', path, body, {});
  }

  /** GETs a token-authenticated API (query parameters besides the token) with the same rules. */
  get<T extends WeComResponse>(path: string, params: Record<string, string>): Promise<T> {
    return this.call<T>('get', path, undefined, params);
  }

  private async call<T extends WeComResponse>(method: 'get' | 'post', path: string, body: unknown, query: Record<string, string>): Promise<T> {
    let refreshed = false;
    const attempt = async (): Promise<T> => {
      for (;;) {
        const token = await this.accessToken();
        const params = { ...query, access_token: token };
        const res = method === 'post' ? await this.http.post<T>(path, body, { params }) : await this.http.get<T>(path, { params });
        const data = res.data;
        const code = typeof data?.errcode === 'number' ? data.errcode : res.status === 200 ? 0 : res.status;
        if (code === 0) return data;
        if (TOKEN_INVALID.has(code) && !refreshed) {
          refreshed = true;
          this.tokens.drop(token);
          continue;
        }
        const retryable = code === SYSTEM_BUSY || code === RATE_LIMITED || res.status >= 500;
        throw new WeComApiError(code, String(data?.errmsg ?? res.statusText), path, retryable);
      }
    };
    return withRetry(attempt, {
      attempts: 4,
      delayMs: (err, n) => (err instanceof WeComApiError && err.retryable ? backoffMs(n, err.errcode === RATE_LIMITED ? 2000 : 300) : null),
      sleep: (ms) => this.sleep(ms),
      onRetry: (err, n, wait) => this.log.warn({ path, errcode: (err as WeComApiError).errcode, attempt: n, wait }, 'WeCom busy or rate limited: retrying'),
    }).catch((err: unknown) => {
      if (err instanceof WeComApiError) this.log.error({ path, errcode: err.errcode, errmsg: err.errmsg }, 'WeCom API call failed');
      throw err;
    });
  }
}
