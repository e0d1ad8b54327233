import { MongoClient } from 'mongodb';
import { Child, createCustomerVia, freePort, signedInHeaders, sleep, startStandIn } from '../helpers/child-process';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/**
 * A worker killed inside a send (issue #20): two `worker` processes and one `web` on one stand-in database,
 * short claims (REMINDER_LEASE_MS=4000). WeCom holds the reminder's message/send a while, and the worker that sent
 * it is killed with SIGKILL meanwhile; WeCom then completes it (the request had arrived in full: the card is out).
 * The other worker claims the reminder when the claim runs out and sends it again.
 *
 * Delivery is at-least-once, deduplicated by the platform: the card's task id is the same for every attempt at
 * one delivery, so the repeat gets WeCom's 42014 ("taskid has existed") when the first went through: the
 * member sees ONE card, and the survivor settles the reminder sent (once). Also: METRICS_PORT serves
 * /metrics on its own port and the worker's public port has none. Loopback only.
 */
const DB = 'crm_worker_kill';
const TEXT = '杀进程提醒';
/** Shorter than the claim: WeCom completes the killed worker's send (the card is out) before the survivor repeats it. */
const HOLD_MS = 2500;
const CLAIM_MS = 4000;
jest.setTimeout(120_000);

let dbPort: number;
let db: Child;
let client: MongoClient;
let fake: FakeWeComServer;
const children: Child[] = [];

async function startServer(role: 'web' | 'worker', env: Record<string, string>): Promise<{ child: Child; base: string; workerId: () => string }> {
  const port = await freePort();
  const child = new Child(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    PATH: process.env.PATH, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
    HOME: process.env.HOME, // eslint-disable-line no-restricted-properties -- handed to the child, not read as config
    NODE_ENV: 'development',
    JWT_SECRET: 'worker-kill-test-secret-0123456789abcdef0123',
    DEV_LOGIN: 'true',
    SEED_ON_EMPTY: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    PROCESS_ROLE: role,
    ...env,
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await child.waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, `the ${role}`, 60_000);
  return { child, base, workerId: () => /reminder scheduler (worker-[0-9a-f]{8})/.exec(child.out)?.[1] ?? '?' };
}

beforeAll(async () => {
  dbPort = await freePort();
  db = await startStandIn('memory', dbPort);
  client = await MongoClient.connect(`mongodb://127.0.0.1:${dbPort}`);
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
});

afterAll(async () => {
  await client?.close();
  for (const c of children) await c.kill9();
  await db?.kill9();
  await fake?.stop();
});

describe('a worker killed with SIGKILL inside a reminder send', () => {
  it('the other worker takes the reminder over when the claim runs out; the member gets one card', async () => {
    const env = {
      ...WECOM_TEST_ENV(fake.baseUrl),
      MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${DB}`,
      SCHEDULER_TICK_MS: '300',
      REMINDER_LEASE_MS: String(CLAIM_MS),
      QUIET_HOURS: 'off',
      WORKING_DAYS: '1-7',
    };
    const metricsPort = await freePort();
    const a = await startServer('worker', { ...env, SEED_ON_EMPTY: 'true', METRICS_PORT: String(metricsPort) });
    const [b, web] = await Promise.all([startServer('worker', env), startServer('web', env)]);

    // METRICS_PORT: the counters on their own port, none on the public one
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('crm_job_runs_total');
    expect((await fetch(`${a.base}/metrics`)).status).toBe(404);
    expect((await fetch(`${b.base}/metrics`)).status).toBe(200); // no METRICS_PORT there: the worker's own port serves it (development)

    // every message/send of the reminder's card; the first is held until its sender is dead
    const sends: string[] = [];
    fake.holdSend = (body) => {
      const card = body.template_card as { task_id?: string } | undefined;
      if (!card?.task_id || !JSON.stringify(body).includes(TEXT)) return 0;
      sends.push(card.task_id);
      return sends.length === 1 ? HOLD_MS : 0;
    };

    const auth = await signedInHeaders(web.base, 'demo-rep1');
    const customerId = await createCustomerVia(web.base, auth, '杀进程测试', '13900002222');
    const followUp = await fetch(`${web.base}/api/v1/follow-ups`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ customerId, type: 'call', content: '沟通', nextStep: { text: TEXT, dueAt: new Date(Date.now() + 1000).toISOString() } }),
    });
    expect(followUp.status).toBe(201);

    // one worker claimed it and is inside the send: kill that one
    await a.child.waitFor(() => sends.length === 1, 'the held send', 30_000);
    const reminders = client.db(DB).collection('reminders');
    const claimed = await reminders.findOne({ text: TEXT });
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    const [holder, survivor] = String(claimed!.leaseOwner).startsWith(`${a.workerId()}:`) ? [a, b] : [b, a];
    expect(String(claimed!.leaseOwner).startsWith(`${holder.workerId()}:`)).toBe(true);
    await holder.child.kill9();

    // the survivor re-claims after the claim runs out, repeats the send, gets 42014 and settles it once
    await survivor.child.waitFor(async () => (await reminders.findOne({ text: TEXT }))?.status === 'sent', 'the survivor’s delivery', 30_000);
    const settled = (await reminders.findOne({ text: TEXT }))!;
    expect(settled.attempts).toBe(2);
    expect(String(settled.leaseOwner).startsWith(`${survivor.workerId()}:`)).toBe(true);
    expect(survivor.child.out).not.toMatch(/reminder send failed/);

    expect(settled.delivery).toMatchObject({ channel: 'wecom', platformUserId: 'demo-rep1', messageId: null }); // WeCom had it: no new message
    expect(sends).toEqual([settled.delivery.taskId, settled.delivery.taskId]); // two attempts, one task id
    await sleep(1000);
    const cards = fake.delivered.filter((d) => d.msgtype === 'template_card' && JSON.stringify(d.body).includes(TEXT));
    expect(cards).toHaveLength(1);
    expect(cards[0]!.touser).toBe('demo-rep1');
  });
});
