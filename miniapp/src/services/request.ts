/**
 * The one request wrapper: every call of the mini-app goes through here. It adds the bearer token, a
 * request id (X-Request-Id, echoed in logs and audit entries) and `X-Client: miniapp`, applies a timeout,
 * re-signs in once and retries once on 401, turns the API's error body into an `ApiError` and shows one
 * clear Chinese toast (unless the caller handles the error itself: `silent`).
 * Pure: the transport (Taro.request), the session, the toast and the id source are injected, so Jest
 * tests run it without Taro.
 */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  data?: unknown;
  header: Record<string, string>;
  timeout: number;
}

export interface HttpResponse {
  statusCode: number;
  data: unknown;
}

export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

export interface SessionPort {
  token(): string | null;
  /** Signs in again without asking the user (platform code or remembered demo user); the new token, or null. */
  relogin(): Promise<string | null>;
  /** Nothing works without a sign-in: send the user to the sign-in page. */
  signInRequired(): void;
}

export interface RequestDeps {
  baseUrl: string;
  transport: HttpTransport;
  session: SessionPort;
  toast(message: string): void;
  newRequestId(): string;
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  /** No token, no re-sign-in (the sign-in calls themselves). */
  anonymous?: boolean;
  /** The caller shows the error itself: no toast. */
  silent?: boolean;
  /** Extra headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

export const NETWORK_ERROR = 'NETWORK_ERROR';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** No answer at all (offline, timeout, DNS): worth keeping a draft and trying later. */
  get isNetwork(): boolean {
    return this.code === NETWORK_ERROR;
  }
}

export type Request = <T>(method: HttpRequest['method'], path: string, opts?: RequestOptions) => Promise<T>;

const FALLBACK_MESSAGES: Record<number, string> = {
  400: '请求参数不正确',
  401: '登录已过期，请重新登录',
  403: '没有权限执行此操作',
  404: '记录不存在或无权查看',
  409: '数据已被修改，请刷新后重试',
  413: '内容太大',
  429: '操作太频繁，请稍后再试',
};

export function buildUrl(base: string, path: string, query?: RequestOptions['query']): string {
  const params = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${base}${path}${params.length ? `?${params.join('&')}` : ''}`;
}

export function createRequest(deps: RequestDeps): Request {
  const timeout = deps.timeoutMs ?? 15_000;

  const once = async (method: HttpRequest['method'], path: string, opts: RequestOptions, requestId: string, token: string | null): Promise<HttpResponse> => {
    const header: Record<string, string> = { ...opts.headers, 'X-Request-Id': requestId, 'X-Client': 'miniapp' };
    if (opts.body !== undefined) header['Content-Type'] = 'application/json';
    if (token && !opts.anonymous) header.Authorization = `Bearer ${token}`;
    try {
      return await deps.transport({ url: buildUrl(deps.baseUrl, path, opts.query), method, data: opts.body, header, timeout });
    } catch {
      throw new ApiError(0, NETWORK_ERROR, '网络不可用或服务器无响应，请检查网络后重试', requestId);
    }
  };

  return async function request<T>(method: HttpRequest['method'], path: string, opts: RequestOptions = {}): Promise<T> {
    const requestId = deps.newRequestId();
    try {
      let res = await once(method, path, opts, requestId, deps.session.token());
      if (res.statusCode === 401 && !opts.anonymous) {
        const token = await deps.session.relogin().catch(() => null);
        if (!token) {
          deps.session.signInRequired();
          throw toApiError(res, requestId);
        }
        res = await once(method, path, opts, requestId, token);
        if (res.statusCode === 401) deps.session.signInRequired();
      }
      if (res.statusCode >= 200 && res.statusCode < 300) return res.data as T;
      throw toApiError(res, requestId);
    } catch (err) {
      if (!opts.silent && err instanceof ApiError) deps.toast(err.message);
      throw err;
    }
  };
}

function toApiError(res: HttpResponse, requestId: string): ApiError {
  const body = (res.data ?? {}) as { error?: { code?: string; message?: string; details?: unknown; requestId?: string } };
  const e = body.error;
  const message = e?.message || FALLBACK_MESSAGES[res.statusCode] || (res.statusCode >= 500 ? '服务器出错了，请稍后再试' : `请求失败（${res.statusCode}）`);
  return new ApiError(res.statusCode, e?.code ?? `HTTP_${res.statusCode}`, message, e?.requestId ?? requestId, e?.details);
}

/** A short random id (no crypto needed: it only traces a request). */
export function randomRequestId(): string {
  return `ma-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
