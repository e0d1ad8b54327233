import axios, { type AxiosInstance } from 'axios';
import type { Logger } from 'pino';

export interface DingTalkApiConfig {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  apiBase: string;
}

export class DingTalkApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly path: string,
    message: string,
  ) {
    super(`DingTalk ${path} failed: ${status} ${code} ${message}`);
    this.name = 'DingTalkApiError';
  }
}

/**
 * DingTalk's v1.0 API: a cached app access token (x-acs-dingtalk-access-token), refreshed once when a
 * call says it is invalid; concurrent callers share one refresh; 5xx and throttling retried with backoff.
 */
export class DingTalkClient {
  private readonly http: AxiosInstance;
  private token: { value: string; expiresAt: number } | null = null;
  private refreshing: Promise<string> | null = null;

  constructor(
    readonly cfg: DingTalkApiConfig,
    private readonly log: Logger,
    private readonly opts: { sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
  ) {
    this.http = axios.create({ baseURL: cfg.apiBase, timeout: 10_000, validateStatus: () => true });
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return this.token.value;
    this.refreshing ??= (async () => {
      try {
        const res = await this.http.post<{ accessToken?: string; expireIn?: number; code?: string; message?: string }>('/v1.0/oauth2/accessToken', {
          appKey: this.cfg.clientId,
          appSecret: this.cfg.clientSecret,
        });
        if (res.status !== 200 || !res.data.accessToken)
          throw new DingTalkApiError(res.status, res.data.code ?? 'NoToken', '/v1.0/oauth2/accessToken', res.data.message ?? '');
        this.token = { value: res.data.accessToken, expiresAt: this.now() + Math.max(60, (res.data.expireIn ?? 7200) - 300) * 1000 };
        return res.data.accessToken;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async call<T>(method: 'post' | 'put', path: string, body: unknown): Promise<T> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
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
        if (this.token?.value === token) this.token = null;
        continue;
      }
      if ((res.status >= 500 || res.status === 429 || /Throttling/i.test(code)) && attempt < 4) {
        const wait = 300 * 2 ** (attempt - 1);
        this.log.warn({ path, status: res.status, code, attempt }, 'DingTalk busy or throttling: retrying');
        await (this.opts.sleep?.(wait) ?? new Promise((r) => setTimeout(r, wait)));
        continue;
      }
      this.log.error({ path, status: res.status, code }, 'DingTalk API call failed');
      throw new DingTalkApiError(res.status, code, path, String(res.data?.message ?? ''));
    }
  }
}
