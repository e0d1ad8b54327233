import mongoose from 'mongoose';
import { buildSystem, silentLogger } from '@crm/server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';

/**
 * Pools (公海), issue #18: every reclaim rule on a fake clock (follow-up, new deal, contract end, warning,
 * lock, never-tier), claims with their limits and cooldown, pool scopes and hidden contacts, and the reclaim
 * job run by two systems on one database at once.
 */
const DAY = 86_400_000;
const T0 = new Date('2026-03-02T02:00:00.000Z');
let clock = T0;
let t: TestApp;
const at = (days: number) => new Date(T0.getTime() + days * DAY);

beforeAll(async () => {
  t = await startTestApp({}, { now: () => clock });
});
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });
const uid = (login: string) => String(t.seeded.org.users.get(login));
let n = 0;

async function newCustomer(login: string, body: Record<string, unknown> = {}): Promise<string> {
  n++;
  const res = await t.http
    .post('/api/v1/customers')
    .set(await as(login))
    .send({
      source: '展会',
      name: `客户${n}`,
      company: `测试${n}号贸易有限公司`,
      tier: 'C',
      contacts: [{ name: `联系人${n}`, phones: [`1391000${String(n).padStart(4, '0')}`] }],
      ...body,
    });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function followUp(login: string, customerId: string) {
  const res = await t.http
    .post('/api/v1/follow-ups')
    .set(await as(login))
    .send({ customerId, type: 'call', content: '电话沟通需求' });
  expect(res.status).toBe(201);
}

async function state(id: string) {
  const c = await t.conn.collection('customers').findOne({ _id: new mongoose.Types.ObjectId(id) });
  return { status: c!.status as string, ownerId: c!.ownerId ? String(c!.ownerId) : null, poolId: (c!.poolId as string | null) ?? null };
}

async function auditActions(id: string): Promise<string[]> {
  const page = await t.services.audit.list({ entityType: 'customer', entityId: id, limit: 100 });
  return page.items.map((e) => e.action);
}

async function runAt(days: number) {
  clock = at(days);
  return t.services.pools.run(clock);
}

describe('reclaim rules (fake clock)', () => {
  beforeEach(() => {
    clock = T0;
  });

  it('C tier in the company pool: warned 3 days before 15 days without a follow-up, then returned with the reason', async () => {
    const id = await newCustomer('demo-rep1');
    await runAt(11);
    expect(await auditActions(id)).not.toContain('customer.reclaim-warning');
    const r12 = await runAt(12);
    expect(r12.warned).toBeGreaterThanOrEqual(1);
    expect(await auditActions(id)).toContain('customer.reclaim-warning');
    const view = await t.http.get(`/api/v1/customers/${id}`).set(await as('demo-rep1'));
    expect(view.status).toBe(200);
    expect(view.body.reclaimWarning).toMatchObject({ inDays: 3, reason: '15 天未跟进', text: '3 天后将退回公海：15 天未跟进' });
    // a second pass warns no more
    await runAt(13);
    expect((await auditActions(id)).filter((a) => a === 'customer.reclaim-warning')).toHaveLength(1);
    await runAt(14.9);
    expect((await state(id)).status).toBe('owned');
    await runAt(15.01);
    expect(await state(id)).toEqual({ status: 'pool', ownerId: null, poolId: 'company' });
    const page = await t.services.audit.list({ entityType: 'customer', entityId: id, limit: 100 });
    const reclaim = page.items.find((e) => e.action === 'customer.reclaim')!;
    expect(reclaim.note).toBe('15 天未跟进，自动退回公海');
    expect(reclaim.channel).toBe('system');
    // its contacts and records follow the customer's scope (owner cleared)
    const contacts = await t.conn
      .collection('contacts')
      .find({ customerId: new mongoose.Types.ObjectId(id) })
      .toArray();
    expect(contacts.every((c) => c.ownerId === null)).toBe(true);
  });

  it('a follow-up resets the clock (the later of the last follow-up and the claim)', async () => {
    const id = await newCustomer('demo-rep1');
    clock = at(10);
    await followUp('demo-rep1', id);
    await runAt(15.5);
    expect((await state(id)).status).toBe('owned');
    await runAt(24.9);
    expect((await state(id)).status).toBe('owned');
    await runAt(25.1);
    expect((await state(id)).status).toBe('pool');
  });

  it('a claim restarts the clock: claimed on day 20, kept until day 35', async () => {
    const id = await newCustomer('demo-rep1');
    clock = at(1);
    await followUp('demo-rep1', id);
    const rel = await t.http
      .post(`/api/v1/customers/${id}/release`)
      .set(await as('demo-rep1'))
      .send({ reason: '不做了' });
    expect(rel.status).toBe(200);
    clock = at(20);
    const claim = await t.http.post(`/api/v1/pools/customers/${id}/claim`).set(await as('demo-rep2'));
    expect(claim.status).toBe(200);
    await runAt(34.9);
    expect(await state(id)).toMatchObject({ status: 'owned', ownerId: uid('demo-rep2') });
    await runAt(35.1);
    expect((await state(id)).status).toBe('pool');
  });

  it('no new opportunity for 60 days returns it even with follow-ups; a new deal pushes it back', async () => {
    const a = await newCustomer('demo-rep1');
    const b = await newCustomer('demo-rep1');
    for (let d = 10; d <= 60; d += 10) {
      clock = at(d);
      await followUp('demo-rep1', a);
      await followUp('demo-rep1', b);
      if (d === 50) {
        const res = await t.http
          .post('/api/v1/opportunities')
          .set(await as('demo-rep1'))
          .send({ customerId: b, name: '年度采购', amountFen: 1_000_000 });
        expect(res.status).toBe(201);
      }
      await runAt(d);
    }
    await runAt(60.1);
    expect((await state(a)).status).toBe('pool');
    expect((await state(b)).status).toBe('owned');
    const page = await t.services.audit.list({ entityType: 'customer', entityId: a, limit: 100 });
    expect(page.items.find((e) => e.action === 'customer.reclaim')!.note).toBe('60 天没有新商机，自动退回公海');
  });

  it('M days after the contract ends (合同到期日 of a signed contract)', async () => {
    const id = await newCustomer('demo-rep1');
    // the rep files a contract ending on day 5; it counts once signed (a draft's end date starts no clock)
    const created = await t.http
      .post('/api/v1/contracts')
      .set(await as('demo-rep1'))
      .send({ customerId: id, number: `HT-END-${n}`, title: '年度服务合同', amountFen: 1_000_000, endsAt: at(5).toISOString() });
    expect(created.status).toBe(201);
    expect(created.body.endsAt).toBe(at(5).toISOString());
    const contractId = new mongoose.Types.ObjectId(created.body.id as string);
    const clockOf = async () => (await t.conn.collection('pool_clocks').findOne({ _id: new mongoose.Types.ObjectId(id) }))!.contractEndsAt as Date | null;
    expect(await clockOf()).toBeNull();
    const meta = { requestId: 'pool-contract-end', channel: 'system' as const, actorId: null };
    await t.services.contracts.followApproval(meta, contractId, 'pending_approval', null);
    await t.services.contracts.followApproval(meta, contractId, 'approved', null);
    const signed = await t.http.post(`/api/v1/contracts/${String(contractId)}/sign`).set(await as('demo-rep1'));
    expect(signed.status).toBe(200);
    expect(await clockOf()).toEqual(at(5));
    // follow-ups every 10 days keep the follow-up rule away; C tier: 30 days after the contract's end (day 5)
    for (const d of [10, 20, 30]) {
      clock = at(d);
      await followUp('demo-rep1', id);
      await runAt(d);
    }
    await runAt(34.9);
    expect((await state(id)).status).toBe('owned');
    await runAt(35.1);
    expect((await state(id)).status).toBe('pool');
    const page = await t.services.audit.list({ entityType: 'customer', entityId: id, limit: 100 });
    expect(page.items.find((e) => e.action === 'customer.reclaim')!.note).toBe('合同到期已 30 天，自动退回公海');
  });

  it('locked customers and never-tier customers (A in the 华南 pool) are never reclaimed', async () => {
    const locked = await newCustomer('demo-rep1');
    const lock = await t.http
      .put(`/api/v1/pools/locks/${locked}`)
      .set(await as('demo-manager'))
      .send({ locked: true });
    expect(lock.status).toBe(200);
    expect(await auditActions(locked)).toContain('customer.lock');
    // a rep may not lock
    expect(
      (
        await t.http
          .put(`/api/v1/pools/locks/${locked}`)
          .set(await as('demo-rep1'))
          .send({ locked: false })
      ).status,
    ).toBe(403);
    const keyAccount = await newCustomer('demo-rep3', { tier: 'A' });
    await runAt(400);
    expect((await state(locked)).status).toBe('owned');
    expect((await state(keyAccount)).status).toBe('owned');
    // unlocked: the clock runs again (from the claim: long past) and the next pass returns it
    clock = at(400);
    expect(
      (
        await t.http
          .put(`/api/v1/pools/locks/${locked}`)
          .set(await as('demo-manager'))
          .send({ locked: false })
      ).status,
    ).toBe(200);
    await runAt(400.1);
    expect((await state(locked)).status).toBe('pool');
  });
});

describe('claims: pools, limits, cooldown, hidden contacts', () => {
  let pooled: string[] = [];
  beforeAll(async () => {
    clock = at(500);
    pooled = [];
    for (let i = 0; i < 4; i++) {
      const id = await newCustomer('demo-rep1', { region: { province: '浙江', city: '杭州' }, industry: '制造业' });
      pooled.push(id);
    }
    await runAt(520); // 20 days without a follow-up: all four back in the company pool
    for (const id of pooled) expect(await state(id)).toMatchObject({ status: 'pool', poolId: 'company' });
  });

  it('only members browse a pool; contacts stay hidden until claimed', async () => {
    const list = await t.http.get('/api/v1/pools').set(await as('demo-rep1'));
    expect(list.body.items.map((p: { key: string }) => p.key)).toEqual(['company']);
    const rep3 = await t.http.get('/api/v1/pools').set(await as('demo-rep3'));
    expect(rep3.body.items.map((p: { key: string }) => p.key).sort()).toEqual(['company', 'south']);
    const page = await t.http.get('/api/v1/pools/company/customers?limit=50').set(await as('demo-rep2'));
    expect(page.status).toBe(200);
    const row = page.body.items.find((c: { id: string }) => c.id === pooled[0]);
    expect(row).toMatchObject({ contact: null, contactHidden: true, returnReason: '15 天未跟进', status: 'pool' });
    expect(JSON.stringify(page.body)).not.toMatch(/1391000/);
    // the 360 view of a pool customer shows no contacts either
    const view = await t.http.get(`/api/v1/customers/${pooled[0]}`).set(await as('demo-rep2'));
    expect(view.body.contacts).toEqual([]);
    // east reps are not members of the 华南 pool: 404, like any record out of scope; partners see no pool
    expect((await t.http.get('/api/v1/pools/south/customers').set(await as('demo-rep1'))).status).toBe(404);
    expect((await t.http.get('/api/v1/pools').set(await as('demo-partner'))).body.items).toEqual([]);
    // the customer list and the 360 view keep to the same pools (scope-all viewers and admins see every pool)
    const south = await newCustomer('demo-rep3');
    await t.http
      .post(`/api/v1/customers/${south}/release`)
      .set(await as('demo-rep3'))
      .send({});
    expect((await t.http.get(`/api/v1/customers/${south}`).set(await as('demo-rep1'))).status).toBe(404);
    expect((await t.http.get(`/api/v1/customers/${south}`).set(await as('demo-rep3'))).status).toBe(200);
    expect((await t.http.get(`/api/v1/customers/${south}`).set(await as('demo-finance'))).status).toBe(200);
    const listed = async (login: string) =>
      ((await t.http.get('/api/v1/customers?status=pool&limit=100').set(await as(login))).body.items as Array<{ id: string }>).map((c) => c.id);
    expect(await listed('demo-rep1')).not.toContain(south);
    expect(await listed('demo-rep1')).toContain(pooled[0]);
    expect(await listed('demo-rep3')).toContain(south);
    expect(await listed('demo-admin')).toContain(south);
    expect((await t.http.post(`/api/v1/customers/${south}/claim`).set(await as('demo-rep1'))).status).toBe(404);
    // configurable: shown before a claim when the configuration says so
    t.config.pools.hideContactsUntilClaimed = false;
    try {
      const open = await t.http.get('/api/v1/pools/company/customers?limit=50').set(await as('demo-rep2'));
      expect(open.body.items.find((c: { id: string }) => c.id === pooled[0]).contact).toMatch(/13910000/);
    } finally {
      t.config.pools.hideContactsUntilClaimed = true;
    }
  });

  it('公海 near the rep: provinces and industries of their own customers first', async () => {
    const near = await t.http.get('/api/v1/pools/near').set(await as('demo-rep2'));
    expect(near.status).toBe(200);
    expect(near.body.items.length).toBeGreaterThan(0);
  });

  it('the previous owner waits out the cooldown; others claim up to the daily limit', async () => {
    clock = at(521);
    const cooldown = await t.http.post(`/api/v1/pools/customers/${pooled[0]}/claim`).set(await as('demo-rep1'));
    expect(cooldown.status).toBe(409);
    expect(cooldown.body.error.code).toBe('POOL_COOLDOWN');
    t.config.pools.claimsPerDay = 2;
    try {
      const ok1 = await t.http.post(`/api/v1/pools/customers/${pooled[0]}/claim`).set(await as('demo-rep2'));
      const ok2 = await t.http.post(`/api/v1/customers/${pooled[1]}/claim`).set(await as('demo-rep2')); // the customer API claims through the same guard
      expect([ok1.status, ok2.status]).toEqual([200, 200]);
      const third = await t.http.post(`/api/v1/pools/customers/${pooled[2]}/claim`).set(await as('demo-rep2'));
      expect(third.status).toBe(409);
      expect(third.body.error.code).toBe('CLAIM_LIMIT');
      expect(await auditActions(pooled[0]!)).toContain('customer.claim');
      // the next business day the limit starts again
      clock = at(522);
      expect((await t.http.post(`/api/v1/pools/customers/${pooled[2]}/claim`).set(await as('demo-rep2'))).status).toBe(200);
    } finally {
      t.config.pools.claimsPerDay = 10;
    }
    // after the cooldown the previous owner may claim again
    clock = at(521 + 7);
    expect((await t.http.post(`/api/v1/pools/customers/${pooled[3]}/claim`).set(await as('demo-rep1'))).status).toBe(200);
  });

  it('the maximum number of owned customers', async () => {
    clock = at(600);
    const id = await newCustomer('demo-rep3');
    await t.http
      .post(`/api/v1/customers/${id}/release`)
      .set(await as('demo-rep3'))
      .send({});
    expect(await state(id)).toMatchObject({ status: 'pool', poolId: 'south' });
    await newCustomer('demo-director');
    t.config.pools.maxOwned = 1;
    try {
      const res = await t.http.post(`/api/v1/pools/customers/${id}/claim`).set(await as('demo-rep2'));
      expect(res.status).toBe(404); // rep2 is not a member of the 华南 pool
      const full = await t.http.post(`/api/v1/pools/customers/${id}/claim`).set(await as('demo-director'));
      expect(full.status).toBe(409);
      expect(full.body.error.code).toBe('POOL_MAX_OWNED');
    } finally {
      t.config.pools.maxOwned = 200;
    }
  });
});

describe('the reclaim job on two systems at once', () => {
  it('two systems on one database reclaim each due customer exactly once', async () => {
    clock = at(1000);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await newCustomer(i % 2 ? 'demo-rep1' : 'demo-rep2'));
    // a second system (its own connection object, models and services) on the same database
    const conn2 = t.conn.useDb(t.conn.name, { useCache: false });
    const other = buildSystem(t.config, { connection: conn2, databaseKind: TEST_DB_KIND, logger: silentLogger(), now: () => clock });
    try {
      clock = at(1020);
      const before = await t.conn.collection('audit_log').countDocuments({ action: 'customer.reclaim' });
      const [a, b] = await Promise.all([t.services.pools.run(clock), other.services.pools.run(clock)]);
      for (const id of ids) expect((await state(id)).status).toBe('pool');
      const entries = await t.conn
        .collection('audit_log')
        .find({ action: 'customer.reclaim', entityId: { $in: ids } })
        .toArray();
      expect(entries).toHaveLength(ids.length);
      expect(new Set(entries.map((e) => e.entityId)).size).toBe(ids.length);
      // whatever else was due went once too: the two runs' counts add up to the entries written
      const after = await t.conn.collection('audit_log').countDocuments({ action: 'customer.reclaim' });
      expect(a.reclaimed + b.reclaimed).toBe(after - before);
      expect(a.reclaimed).toBeGreaterThan(0);
    } finally {
      await other.stop();
    }
  });
});
