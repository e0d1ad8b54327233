import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('health', () => {
  it('GET /healthz answers 200 while the process lives', async () => {
    const res = await t.http.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('GET /readyz answers 200 when the database answers, 503 when it does not', async () => {
    const ok = await t.http.get('/readyz');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ready' });

    const other = await startTestApp();
    await other.conn.close();
    const down = await other.http.get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('NOT_READY');
  });
});

describe('start page', () => {
  it('GET / shows where to go, in Chinese', async () => {
    const res = await t.http.get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('/api/docs');
    expect(res.text).toContain('开发登录已开启');
  });
});

describe('error shape', () => {
  it('an unknown route is a JSON 404', async () => {
    const res = await t.http.get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(typeof res.body.error.message).toBe('string');
  });

  it('a wrong method on a known route is 405 with Allow', async () => {
    const res = await t.http.delete('/api/v1/me').set('Authorization', await t.login('demo-rep1'));
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('malformed JSON is 400 INVALID_JSON', async () => {
    const res = await t.http.post('/api/v1/auth/dev-login').set('Content-Type', 'application/json').send('{"login": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('JSON over 1 MB is 413 and nothing is processed', async () => {
    const huge = JSON.stringify({ login: 'demo-rep1', pad: 'x'.repeat(1024 * 1024 + 10) });
    const res = await t.http.post('/api/v1/auth/dev-login').set('Content-Type', 'application/json').send(huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('JSON just under the limit is parsed (and then validated)', async () => {
    const body = JSON.stringify({ login: 'demo-rep1', pad: 'x'.repeat(1024 * 1000) });
    const res = await t.http.post('/api/v1/auth/dev-login').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('validation errors name the field path', async () => {
    const res = await t.http.post('/api/v1/auth/dev-login').send({ login: 'demo rep' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.login' })]);
  });
});

describe('request id', () => {
  it('echoes a given X-Request-Id and writes it in every log line of that request', async () => {
    const res = await t.http
      .get('/api/v1/me')
      .set('X-Request-Id', 'trace-abc-123')
      .set('Authorization', await t.login('demo-rep1'));
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    await t.http
      .get('/api/v1/users/not-an-id')
      .set('X-Request-Id', 'trace-bad-id')
      .set('Authorization', await t.login('demo-rep1'));
    const lines = t.logs.filter((l) => l.reqId === 'trace-bad-id');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('replaces an unsafe or missing id with a generated one', async () => {
    const res = await t.http.get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const res2 = await t.http.get('/healthz');
    expect(res2.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res2.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
  });

  it('is written into audit entries', async () => {
    await t.http.post('/api/v1/auth/dev-login').set('X-Request-Id', 'login-trace-1').send({ login: 'demo-rep2' });
    const entry = await t.services.audit.list({ entityType: 'user', limit: 50 });
    expect(entry.items.find((e) => e.requestId === 'login-trace-1')).toMatchObject({ action: 'auth.dev-login', channel: 'api' });
  });
});
