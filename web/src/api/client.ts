/**
 * The workbench's one HTTP wrapper: bearer token from the session, JSON in and out, `X-Client: web`, errors as
 * ApiError with the server's Chinese message. A 401 drops the session and sends the browser to the sign-in page.
 */
const TOKEN_KEY = 'crm.console.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const session = {
  token: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string) => localStorage.setItem(TOKEN_KEY, token),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function goToSignIn(): void {
  const here = location.pathname + location.search;
  if (!location.pathname.startsWith('/console/login')) location.assign(`/console/login?next=${encodeURIComponent(here)}`);
}

export async function api<T>(path: string, init: { method?: string; query?: Query; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'X-Client': 'web' };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(withQuery(`/api/v1${path}`, init.query), {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null; // not JSON (a proxy's error page)
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && token) {
      session.clear();
      goToSignIn();
    }
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? `请求失败（${res.status}）`);
  }
  return data as T;
}

/** A multipart upload (the import's file) with the bearer token; answers the JSON the API sends back. */
export async function upload<T>(path: string, form: FormData): Promise<T> {
  const token = session.token();
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    body: form,
    headers: { 'X-Client': 'web', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? `上传失败（${res.status}）`);
  return data as T;
}

/** Downloads a file the API streams (xlsx exports) with the bearer token, under the name the server gives. */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const token = session.token();
  const res = await fetch(withQuery(`/api/v1${path}`, query), { headers: { 'X-Client': 'web', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  if (!res.ok) {
    let message = `导出失败（${res.status}）`;
    try {
      message = ((await res.json()) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, `HTTP_${res.status}`, message);
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = star ? decodeURIComponent(star[1]!) : (plain?.[1] ?? fallbackName);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
