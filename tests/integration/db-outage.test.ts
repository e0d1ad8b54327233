/**
 * Database outages against a real database process of our own (not the run's shared one): frozen with SIGSTOP,
 * killed with SIGKILL. Every API call answers 503 DATABASE_UNAVAILABLE with Retry-After within 2 s, /readyz 503
 * within 1 s, /healthz 200; the supervisor restarts a killed server on the same data and the API recovers.
 * The measured times are printed (console.info) for the README / report.
 */
import type { Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig, REPO_ROOT } from '@crm/config';
import { connectMongo, isDatabaseUnavailable, seedDemoData } from '@crm/api';
import { buildSystem } from '@crm/server';
import { resolveDatabase, type ResolvedDatabase } from '../../server/src/dev-db';

jest.setTimeout(180_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-outage-'));
const dbLog: string[] = [];
let db: ResolvedDatabase;
let conn: Connection;
let http: ReturnType<typeof supertest>;
let auth: string;
const figures: Record<string, string> = {};

beforeAll(async () => {
  db = await resolveDatabase({
    persistent: true, // an H2 file: a restart must find the data again
    dataDir,
    cacheDir: path.join(REPO_ROOT, '.cache'),
    dbName: 'crm_outage',
    skip: ['system-mongod', 'memory-server'],
    log: (msg) => void dbLog.push(msg),
    javaHeapMb: 256,
  });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  conn = await connectMongo(db.uri, { requestTimeoutMs: config.database.requestTimeoutMs, operationTimeoutMs: config.database.operationTimeoutMs });
  const { services, app, prepare } = buildSystem(config, { connection: conn, databaseKind: db.kind, logger: pino({ level: 'silent' }) });
  await prepare({ seed: false });
  await seedDemoData(services, () => undefined, { crm: false });
  http = supertest(app.callback() as unknown as Server);
  const login = await http.post('/api/v1/auth/dev-login').send({ login: 'demo-rep1' });
  expect(login.status).toBe(200);
  auth = `Bearer ${login.body.token as string}`;
});

afterAll(async () => {
  const pid = db?.pid?.();
  if (pid) signal(pid, 'SIGCONT');
  await conn?.close().catch(() => undefined);
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.info(
    `db-outage figures (mongo-java-server stand-in, 2 shared cores):\n${Object.entries(figures)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}`,
  );
});

/** The process's state letter from /proc (R running, S sleeping, T stopped…), or null once it is gone. */
function processState(pid: number): string | null {
  try {
    return /\) (\w) /.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A signal is delivered asynchronously (on a busy machine a thread may still answer a query): wait until it took effect. */
async function until(what: string, test: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 5 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function signal(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ res: T; ms: number }> {
  const started = Date.now();
  const res = await work();
  return { res, ms: Date.now() - started };
}

/** The calls a client makes while the database is away: authenticated read, authenticated write, sign-in. */
const calls: Array<[string, () => supertest.Test]> = [
  ['GET /api/v1/me', () => http.get('/api/v1/me').set('Authorization', auth)],
  ['GET /api/v1/customers', () => http.get('/api/v1/customers').set('Authorization', auth)],
  ['POST /api/v1/customers', () => http.post('/api/v1/customers').set('Authorization', auth).send({ name: '停机测试', source: '展会' })],
  ['POST /api/v1/auth/dev-login', () => http.post('/api/v1/auth/dev-login').send({ login: 'demo-rep1' })],
];

async function expectUnavailableEverywhere(label: string): Promise<void> {
  const times: number[] = [];
  for (const [name, call] of calls) {
    const { res, ms } = await timed(() => call());
    times.push(ms);
    expect({ name, status: res.status, code: res.body.error?.code }).toEqual({ name, status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(res.body.error.message).toBe('数据库暂时不可用，请稍后重试');
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(ms).toBeLessThan(2_000);
  }
  const ready = await timed(() => http.get('/readyz'));
  expect(ready.res.status).toBe(503);
  expect(ready.ms).toBeLessThan(1_000);
  const healthz = await timed(() => http.get('/healthz'));
  expect(healthz.res.status).toBe(200);
  figures[label] = `API ${Math.min(...times)}–${Math.max(...times)} ms, /readyz ${ready.ms} ms, /healthz ${healthz.ms} ms`;
}

async function waitForRecovery(label: string, since: number): Promise<void> {
  for (;;) {
    const res = await http.get('/api/v1/me').set('Authorization', auth);
    if (res.status === 200) break;
    expect(Date.now() - since).toBeLessThan(60_000);
    await new Promise((r) => setTimeout(r, 200));
  }
  figures[label] = `${Date.now() - since} ms until GET /api/v1/me answered 200 again`;
}

it('a healthy database: 200s, /readyz ready', async () => {
  expect((await http.get('/api/v1/me').set('Authorization', auth)).status).toBe(200);
  const ready = await timed(() => http.get('/readyz'));
  expect(ready.res.status).toBe(200);
  figures['/readyz healthy'] = `${ready.ms} ms`;
});

it('a frozen database (SIGSTOP): 503 DATABASE_UNAVAILABLE within 2 s, /readyz 503 within 1 s; back after SIGCONT', async () => {
  const pid = db.pid!()!;
  signal(pid, 'SIGSTOP');
  await until('the database stopped', () => processState(pid) === 'T');
  try {
    // the first call starts the very moment the database freezes: the worst case for the request deadline
    const first = await timed(() => http.get('/api/v1/me').set('Authorization', auth));
    expect(first.res.status).toBe(503);
    expect(first.ms).toBeLessThan(2_000);
    figures['frozen: first call'] = `${first.ms} ms`;
    await expectUnavailableEverywhere('frozen');
  } finally {
    signal(pid, 'SIGCONT');
  }
  await waitForRecovery('frozen: recovery after SIGCONT', Date.now());
});

it('a killed database (SIGKILL): 503 within 2 s while it is down; restarted on the same data, the API recovers', async () => {
  const created = await http.post('/api/v1/customers').set('Authorization', auth).send({ name: '重启前客户', company: '重启验证有限公司', source: '展会' });
  expect(created.status).toBe(201);
  await new Promise((r) => setTimeout(r, 1_500)); // H2 commits about once a second
  const oldPid = db.pid!()!;
  const killedAt = Date.now();
  signal(oldPid, 'SIGKILL');
  await until('the database gone', () => processState(oldPid) === null || processState(oldPid) === 'Z');
  // the restart takes a JVM start (seconds): the first calls come while nothing listens
  // (on a quick machine the supervisor may have the JVM back within the request's own deadline: then the first
  // call waits for it and answers 200 — correct too, as long as the restart really happened before the answer)
  const times: number[] = [];
  const first = await timed(() => http.get('/api/v1/me').set('Authorization', auth));
  if (first.res.status === 200) {
    await until('the supervisor recorded the restart', () => dbLog.some((l) => /restarted \(pid \d+\)/.test(l)));
  } else {
    expect({ status: first.res.status, code: first.res.body.error?.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
  }
  expect(first.ms).toBeLessThan(2_000);
  times.push(first.ms);
  const ready = await timed(() => http.get('/readyz'));
  expect([503, 200]).toContain(ready.res.status); // 200 only if the supervisor was already back
  expect(ready.ms).toBeLessThan(1_000);
  // until it is back, every call is a quick 503
  for (;;) {
    const { res, ms } = await timed(() => http.get('/api/v1/me').set('Authorization', auth));
    if (res.status === 200) break;
    expect({ status: res.status, code: res.body.error?.code, retryAfter: res.headers['retry-after'] }).toEqual({
      status: 503,
      code: 'DATABASE_UNAVAILABLE',
      retryAfter: expect.stringMatching(/^\d+$/),
    });
    expect(ms).toBeLessThan(2_000);
    times.push(ms);
    expect(Date.now() - killedAt).toBeLessThan(60_000);
  }
  expect(times.length).toBeGreaterThan(0);
  figures['killed: while restarting'] = `${times.length} calls, API ${Math.min(...times)}–${Math.max(...times)} ms, /readyz ${ready.ms} ms`;
  figures['killed: recovery (supervisor restart + driver reconnect)'] = `${Date.now() - killedAt} ms until GET /api/v1/me answered 200 again`;
  // the new process may answer a moment before the supervisor has recorded it
  await until('the supervisor recorded the restart', () => dbLog.some((l) => /restarted \(pid \d+\)/.test(l)));
  expect(db.pid!()).not.toBe(oldPid);
  expect(dbLog.some((l) => /stopped unexpectedly.*restarting/.test(l))).toBe(true);
  expect(dbLog.some((l) => /restarted \(pid \d+\)/.test(l))).toBe(true);
  const found = await http.get(`/api/v1/customers/${created.body.id as string}`).set('Authorization', auth);
  expect(found.status).toBe(200);
  expect(JSON.stringify(found.body)).toContain('重启前客户');
});

it('a database that stays away (stopped, nothing restarts it): every call 503 within 2 s, /readyz 503 within 1 s', async () => {
  await db.stop();
  await new Promise((r) => setTimeout(r, 200));
  await expectUnavailableEverywhere('dead (stopped for good)');
  // and it keeps answering so, without piling up
  await expectUnavailableEverywhere('dead, 2nd round');
});

it('isDatabaseUnavailable: driver outage errors yes, request errors no', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
  const table: Array<[string, unknown, boolean]> = [
    ['server selection', named('MongoServerSelectionError'), true],
    ['network', named('MongoNetworkError'), true],
    ['network timeout', named('MongoNetworkTimeoutError'), true],
    ['pool cleared', named('MongoPoolClearedError'), true],
    ['not connected', named('MongoNotConnectedError'), true],
    ['mongoose buffering', named('MongooseError', { message: 'Operation `users.findOne()` buffering timed out after 10000ms' }), true],
    ['maxTimeMS expired', named('MongoServerError', { code: 50 }), true],
    ['wrapped in a cause', new Error('outer', { cause: named('MongoNetworkError') }), true],
    ['duplicate key', named('MongoServerError', { code: 11000 }), false],
    ['cast error', named('CastError'), false],
    ['plain error', new Error('boom'), false],
    ['not an error', null, false],
  ];
  for (const [label, err, expected] of table) expect({ label, unavailable: isDatabaseUnavailable(err) }).toEqual({ label, unavailable: expected });
});
