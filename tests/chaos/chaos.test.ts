import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { Child, freePort, sleep, startStandIn } from '../helpers/child-process';

/**
 * Chaos: bursts of keyed creates (customers and follow-ups) against the real server in a child process,
 * `kill -9` of the API mid-burst, and separately of the database (the stand-in on its H2 file, restarted
 * on the same file and port); then every request is sent again with its Idempotency-Key until it is
 * answered. Checked: every acknowledged write exists exactly once, every retry answers 201 with the same
 * id as the first answer, nothing is doubled, and nothing is half-written (each follow-up has its audit
 * entry and its reminder, each customer its contact and audit entry, no pending effects left).
 * Loopback only; each scenario stays well under a minute.
 */
const DB_NAME = 'crm_chaos';
jest.setTimeout(120_000);

/** The stand-in on an H2 file: what survives its kill -9 is what it had written. */
const startDb = (file: string, port: number) => startStandIn(`h2:${file}`, port);

async function startApi(apiPort: number, dbPort: number): Promise<Child> {
  const api = new Child(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    // the child's environment is its whole configuration: only what it needs to find node and tsx, then ours
    PATH: process.env.PATH, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
    HOME: process.env.HOME, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
    NODE_ENV: 'development',
    MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${DB_NAME}`,
    JWT_SECRET: 'chaos-test-secret-0123456789abcdef0123456789',
    DEV_LOGIN: 'true',
    SEED_ON_EMPTY: 'true',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
  });
  await api.waitFor(async () => (await fetch(`http://127.0.0.1:${apiPort}/readyz`).catch(() => null))?.status === 200, 'the API', 90_000);
  return api;
}

interface Job {
  kind: 'customer' | 'follow-up';
  key: string;
  path: string;
  body: Record<string, unknown>;
  /** The first answer's 2xx status and id, if the first attempt was acknowledged. */
  acked?: { status: number; id: string };
  firstError?: string;
}

async function send(base: string, token: string, job: Job, timeoutMs = 5_000): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${job.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': job.key },
    body: JSON.stringify(job.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/dev-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'demo-rep1' }),
  });
  if (res.status !== 200) throw new Error(`dev-login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

function jobs(tag: string, customerId: string, n: number): Job[] {
  const due = new Date(Date.now() + 3 * 86_400_000).toISOString();
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0
      ? {
          kind: 'customer' as const,
          key: `chaos-${tag}-c-${i}`,
          path: '/api/v1/customers',
          body: {
            name: `混沌${tag}客户${i}`,
            company: `混沌${tag}第${i}号有限公司`,
            source: '官网',
            contacts: [{ name: `混沌${tag}客户${i}`, phones: [`139${tag === 'api' ? '1' : '2'}${String(10_000_000 + i).slice(1)}`] }],
          },
        }
      : {
          kind: 'follow-up' as const,
          key: `chaos-${tag}-f-${i}`,
          path: '/api/v1/follow-ups',
          body: { customerId, type: 'visit', content: `混沌${tag}拜访${i}`, nextStep: { text: '回访', dueAt: due } },
        },
  );
}

/** Sends the jobs with a few workers; calls `crash` once `crashAfter` of them were acknowledged. */
async function burst(base: string, token: string, all: Job[], crashAfter: number, crash: () => Promise<void>): Promise<void> {
  const queue = [...all];
  let acked = 0;
  let crashing: Promise<void> | null = null;
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        const r = await send(base, token, job, 3_000);
        if (r.status >= 200 && r.status < 300) {
          job.acked = { status: r.status, id: String(r.body.id) };
          if (++acked === crashAfter) crashing = crash();
        } else job.firstError = `${r.status} ${JSON.stringify(r.body).slice(0, 120)}`;
      } catch (err) {
        job.firstError = String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  await crashing;
}

/** Sends every job again with its key until it is answered (409 in progress, 503 and lost connections retried). */
async function retryAll(base: string, token: string, all: Job[], deadlineMs = 40_000): Promise<Map<Job, { status: number; id: string }>> {
  const until = Date.now() + deadlineMs;
  const answers = new Map<Job, { status: number; id: string }>();
  for (const job of all) {
    let last = '';
    while (!answers.has(job)) {
      if (Date.now() > until) throw new Error(`no answer for ${job.key}: ${last}`);
      try {
        const r = await send(base, token, job);
        if (r.status >= 200 && r.status < 300) answers.set(job, { status: r.status, id: String(r.body.id) });
        else if (r.status === 409 && (r.body.error as { code?: string })?.code === 'IDEMPOTENCY_IN_PROGRESS') last = '409 in progress';
        else if (r.status >= 500) last = `${r.status}`;
        else throw new Error(`${job.key}: ${r.status} ${JSON.stringify(r.body)}`);
      } catch (err) {
        if (String(err).includes(job.key)) throw err;
        last = String(err);
      }
      if (!answers.has(job)) await sleep(250);
    }
  }
  return answers;
}

/** What the database holds for the jobs: each record once, whole. */
async function audit(uri: string, all: Job[]) {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    const db = client.db(DB_NAME);
    const problems: string[] = [];
    const ids = new Map<Job, string>();
    for (const job of all) {
      const coll = job.kind === 'customer' ? 'customers' : 'follow_ups';
      const filter = job.kind === 'customer' ? { name: job.body.name } : { content: job.body.content };
      const rows = await db.collection(coll).find(filter).toArray();
      if (rows.length !== 1) {
        problems.push(`${job.key}: ${rows.length} records`);
        continue;
      }
      const row = rows[0]!;
      ids.set(job, String(row._id));
      if (row.pendingEffects || row.pendingCreate) problems.push(`${job.key}: effects still pending`);
      if (!(await db.collection('audit_log').countDocuments({ _id: row._id }))) problems.push(`${job.key}: no audit entry`);
      if (job.kind === 'follow-up' && !(await db.collection('reminders').countDocuments({ dedupeKey: `next-step:${String(row._id)}` })))
        problems.push(`${job.key}: no reminder`);
      if (job.kind === 'customer' && !(await db.collection('contacts').countDocuments({ customerId: row._id }))) problems.push(`${job.key}: no contact`);
    }
    return { problems, ids };
  } finally {
    await client.close();
  }
}

describe('chaos: kill -9 mid-burst, restart, retry with keys', () => {
  let dir: string;
  const children: Child[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crm-chaos-'));
  });
  afterAll(async () => {
    for (const c of children) await c.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['the API process', 'api'],
    ['the database process', 'db'],
  ])('kill -9 of %s: 0 acknowledged writes lost, 0 doubled, 0 half-written', async (_label, victim) => {
    const started = Date.now();
    const dbPort = await freePort();
    const apiPort = await freePort();
    const base = `http://127.0.0.1:${apiPort}`;
    const file = path.join(dir, `${victim}.h2.mv.db`);
    let db = await startDb(file, dbPort);
    children.push(db);
    let api = await startApi(apiPort, dbPort);
    children.push(api);
    const token = await login(base);
    const customer = await fetch(`${base}/api/v1/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: `混沌${victim}`, company: `混沌${victim}基地有限公司`, source: '官网', contacts: [] }),
    });
    expect(customer.status).toBe(201);
    const customerId = ((await customer.json()) as { id: string }).id;

    const all = jobs(victim, customerId, 60);
    const t0 = Date.now();
    await burst(base, token, all, 15, async () => {
      if (victim === 'api') {
        await api.kill9();
        api = await startApi(apiPort, dbPort);
        children.push(api);
      } else {
        await db.kill9();
        await sleep(500);
        db = await startDb(file, dbPort);
        children.push(db);
      }
    });
    const acked = all.filter((j) => j.acked);
    const answers = await retryAll(base, token, all);
    const elapsed = Date.now() - t0;

    // every retry answers with the same record as the first answer (when there was one)
    for (const job of all) {
      const a = answers.get(job)!;
      expect({ key: job.key, status: a.status }).toEqual({ key: job.key, status: 201 });
      if (job.acked) expect({ key: job.key, id: a.id }).toEqual({ key: job.key, id: job.acked.id });
    }
    const { problems, ids } = await audit(`mongodb://127.0.0.1:${dbPort}`, all);
    expect(problems).toEqual([]);
    for (const job of all) expect({ key: job.key, id: ids.get(job) }).toEqual({ key: job.key, id: answers.get(job)!.id });

    process.stdout.write(
      `[chaos ${victim}] ${all.length} keyed creates, ${acked.length} acknowledged before or around the kill, ` +
        `${all.length - acked.length} unanswered and retried; burst + restart + retries ${elapsed} ms; scenario ${Date.now() - started} ms\n`,
    );
    await api.kill9();
    await db.kill9();
  });
});
