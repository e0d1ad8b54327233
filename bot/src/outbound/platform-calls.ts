import type { AxiosInstance } from 'axios';

/** Told of every platform API answer: the endpoint (ids in the path replaced) and the platform's errcode ('0' = ok). */
export type PlatformCallListener = (endpoint: string, errcode: string) => void;

/** A path segment that is a record's id (a number, a long hex or random token), not part of the endpoint's name. */
const ID_SEGMENT = /^(?=.*\d)[A-Za-z0-9_-]{16,}$|^\d+$/;

/** `/v1.0/card/instances/abc123…` → `/v1.0/card/instances/:id`; the query string is dropped. */
export function endpointOf(url: string | undefined): string {
  const path = (url ?? '').split('?')[0]!.replace(/^https?:\/\/[^/]+/, '');
  return path
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? ':id' : s))
    .join('/');
}

/** The platform's error code of an answer: WeCom and DingTalk's legacy API say `errcode`, DingTalk's v1 API `code`. */
function errcodeOf(status: number, data: unknown): string {
  const d = (data ?? {}) as { errcode?: unknown; code?: unknown };
  if (d.errcode !== undefined && d.errcode !== null) return String(d.errcode);
  if (status >= 200 && status < 300) return '0';
  return d.code !== undefined && d.code !== null ? String(d.code) : `http_${status}`;
}

/** Reports each call of this HTTP client (answers by errcode, no answer as `network`) to `onCall`. */
export function countPlatformCalls(http: AxiosInstance, onCall: PlatformCallListener | undefined): void {
  if (!onCall) return;
  http.interceptors.response.use(
    (res) => {
      onCall(endpointOf(res.config.url), errcodeOf(res.status, res.data));
      return res;
    },
    (err: { config?: { url?: string } }) => {
      onCall(endpointOf(err.config?.url), 'network');
      return Promise.reject(err as Error);
    },
  );
}
