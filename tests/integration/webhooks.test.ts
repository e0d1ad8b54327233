import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWebhookTarget, verifySignature, WebhookTargetRefused, type WebhookResolver } from '@crm/api';
import { buildSystem, silentLogger } from '@crm/server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';

/**
 * Outbound webhooks against a local receiver: the audit log is the outbox (dispatch), deliveries are signed
 * and retried with backoff (send), a record's events go out in order, replay sends the same event again,
 * a process that stops between the write and the delivery still delivers, and the SSRF guard refuses
 * private targets in production settings.
 */

type Received = { headers: http.IncomingHttpHeaders; body: string; json: { id: string; type: string; time: string; data: Record<string, unknown> } };

/** A receiver whose answers are scripted: each request takes the next behaviour (default 200). */
class Receiver {
  readonly received: Received[] = [];
  readonly script: Array<number | 'hang'> = [];
  private server!: http.Server;
  private readonly hanging: http.ServerResponse[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const step = this.script.shift() ?? 200;
        if (step === 'hang') {
          this.hanging.push(res);
          return;
        }
        this.received.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
        res.statusCode = step;
        res.end(step >= 500 ? 'x'.repeat(10_000) : 'ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  types(): string[] {
    return this.received.map((r) => r.json.type);
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let t: TestApp;
let offset = 0;
const clock = () => new Date(Date.now() + offset);
const advance = (ms: number) => (offset += ms);
const as = async (login: string) => ({ Authorization: await t.login(login) });
let receiver: Receiver;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_TIMEOUT_MS: '300' }, { now: clock });
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await receiver.stop();
  await t.close();
});

async function register(events: string[], url = receiver.url) {
  const res = await t.http
    .post('/api/v1/webhooks')
    .set(await as('demo-admin'))
    .send({ url, events, secret: 'test-secret-0123456789' });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

let customerSeq = 0;
async function newCustomer(login = 'demo-rep1') {
  customerSeq++;
  const res = await t.http
    .post('/api/v1/customers')
    .set(await as(login))
    .send({ name: `钩子客户${customerSeq}`, source: '展会', company: `杭州钩子${customerSeq}号科技有限公司` });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const pass = async () => {
  await t.services.webhooks.dispatch();
  return t.services.webhooks.send();
};
const deliveriesOf = async (endpointId: string) =>
  (await t.http.get(`/api/v1/webhooks/${endpointId}/deliveries?limit=100`).set(await as('demo-admin'))).body.items as Array<Record<string, unknown>>;

afterEach(async () => {
  // each test starts with no endpoint and nothing due
  for (const e of (await t.http.get('/api/v1/webhooks').set(await as('demo-admin'))).body.items as Array<{ id: string }>)
    await t.http.delete(`/api/v1/webhooks/${e.id}`).set(await as('demo-admin'));
  receiver.received.length = 0;
  receiver.script.length = 0;
  advance(25 * 3600_000); // leftovers of a test are out of the next one's window
});

describe('endpoints', () => {
  it('admins register, list, change and delete endpoints; the secret is shown once; others are refused', async () => {
    const admin = await as('demo-admin');
    expect((await t.http.get('/api/v1/webhooks').set(await as('demo-rep1'))).status).toBe(403);
    expect(
      (
        await t.http
          .post('/api/v1/webhooks')
          .set(await as('demo-manager'))
          .send({ url: receiver.url, events: ['customer.created'] })
      ).status,
    ).toBe(403);
    const created = await t.http
      .post('/api/v1/webhooks')
      .set(admin)
      .send({ url: receiver.url, events: ['customer.created', 'customer.created'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(created.body.events).toEqual(['customer.created']);
    expect(created.body.secretHint).toBe(`…${(created.body.secret as string).slice(-4)}`);
    const got = await t.http.get(`/api/v1/webhooks/${created.body.id}`).set(admin);
    expect(got.body.secret).toBeUndefined();
    const patched = await t.http
      .patch(`/api/v1/webhooks/${created.body.id}`)
      .set(admin)
      .send({ events: ['customer.updated'], active: false });
    expect(patched.body).toMatchObject({ events: ['customer.updated'], active: false });
    expect(
      (
        await t.http
          .post('/api/v1/webhooks')
          .set(admin)
          .send({ url: receiver.url, events: ['no.such.event'] })
      ).status,
    ).toBe(400);
    expect((await t.http.delete(`/api/v1/webhooks/${created.body.id}`).set(admin)).status).toBe(200);
    expect((await t.http.get(`/api/v1/webhooks/${created.body.id}`).set(admin)).status).toBe(404);
    const audit = await t.http.get(`/api/v1/audit?entityType=webhook&entityId=${created.body.id}`).set(admin);
    expect((audit.body.items as Array<{ action: string }>).map((e) => e.action).sort()).toEqual(['webhook.create', 'webhook.delete', 'webhook.update']);
  });
});

describe('delivery', () => {
  it('sends a signed JSON body {id, type, time, data} with the record as the API shows it; the signature verifies', async () => {
    const ep = await register(['customer.created', 'customer.updated']);
    const c = await newCustomer();
    await pass();
    expect(receiver.types()).toEqual(['customer.created']);
    const got = receiver.received[0]!;
    expect(got.json).toMatchObject({ type: 'customer.created', data: { id: c.id, name: `钩子客户${customerSeq}` } });
    expect(got.headers['x-crm-event-id']).toBe(got.json.id);
    expect(got.headers['content-type']).toBe('application/json');
    const sig = String(got.headers['x-crm-signature']);
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const t0 = Number(/t=(\d+)/.exec(sig)![1]);
    expect(verifySignature(ep.secret, sig, got.body, t0)).toBe(true);
    expect(verifySignature('wrong-secret-0123456789', sig, got.body, t0)).toBe(false);
    expect(verifySignature(ep.secret, sig, got.body.replace('钩子', '钓子'), t0)).toBe(false);
    expect(verifySignature(ep.secret, sig, got.body, t0 + 3600)).toBe(false); // replayed an hour later
    // nothing twice: another dispatch pass (the look-back sees the same entry) writes no second delivery
    await pass();
    expect(receiver.received).toHaveLength(1);
    const log = await deliveriesOf(ep.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, eventId: got.json.id });
  });

  it('maps the audited changes to their events (owner changed, released, claimed, follow-up, deal won)', async () => {
    await register(['customer.owner_changed', 'customer.released', 'customer.claimed', 'follow_up.created', 'opportunity.stage_changed', 'opportunity.won']);
    const c = await newCustomer();
    const rep1 = await as('demo-rep1');
    expect((await t.http.post('/api/v1/follow-ups').set(rep1).send({ customerId: c.id, type: 'call', content: '电话沟通需求' })).status).toBe(201);
    const deal = await t.http.post('/api/v1/opportunities').set(rep1).send({ customerId: c.id, name: '钩子项目', amountFen: 100_000, stage: 'needs' });
    expect(deal.status).toBe(201);
    expect((await t.http.post(`/api/v1/opportunities/${deal.body.id}/stage`).set(rep1).send({ stage: 'won' })).status).toBe(200);
    expect((await t.http.post(`/api/v1/customers/${c.id}/release`).set(rep1).send({ reason: '暂无预算' })).status).toBe(200);
    expect((await t.http.post(`/api/v1/customers/${c.id}/claim`).set(await as('demo-rep2'))).status).toBe(200);
    const rep1Id = String(t.seeded.org.users.get('demo-rep1'));
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${c.id}/transfer`)
          .set(await as('demo-manager'))
          .send({ ownerId: rep1Id, reason: '回到原负责人' })
      ).status,
    ).toBe(200);
    for (let i = 0; i < 6; i++) await pass();
    expect(receiver.types()).toEqual([
      'follow_up.created',
      'opportunity.stage_changed',
      'opportunity.won',
      'customer.released',
      'customer.claimed',
      'customer.owner_changed',
    ]);
    const won = receiver.received.find((r) => r.json.type === 'opportunity.won')!;
    expect(won.json.data).toMatchObject({ id: deal.body.id, stage: 'won' });
  });

  it('retries after a 500 and after a timeout with growing waits, keeping the capped answer in the log', async () => {
    const ep = await register(['customer.created']);
    receiver.script.push(500, 'hang');
    await newCustomer();
    await pass();
    let [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500 });
    const log = d!.log as Array<{ status: number; response: string }>;
    expect(log[0]!.response.length).toBe(2048); // the 10 KB answer, capped
    // not before its time
    await pass();
    expect((await deliveriesOf(ep.id))[0]).toMatchObject({ attempts: 1 });
    advance(31_000);
    await pass(); // the receiver hangs: timed out
    [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 2, lastStatus: null });
    expect(String(d!.lastError)).toMatch(/timeout/);
    const lastTry = (d!.log as Array<{ at: string }>).at(-1)!.at;
    expect(new Date(String(d!.nextAttemptAt)).getTime() - new Date(lastTry).getTime()).toBe(60_000); // 30 s, then 60 s
    advance(61_000);
    await pass();
    [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(receiver.types()).toEqual(['customer.created', 'customer.created']); // the 500 one and the good one (the hung one never finished)
    expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(1); // one event id throughout
  });

  it('gives up after 24 hours: the delivery ends failed', async () => {
    const ep = await register(['customer.created']);
    receiver.script.push(...Array<number>(40).fill(503));
    await newCustomer();
    await pass();
    for (let i = 0; i < 40; i++) {
      advance(3600_000);
      await pass();
      if ((await deliveriesOf(ep.id))[0]!.status === 'failed') break;
    }
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: 'failed', lastStatus: 503 });
    expect(Number(d!.attempts)).toBeGreaterThan(10);
    expect(new Date(String(d!.retryUntil)).getTime()).toBeLessThanOrEqual(clock().getTime() + 3600_000);
  });

  it('delivers a record’s events in order: a later event waits while an earlier one is retrying', async () => {
    const ep = await register(['customer.created', 'customer.updated']);
    const a = await newCustomer();
    const b = await newCustomer();
    receiver.script.push(500); // a's created fails once
    await t.http
      .patch(`/api/v1/customers/${a.id}`)
      .set(await as('demo-rep1'))
      .send({ industry: '软件' });
    await pass();
    // a.created failed; a.updated waits; b.created (another record) is not held up
    expect(receiver.received.map((r) => `${r.json.type}:${String(r.json.data.id)}`)).toEqual([`customer.created:${a.id}`, `customer.created:${b.id}`]);
    const waiting = (await deliveriesOf(ep.id)).find((d) => d.type === 'customer.updated')!;
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
    advance(31_000);
    await pass();
    expect(receiver.received.slice(2).map((r) => `${r.json.type}:${String(r.json.data.id)}`)).toEqual([`customer.created:${a.id}`, `customer.updated:${a.id}`]);
  });

  it('replays a delivery on request: the same event id and body go out again', async () => {
    const ep = await register(['customer.created']);
    await newCustomer();
    await pass();
    const [d] = await deliveriesOf(ep.id);
    const replay = await t.http.post(`/api/v1/webhooks/${ep.id}/deliveries/${String(d!.id)}/replay`).set(await as('demo-admin'));
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ status: 'pending', attempts: 0 });
    await pass();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(receiver.received[1]!.headers['x-crm-event-id']).toBe(receiver.received[0]!.headers['x-crm-event-id']);
    expect((await t.http.post(`/api/v1/webhooks/${ep.id}/deliveries/${String(d!.id)}/replay`).set(await as('demo-rep1'))).status).toBe(403);
  });

  it('a process that stops between the write and the delivery still delivers: another process picks it up', async () => {
    const ep = await register(['customer.created']);
    // 1. the change is written (audited) and the process dies before any dispatch
    const c = await newCustomer();
    // 2. a second process on the same database dispatches and sends
    const other = buildSystem(t.config, { connection: t.conn, databaseKind: TEST_DB_KIND, logger: silentLogger(), now: clock });
    await other.services.webhooks.dispatch();
    // 3. … and dies while sending: the delivery is left `sending` with its lease
    await t.conn
      .collection('webhook_deliveries')
      .updateOne({ endpointId: new (await import('mongoose')).Types.ObjectId(ep.id) }, { $set: { status: 'sending', leaseUntil: clock() } });
    advance(1000);
    expect(await other.services.webhooks.send()).toBe(1);
    expect(receiver.received.map((r) => r.json.data.id)).toEqual([c.id]);
    expect((await deliveriesOf(ep.id))[0]).toMatchObject({ status: 'delivered' });
    await other.stop();
  });
});

describe('SSRF guard', () => {
  const fakeDns: WebhookResolver = async (host) => {
    const table: Record<string, string[]> = {
      'intranet.example.com': ['192.168.1.5'],
      'mixed.example.com': ['93.184.216.34', '10.1.2.3'],
      'public.example.com': ['93.184.216.34'],
      'v6.example.com': ['2606:2800:220:1:248:1893:25c8:1946'],
    };
    const hit = table[host];
    if (!hit) throw new Error('ENOTFOUND');
    return hit.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const refused: Array<[string, string]> = [
    ['https://10.0.0.8/hook', 'private-address'],
    ['https://127.0.0.1/hook', 'private-address'],
    ['https://169.254.169.254/latest/meta-data', 'private-address'],
    ['https://[::1]/hook', 'private-address'],
    ['https://[fc00::1]/hook', 'private-address'],
    ['https://[::ffff:10.0.0.1]/hook', 'private-address'],
    ['https://100.64.0.1/hook', 'private-address'],
    ['https://0.0.0.0/hook', 'private-address'],
    ['https://intranet.example.com/hook', 'private-address'],
    ['https://mixed.example.com/hook', 'private-address'],
    ['http://public.example.com/hook', 'scheme'],
    ['ftp://public.example.com/hook', 'scheme'],
    ['https://user:pw@public.example.com/hook', 'url'],
    ['https://nowhere.example.com/hook', 'unresolvable'],
  ];
  it.each(refused)('refuses %s (%s) in production settings', async (url, reason) => {
    await expect(checkWebhookTarget(url, { allowPrivate: false, resolve: fakeDns })).rejects.toMatchObject({ name: 'WebhookTargetRefused', reason });
  });
  it.each([
    ['https://public.example.com/hook', '93.184.216.34'],
    ['https://v6.example.com/hook', '2606:2800:220:1:248:1893:25c8:1946'],
    ['https://93.184.216.34:8443/x', '93.184.216.34'],
  ])('accepts %s and pins the connection to %s', async (url, address) => {
    expect((await checkWebhookTarget(url, { allowPrivate: false, resolve: fakeDns })).address).toBe(address);
  });
  it('allows http and loopback only when configured (development, tests)', async () => {
    expect((await checkWebhookTarget('http://127.0.0.1:9/x', { allowPrivate: true })).address).toBe('127.0.0.1');
    await expect(checkWebhookTarget('http://127.0.0.1:9/x', { allowPrivate: false })).rejects.toBeInstanceOf(WebhookTargetRefused);
  });

  it('with WEBHOOK_ALLOW_PRIVATE=false the API refuses a private URL with 400 and a reason', async () => {
    const prod = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
    try {
      const admin = { Authorization: await prod.login('demo-admin') };
      for (const url of ['https://10.0.0.8/hook', 'https://127.0.0.1/hook', 'http://example.com/hook', 'https://[::1]/x']) {
        const res = await prod.http
          .post('/api/v1/webhooks')
          .set(admin)
          .send({ url, events: ['customer.created'] });
        expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 400, code: 'VALIDATION_FAILED' });
      }
    } finally {
      await prod.close();
    }
  });

  it('connects to the address it checked, not to what the name resolves to later (no DNS rebinding)', async () => {
    const { postPinned } = await import('../../api/src/modules/webhook/webhook.sender');
    const port = new URL(receiver.url).port;
    // the name is checked once (→ 127.0.0.1 here); the socket never asks DNS again
    const target = await checkWebhookTarget(`http://rebind.invalid:${port}/hook`, {
      allowPrivate: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const r = await postPinned(target, JSON.stringify({ id: 'x', type: 't', time: 'now', data: {} }), {}, { timeoutMs: 2000, capBytes: 100 });
    expect(r.status).toBe(200);
    expect(receiver.received.at(-1)!.headers.host).toBe(`rebind.invalid:${port}`);
  });
});
