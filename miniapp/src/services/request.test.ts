import { ApiError, buildUrl, createRequest, NETWORK_ERROR, type HttpRequest, type HttpResponse, type SessionPort } from './request';

function setup(answers: Array<HttpResponse | Error>, opts: { relogin?: string | null } = {}) {
  const sent: HttpRequest[] = [];
  const toasts: string[] = [];
  let token: string | null = 'old-token';
  const session: SessionPort & { relogins: number; signInRequests: number } = {
    relogins: 0,
    signInRequests: 0,
    token: () => token,
    relogin: async () => {
      session.relogins += 1;
      token = opts.relogin === undefined ? 'new-token' : opts.relogin;
      return token;
    },
    signInRequired: () => {
      session.signInRequests += 1;
    },
  };
  const request = createRequest({
    baseUrl: 'http://api',
    session,
    toast: (m) => toasts.push(m),
    newRequestId: () => 'rid-1',
    timeoutMs: 5000,
    transport: async (req) => {
      sent.push(req);
      const next = answers.shift();
      if (!next) throw new Error('no answer prepared');
      if (next instanceof Error) throw next;
      return next;
    },
  });
  return { request, sent, toasts, session };
}

describe('request wrapper', () => {
  it('sends the token, a request id, the client marker, the timeout and JSON', async () => {
    const { request, sent } = setup([{ statusCode: 200, data: { ok: 1 } }]);
    await expect(request('POST', '/api/v1/x', { body: { a: 1 }, query: { q: '张三', empty: '', none: undefined } })).resolves.toEqual({ ok: 1 });
    expect(sent[0]).toEqual({
      url: 'http://api/api/v1/x?q=%E5%BC%A0%E4%B8%89',
      method: 'POST',
      data: { a: 1 },
      timeout: 5000,
      header: { Authorization: 'Bearer old-token', 'X-Request-Id': 'rid-1', 'X-Client': 'miniapp', 'Content-Type': 'application/json' },
    });
  });

  it('on 401 signs in again once and retries once with the new token', async () => {
    const { request, sent, session, toasts } = setup([
      { statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: '登录已过期' } } },
      { statusCode: 200, data: { items: [] } },
    ]);
    await expect(request('GET', '/api/v1/customers')).resolves.toEqual({ items: [] });
    expect(session.relogins).toBe(1);
    expect(sent.map((s) => s.header.Authorization)).toEqual(['Bearer old-token', 'Bearer new-token']);
    expect(sent[1]!.header['X-Request-Id']).toBe('rid-1');
    expect(toasts).toEqual([]);
  });

  it('a second 401 is not retried again: the user is sent to sign in', async () => {
    const unauth = { statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: '登录凭证无效，请重新登录' } } };
    const { request, sent, session, toasts } = setup([unauth, unauth]);
    await expect(request('GET', '/api/v1/me')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(sent).toHaveLength(2);
    expect(session.signInRequests).toBe(1);
    expect(toasts).toEqual(['登录凭证无效，请重新登录']);
  });

  it('when no silent re-sign-in is possible, goes to the sign-in page without retrying', async () => {
    const { request, sent, session } = setup([{ statusCode: 401, data: {} }], { relogin: null });
    await expect(request('GET', '/api/v1/me')).rejects.toBeInstanceOf(ApiError);
    expect(sent).toHaveLength(1);
    expect(session.signInRequests).toBe(1);
  });

  it('anonymous calls carry no token and never re-sign-in', async () => {
    const { request, sent, session } = setup([{ statusCode: 401, data: {} }]);
    await expect(request('POST', '/api/v1/auth/dev-login', { anonymous: true, silent: true, body: {} })).rejects.toMatchObject({ status: 401 });
    expect(sent[0]!.header.Authorization).toBeUndefined();
    expect(session.relogins).toBe(0);
  });

  it('turns the API error body into an ApiError and one Chinese toast', async () => {
    const { request, toasts } = setup([
      { statusCode: 400, data: { error: { code: 'VALIDATION_FAILED', message: '请求参数不正确', details: [{ path: 'body.content' }], requestId: 'srv-9' } } },
    ]);
    const err = (await request('POST', '/api/v1/follow-ups', { body: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: '请求参数不正确', requestId: 'srv-9' });
    expect(err.details).toEqual([{ path: 'body.content' }]);
    expect(toasts).toEqual(['请求参数不正确']);
  });

  it('a 5xx without a body gets a fallback message; silent calls show no toast', async () => {
    const { request, toasts } = setup([{ statusCode: 502, data: 'Bad Gateway' }]);
    await expect(request('GET', '/x', { silent: true })).rejects.toMatchObject({ status: 502, message: '服务器出错了，请稍后再试' });
    expect(toasts).toEqual([]);
  });

  it('no answer at all is a network error (a draft worth keeping)', async () => {
    const { request, toasts } = setup([new Error('request:fail timeout')]);
    const err = (await request('GET', '/x').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe(NETWORK_ERROR);
    expect(err.isNetwork).toBe(true);
    expect(toasts[0]).toContain('网络');
  });

  it('builds URLs without empty parameters', () => {
    expect(buildUrl('', '/a', { box: 'today', cursor: null, limit: 20 })).toBe('/a?box=today&limit=20');
    expect(buildUrl('', '/a')).toBe('/a');
  });
});
