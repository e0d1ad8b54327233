import { Types } from 'mongoose';
import supertest from 'supertest';
import { instrumentMongo, Metrics, metricsListener } from '@crm/api';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { closeTestConnection, openTestConnection } from '../helpers/test-db';
import { sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/** The value of one sample line (`name{labels} value`), or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const parts = inner.split(',');
    if (want.every((w) => parts.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics (development: open)', () => {
  let fake: FakeWeComServer;
  let t: TestApp;
  beforeAll(async () => {
    fake = await new FakeWeComServer(WECOM_TEST_APP).start();
    t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: true });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  const scrape = async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.text;
  };

  it('counts a request under the matched route, not the URL, with its status and latency', async () => {
    const auth = await t.login('demo-rep1');
    await t.http.get('/api/v1/customers/000000000000000000000000').set('Authorization', auth).expect(404);
    await t.http.get('/no/such/page').expect(404);
    const text = await scrape();
    expect(sample(text, 'crm_http_requests_total', { method: 'GET', route: '/api/v1/customers/:id', status: '404' })).toBe(1);
    expect(sample(text, 'crm_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/customers/:id' })).toBe(1);
    expect(sample(text, 'crm_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('000000000000000000000000');
  });

  it('counts a WeCom callback under its route', async () => {
    const packet = sealedPost(textXml('demo-rep1', '查 张三'));
    await t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body).expect(200);
    await t.bot.inFlight.drain();
    const text = await scrape();
    expect(sample(text, 'crm_http_requests_total', { method: 'POST', route: '/bot/wecom/callback', status: '200' })).toBe(1);
    expect(sample(text, 'crm_callback_ack_duration_seconds_count', { channel: 'wecom', status: '200' })).toBe(1);
    expect(sample(text, 'crm_inbound_events_total', { channel: 'wecom', outcome: 'stored' })).toBe(1);
    expect(sample(text, 'crm_inbound_events_total', { channel: 'wecom', outcome: 'handled' })).toBe(1);
    // the reply went out through WeCom's API: the token fetch and the send, by endpoint and errcode
    expect(sample(text, 'crm_platform_api_calls_total', { channel: 'wecom', endpoint: '/cgi-bin/gettoken', errcode: '0' })).toBe(1);
    expect(sample(text, 'crm_platform_api_calls_total', { channel: 'wecom', endpoint: '/cgi-bin/message/send', errcode: '0' })).toBeGreaterThanOrEqual(1);
  });

  it('counts a job run by job and outcome, with its duration', async () => {
    const job = t.system.jobs.jobs.find((j) => j.name === 'reminder-pass') ?? t.system.jobs.jobs[0]!;
    await t.system.jobs.runOnce(job);
    const text = await scrape();
    expect(sample(text, 'crm_job_runs_total', { job: job.name, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'crm_job_duration_seconds_count', { job: job.name })).toBe(1);
  });

  it('/readyz reports the database, WeCom’s token and the job runner (off until started, then each job’s last run)', async () => {
    const before = (await t.http.get('/readyz').expect(200)).body;
    expect(before.checks.database).toEqual({ state: 'up', kind: before.database });
    expect(before.checks.jobs.state).toBe('off');
    expect(before.checks.wecom).toMatchObject({ state: 'ok' }); // the token fetched for the reply above
    t.system.jobs.start();
    try {
      const after = (await t.http.get('/readyz').expect(200)).body;
      expect(after.checks.jobs.state).toBe('running');
      const pass = after.checks.jobs.jobs.find((j: { name: string }) => j.name === 'reminder-pass');
      expect(pass.lastRun).toMatchObject({ outcome: 'ok' }); // run by the previous test
    } finally {
      await t.system.jobs.stop();
    }
  });

  it('registers the other families (zero until something happens) and the process metrics', async () => {
    const text = await scrape();
    for (const name of [
      'crm_inbound_events_total',
      'crm_reminders_total',
      'crm_platform_api_calls_total',
      'crm_send_budget_wait_seconds',
      'crm_db_command_duration_seconds',
      'crm_db_pool_connections',
      'crm_import_rows_total',
      'crm_process_cpu_seconds_total',
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });
});

describe('GET /metrics in production', () => {
  const SECRET = 'a-production-secret-of-at-least-32-chars';
  it.each([
    ['without METRICS_TOKEN: not served on the public port', {}, undefined, 404],
    ['with METRICS_TOKEN, no bearer', { METRICS_TOKEN: 'scrape-token-0123456789' }, undefined, 401],
    ['with METRICS_TOKEN, a wrong bearer', { METRICS_TOKEN: 'scrape-token-0123456789' }, 'Bearer scrape-token-9876543210', 401],
    ['with METRICS_TOKEN and its bearer', { METRICS_TOKEN: 'scrape-token-0123456789' }, 'Bearer scrape-token-0123456789', 200],
  ])('%s', async (_name, env, auth, status) => {
    const t = await startTestApp({ NODE_ENV: 'production', JWT_SECRET: SECRET, ...env });
    try {
      const req = t.http.get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status).toBe(status);
      if (status === 200) expect(res.text).toContain('crm_http_requests_total');
      else expect(res.body.error.code).toBe(status === 404 ? 'NOT_FOUND' : 'UNAUTHENTICATED');
    } finally {
      await t.close();
    }
  });
});

describe('METRICS_PORT: /metrics on a port of its own', () => {
  const SECRET = 'a-production-secret-of-at-least-32-chars';
  it.each([
    ['without METRICS_TOKEN: the port is the protection', {}, undefined, 200],
    ['with METRICS_TOKEN, no bearer', { METRICS_TOKEN: 'scrape-token-0123456789' }, undefined, 401],
    ['with METRICS_TOKEN and its bearer', { METRICS_TOKEN: 'scrape-token-0123456789' }, 'Bearer scrape-token-0123456789', 200],
  ])('%s; the public port has no /metrics, even with the bearer', async (_name, env, auth, status) => {
    const t = await startTestApp({ NODE_ENV: 'production', JWT_SECRET: SECRET, METRICS_PORT: '9464', ...env });
    try {
      expect(t.config.metrics.port).toBe(9464);
      const pub = t.http.get('/metrics');
      expect((await (auth ? pub.set('Authorization', auth) : pub)).status).toBe(404);
      await t.http.get('/healthz').expect(200); // counted, then seen on the metrics port
      const own = supertest(metricsListener(t.system.metrics, { token: t.config.metrics.token }));
      const req = own.get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status).toBe(status);
      if (status === 200) {
        // the public /metrics matched no route there
        expect(sample(res.text, 'crm_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
        expect(sample(res.text, 'crm_http_requests_total', { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
      } else expect(res.body.error.code).toBe('UNAUTHENTICATED');
      // the metrics port answers nothing else
      expect((await own.get('/api/v1/customers')).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('database metrics (driver monitoring events)', () => {
  it('records command latency by command and the pool connections in use and open', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const conn = await openTestConnection({ monitorCommands: true }); // as mongoOptions sets it

    try {
      instrumentMongo(conn, metrics);
      await conn.db!.admin().command({ ping: 1 });
      await conn.db!.collection('metrics_probe').findOne({});
      const text = await metrics.text();
      expect(sample(text, 'crm_db_command_duration_seconds_count', { command: 'ping', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'crm_db_command_duration_seconds_count', { command: 'find', outcome: 'ok' })).toBe(1);
      expect(sample(text, 'crm_db_pool_connections', { state: 'checked_out' })).toBe(0);
      expect(sample(text, 'crm_db_pool_connections', { state: 'open' })).toBeGreaterThanOrEqual(1);
    } finally {
      await closeTestConnection(conn);
    }
  });
});

describe('reminder metrics', () => {
  // Monday 2026-11-23 10:00, Beijing time: within delivery hours, after the morning digest
  const clock = new Date('2026-11-23T10:00:00+08:00');
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { now: () => clock });
  });
  afterAll(() => t.close());

  it('counts a due reminder claimed and sent', async () => {
    const user = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-rep1'))!._id;
    await t.conn.model('Reminder').insertMany([
      {
        _id: new Types.ObjectId(),
        dedupeKey: `test:${new Types.ObjectId().toHexString()}`,
        kind: 'next-step',
        userId: user,
        dueAt: new Date(clock.getTime() - 60_000),
        status: 'scheduled',
        title: '提醒',
        text: '回访',
        customerId: null,
        attempts: 0,
        leaseUntil: null,
        retryAt: null,
        delivery: null,
      },
    ]);
    const pass = await t.system.reminders.tick();
    expect(pass.claimed).toBe(1);
    const text = await t.system.metrics.text();
    expect(sample(text, 'crm_reminders_total', { outcome: 'due' })).toBe(1);
    expect(sample(text, 'crm_reminders_total', { outcome: 'sent' })).toBe(1);
  });
});
