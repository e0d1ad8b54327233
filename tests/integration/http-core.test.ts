import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { inlineScriptsOf } from '../../api/src/middleware/security-headers';
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
    expect(down.headers['retry-after']).toMatch(/^\d+$/);
    // a load balancer polls it: a warn line, not an error with a stack each time
    expect(other.logs.filter((l) => l.reqId === down.headers['x-request-id']).map((l) => l.level)).toEqual([40]);
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

describe('Content-Encoding', () => {
  const json = Buffer.from(JSON.stringify({ login: 'demo-rep1' }));
  let base: string;
  beforeAll(async () => {
    base = await t.listen();
  });
  /** The bytes exactly as given (supertest would serialise a Buffer as JSON). */
  async function post(p: string, encoding: string, body: Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(base + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding, ...headers },
      body: new Uint8Array(body),
    });
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as { error?: Record<string, unknown> } };
  }

  it.each([
    ['an unknown encoding', 'compress-9000', json, 415, 'UNSUPPORTED_ENCODING'],
    ['a list with an unknown one', 'gzip, foo', json, 415, 'UNSUPPORTED_ENCODING'],
    ['gzip on a body that is not gzip', 'gzip', json, 400, 'INVALID_BODY_ENCODING'],
    ['deflate on a body that is not deflate', 'deflate', json, 400, 'INVALID_BODY_ENCODING'],
    ['br on a body that is not brotli', 'br', json, 400, 'INVALID_BODY_ENCODING'],
    ['gzip cut short', 'gzip', gzipSync(json).subarray(0, 12), 400, 'INVALID_BODY_ENCODING'],
  ])('%s (Content-Encoding: %s) → %#: the error shape, no 500', async (_label, encoding, body, status, code) => {
    const res = await post('/api/v1/auth/dev-login', encoding, body);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    expect(res.body.error).toMatchObject({ message: expect.any(String), requestId: res.requestId });
    expect(t.logs.some((l) => l.reqId === res.requestId && l.level === 50)).toBe(false);
  });

  it('a real gzip body and identity still work', async () => {
    expect((await post('/api/v1/auth/dev-login', 'gzip', gzipSync(json))).status).toBe(200);
    expect((await post('/api/v1/auth/dev-login', 'identity', json)).status).toBe(200);
  });

  it('on other routes too (the sandbox, a protected route): never 500', async () => {
    const auth = await t.login('demo-rep1');
    for (const [p, headers] of [
      ['/sandbox/api/messages', {}],
      ['/api/v1/customers', { authorization: auth }],
    ] as const) {
      const res = await post(p, 'gzip', json, headers);
      expect({ p, status: res.status, code: res.body.error?.code }).toEqual({ p, status: 400, code: 'INVALID_BODY_ENCODING' });
    }
  });
});

describe('date fields', () => {
  let customerId: string;
  let followUpId: string;
  let auth: string;
  beforeAll(async () => {
    auth = await t.login('demo-rep1');
    const c = await t.http.post('/api/v1/customers').set('Authorization', auth).send({ name: '日期测试', company: '日期测试有限公司', source: '展会' });
    expect(c.status).toBe(201);
    customerId = c.body.id;
    const f = await t.http
      .post('/api/v1/follow-ups')
      .set('Authorization', auth)
      .send({ customerId, type: 'call', content: '电话沟通', nextStep: { text: '回访', dueAt: '2031-03-02T10:00:00+08:00' } });
    expect(f.status).toBe(201);
    followUpId = f.body.id;
  });

  const followUp = (over: Record<string, unknown>) => ({ customerId, type: 'call', content: '电话沟通', ...over });
  it.each([
    ['null happenedAt', () => followUp({ happenedAt: null }), 'body.happenedAt'],
    ['null nextStep.dueAt', () => followUp({ nextStep: { text: '回访', dueAt: null } }), 'body.nextStep.dueAt'],
    ['year 1970 (what null used to become)', () => followUp({ happenedAt: '1970-01-01T00:00:00Z' }), 'body.happenedAt'],
    ['year 1999', () => followUp({ happenedAt: '1999-12-31T23:59:59Z' }), 'body.happenedAt'],
    ['year 2101', () => followUp({ nextStep: { text: '回访', dueAt: '2101-01-01T00:00:00Z' } }), 'body.nextStep.dueAt'],
    ['year 20260', () => followUp({ nextStep: { text: '回访', dueAt: '+020260-01-01T00:00:00Z' } }), 'body.nextStep.dueAt'],
    ['epoch seconds taken for milliseconds', () => followUp({ happenedAt: 1_790_000_000 }), 'body.happenedAt'],
    ['an empty string', () => followUp({ happenedAt: '' }), 'body.happenedAt'],
    ['true', () => followUp({ happenedAt: true }), 'body.happenedAt'],
    ['not a date', () => followUp({ happenedAt: '2026-02-30T25:00:00Z' }), 'body.happenedAt'],
  ])('POST /follow-ups with %s → 400 naming the field', async (_label, body, path) => {
    const res = await t.http.post('/api/v1/follow-ups').set('Authorization', auth).send(body());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path })]);
  });

  it.each([
    ['happenedAt 2000-01-01T00:00:00Z', { happenedAt: '2000-01-01T00:00:00Z' }],
    ['happenedAt 2026-11-24', { happenedAt: '2026-11-24' }],
    ['nextStep.dueAt 2100-12-31T23:59:59Z', { nextStep: { text: '回访', dueAt: '2100-12-31T23:59:59Z' } }],
  ])('POST /follow-ups with %s → 201 (the range is inclusive)', async (_label, over) => {
    const res = await t.http.post('/api/v1/follow-ups').set('Authorization', auth).send(followUp(over));
    expect(res.status).toBe(201);
  });

  it('other date fields: snooze until, audit from, deal close date (null still clears it on PATCH)', async () => {
    const snooze = await t.http
      .post(`/api/v1/reminders/${'0'.repeat(24)}/snooze`)
      .set('Authorization', auth)
      .send({ until: null });
    expect({ status: snooze.status, path: snooze.body.error.details?.[0]?.path }).toEqual({ status: 400, path: 'body.until' });
    const audit = await t.http.get('/api/v1/audit?from=1900-01-01').set('Authorization', await t.login('demo-admin'));
    expect({ status: audit.status, path: audit.body.error.details?.[0]?.path }).toEqual({ status: 400, path: 'query.from' });
    const deal = await t.http
      .post('/api/v1/opportunities')
      .set('Authorization', auth)
      .send({ customerId, name: '日期商机', amountFen: 100, expectedCloseDate: null });
    expect({ status: deal.status, path: deal.body.error.details?.[0]?.path }).toEqual({ status: 400, path: 'body.expectedCloseDate' });
    const ok = await t.http
      .post('/api/v1/opportunities')
      .set('Authorization', auth)
      .send({ customerId, name: '日期商机', amountFen: 100, expectedCloseDate: '2027-06-30' });
    expect(ok.status).toBe(201);
    const cleared = await t.http
      .patch(`/api/v1/opportunities/${ok.body.id as string}`)
      .set('Authorization', auth)
      .send({ expectedCloseDate: null });
    expect(cleared.status).toBe(200);
  });

  it('nextStep: null on PATCH still means "clear the next step"', async () => {
    const res = await t.http.patch(`/api/v1/follow-ups/${followUpId}`).set('Authorization', auth).send({ nextStep: null });
    expect(res.status).toBe(200);
    expect(res.body.nextStep ?? null).toBeNull();
  });
});

describe('security headers', () => {
  it.each(['/api/docs', '/sandbox/', '/app/', '/'])('%s: CSP, nosniff, Referrer-Policy, frame protection', async (p) => {
    const res = await t.http.get(p);
    expect(res.status).toBeLessThan(500 + (p === '/app/' ? 4 : 0)); // /app/ is 503 when the H5 build is missing
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('every page inline script is allowed by its hash (so the page runs under the CSP)', async () => {
    for (const p of ['/api/docs', '/sandbox/']) {
      const res = await t.http.get(p);
      const scripts = inlineScriptsOf(res.text);
      expect(scripts.length).toBeGreaterThan(0);
      for (const s of scripts) expect(String(res.headers['content-security-policy'])).toContain(`'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    }
  });

  it('API answers carry nosniff and frame protection too', async () => {
    const res = await t.http.get('/api/v1/nope');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
