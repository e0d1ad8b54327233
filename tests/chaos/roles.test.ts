import http from 'node:http';
import { MongoClient } from 'mongodb';
import { MIGRATIONS, migrationId } from '@crm/server';
import { Child, createCustomerVia, freePort, signedInHeaders, sleep, startStandIn } from '../helpers/child-process';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/**
 * Process roles and graceful shutdown, with the real server in child processes (`node --import tsx
 * server/src/main.ts`) on one stand-in database: a `worker` builds indexes, runs the migrations and answers
 * only health over HTTP; a `web` serves the API and runs no jobs and no migrations; two workers record each
 * migration once. SIGTERM lets a request in flight finish and exits 0; a second SIGTERM exits at once (143).
 * Loopback only, well under 90 s.
 */
const DB_NAME = 'crm_roles';
jest.setTimeout(90_000);

let dbPort: number;
let db: Child;
let client: MongoClient;
const children: Child[] = [];

async function startServer(role: 'web' | 'worker', extra: Record<string, string> = {}): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const child = new Child(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    PATH: process.env.PATH, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
    HOME: process.env.HOME, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
    NODE_ENV: 'development',
    MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${DB_NAME}`,
    JWT_SECRET: 'roles-test-secret-0123456789abcdef0123456789',
    DEV_LOGIN: 'true',
    SEED_ON_EMPTY: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    PROCESS_ROLE: role,
    ...extra,
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await child.waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, `the ${role}`, 60_000);
  return { child, base };
}

beforeAll(async () => {
  dbPort = await freePort();
  db = await startStandIn('memory', dbPort);
  client = await MongoClient.connect(`mongodb://127.0.0.1:${dbPort}`);
});

afterAll(async () => {
  await client?.close();
  for (const c of children) await c.kill9();
  await db?.kill9();
});

const collectionNames = async () => (await client.db(DB_NAME).listCollections().toArray()).map((c) => c.name);

/** A POST whose body arrives in two parts, `gapMs` apart: a request in flight for that long. */
function slowPost(base: string, pathname: string, body: string, onFirstHalf: () => void, gapMs = 800): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${pathname}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    setTimeout(onFirstHalf, 100);
    setTimeout(() => req.end(body.slice(half)), gapMs);
  });
}

describe('process roles', () => {
  let web: { child: Child; base: string };

  it('a web process on an empty database builds no indexes, runs no migrations and no jobs', async () => {
    web = await startServer('web');
    await sleep(1000);
    const names = await collectionNames();
    expect(names).not.toContain('migrations');
    // mongoose may create the collections, but no index beyond _id is built by a web process
    for (const name of names)
      expect({ name, indexes: (await client.db(DB_NAME).collection(name).indexes()).map((i) => i.name) }).toEqual({ name, indexes: ['_id_'] });
    expect(await client.db(DB_NAME).collection('job_leases').countDocuments({})).toBe(0);
    expect(web.child.out).not.toMatch(/jobs started/);
  });

  it('two workers started together record each migration once and answer only health over HTTP', async () => {
    const [a, b] = await Promise.all([startServer('worker', { SEED_ON_EMPTY: 'true' }), startServer('worker')]);
    const records = await client.db(DB_NAME).collection('migrations').find({}).toArray();
    expect(records.map((r) => r._id).sort()).toEqual(MIGRATIONS.map(migrationId).sort());
    for (const w of [a, b]) {
      expect(w.child.out).toMatch(/jobs started/);
      expect((await fetch(`${w.base}/healthz`)).status).toBe(200);
      const api = await fetch(`${w.base}/api/v1/auth/dev-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"login":"demo-rep1"}',
      });
      expect(api.status).toBe(404);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
    // the workers built the indexes and took the jobs' leases; the web serves the API on the data the worker seeded
    expect((await client.db(DB_NAME).collection('customers').indexes()).length).toBeGreaterThan(1);
    expect(await client.db(DB_NAME).collection('job_leases').countDocuments({})).toBeGreaterThan(0);
    await a.child.waitFor(
      async () =>
        (await fetch(`${web.base}/api/v1/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login":"demo-rep1"}' }))
          .status === 200,
      'the demo org',
    );
    // a worker stopped with SIGTERM holds no lease afterwards
    const workerId = /worker-[0-9a-f]{8}/.exec(b.child.out)?.[0];
    b.child.proc.kill('SIGTERM');
    expect((await b.child.exited).code).toBe(0);
    expect(workerId).toBeDefined();
    expect(await client.db(DB_NAME).collection('job_leases').countDocuments({ holder: workerId })).toBe(0);
  });
});

describe('npm run migrate', () => {
  it('applies the pending migrations and exits 0; a second run finds none', async () => {
    const DB = 'crm_roles_migrate';
    const run = async () => {
      const child = new Child(process.execPath, ['--import', 'tsx', 'server/src/main.ts', 'migrate'], {
        PATH: process.env.PATH, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
        HOME: process.env.HOME, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
        NODE_ENV: 'production',
        MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${DB}`,
        JWT_SECRET: 'roles-test-secret-0123456789abcdef0123456789',
        LOG_LEVEL: 'info',
      });
      children.push(child);
      expect((await child.exited).code).toBe(0);
      return child.out;
    };
    expect(await run()).toMatch(/applied 001-customer-identity-claims/);
    expect(await run()).toMatch(/none pending/);
    expect((await client.db(DB).collection('customers').indexes()).length).toBeGreaterThan(1);
    expect(await client.db(DB).collection('migrations').countDocuments({})).toBe(MIGRATIONS.length);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM lets a request in flight finish, then exits 0', async () => {
    const { child, base } = await startServer('web');
    const answer = await slowPost(base, '/api/v1/auth/dev-login', JSON.stringify({ login: 'demo-rep1' }), () => child.proc.kill('SIGTERM'));
    expect(answer.status).toBe(200);
    expect((await child.exited).code).toBe(0);
    expect(child.out).toMatch(/SIGTERM: shutting down/);
  });

  it('a second SIGTERM exits at once with 143', async () => {
    const { child, base } = await startServer('web', { SHUTDOWN_TIMEOUT_MS: '30000' });
    const started = Date.now();
    const answer = slowPost(base, '/api/v1/auth/dev-login', JSON.stringify({ login: 'demo-rep1' }), () => child.proc.kill('SIGTERM'), 20_000).catch(() => null);
    await child.waitFor(() => /SIGTERM: shutting down/.test(child.out), 'the first SIGTERM', 10_000);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(143);
    expect(Date.now() - started).toBeLessThan(15_000);
    await answer;
  });
});

describe('two web and two worker processes with WeCom on one database', () => {
  const DB = 'crm_roles_wecom';
  let fake: FakeWeComServer;
  beforeAll(async () => {
    fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  });
  afterAll(async () => fake?.stop());

  it('a callback answered by either web is handled once; reminders go out once, also after a worker is killed', async () => {
    const env = {
      ...WECOM_TEST_ENV(fake.baseUrl),
      MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${DB}`,
      SCHEDULER_TICK_MS: '300',
      QUIET_HOURS: 'off',
      WORKING_DAYS: '1-7',
    };
    const workerA = await startServer('worker', { ...env, SEED_ON_EMPTY: 'true' });
    const [workerB, web1, web2] = await Promise.all([startServer('worker', env), startServer('web', env), startServer('web', env)]);
    // the replies to 帮助 (the seeded company also gets its digests from the workers: not counted)
    const toRep1 = () => fake.delivered.filter((d) => d.touser.split('|').includes('demo-rep1') && JSON.stringify(d.body).includes('我可以帮你'));

    // WeCom retries a callback it thinks unanswered, possibly to another instance behind the load balancer
    const packet = sealedPost(textXml('demo-rep1', '帮助'));
    const q = new URLSearchParams(packet.query).toString();
    const answers = await Promise.all(
      [web1, web2, web1].map((w) => fetch(`${w.base}/bot/wecom/callback?${q}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: packet.body })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await web1.child.waitFor(() => toRep1().length >= 1, 'the reply', 20_000);
    await sleep(1500);
    expect(toRep1()).toHaveLength(1);

    // reminders: created through one web, delivered by the workers once each
    const auth = await signedInHeaders(web2.base, 'demo-rep1');
    const customerId = await createCustomerVia(web2.base, auth, '角色测试', '13900001111');
    const remind = async (text: string) => {
      const res = await fetch(`${web1.base}/api/v1/follow-ups`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ customerId, type: 'call', content: '沟通', nextStep: { text, dueAt: new Date(Date.now() + 1000).toISOString() } }),
      });
      expect(res.status).toBe(201);
    };
    // reminder messages naming the text (a digest listing it would carry the 我的提醒 link: not counted)
    const mentions = (text: string) => fake.delivered.filter((d) => JSON.stringify(d.body).includes(text) && !JSON.stringify(d.body).includes('打开我的提醒'));
    await remind('角色提醒一');
    await workerA.child.waitFor(() => mentions('角色提醒一').length >= 1, 'the first reminder', 20_000);

    await workerA.child.kill9(); // no shutdown hook: a crash
    await remind('角色提醒二');
    await workerB.child.waitFor(() => mentions('角色提醒二').length >= 1, 'the second reminder, by the worker left', 20_000);
    await sleep(1500);
    expect(mentions('角色提醒一')).toHaveLength(1);
    expect(mentions('角色提醒二')).toHaveLength(1);
  });
});
