import mongoose from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Lead auto-assignment (issue #18): round robin fairness over 1,000 leads, by region with the reason in words,
 * by load respecting the maximum, to a pool, 接受 / 退回公海, and leads not accepted in time going back.
 */
const HOUR = 3_600_000;
const T0 = new Date('2026-04-06T02:00:00.000Z');
let clock = T0;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { now: () => clock });
});
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });
const uid = (login: string) => String(t.seeded.org.users.get(login));
let n = 0;

/** Leads as an import writes them: unowned, in no pool yet (written through the connection by name). */
async function leads(count: number, fields: Record<string, unknown> = {}): Promise<mongoose.Types.ObjectId[]> {
  const docs = Array.from({ length: count }, () => {
    n++;
    return {
      _id: new mongoose.Types.ObjectId(),
      name: `线索${n}`,
      source: '官网',
      tier: 'C',
      tags: [],
      status: 'pool',
      poolId: null,
      ownerId: null,
      departmentId: null,
      sharedWith: [],
      protectionEndsAt: null,
      lastFollowUpAt: null,
      nextFollowUpAt: null,
      searchKeys: [],
      dedupe: { mobiles: [], emails: [], personNames: [] },
      createdBy: null,
      createdAt: clock,
      updatedAt: clock,
      ...fields,
    };
  });
  await t.conn.collection('customers').insertMany(docs);
  return docs.map((d) => d._id);
}

async function owner(id: mongoose.Types.ObjectId) {
  const c = await t.conn.collection('customers').findOne({ _id: id });
  return { status: c!.status as string, ownerId: c!.ownerId ? String(c!.ownerId) : null, poolId: (c!.poolId as string | null) ?? null };
}

it('by region, with the reason in words on the assignment and in the audit log', async () => {
  const [id] = await leads(1, { region: { province: '广东省', city: '深圳' } });
  const a = await t.services.assignments.assignNew(id!);
  expect(a).toMatchObject({ ruleId: 'south', reason: '按地区：华南 → 黄磊', state: 'pending' });
  expect(await owner(id!)).toEqual({ status: 'owned', ownerId: uid('demo-rep3'), poolId: null });
  const audit = await t.services.audit.list({ entityType: 'customer', entityId: String(id), limit: 10 });
  expect(audit.items.find((e) => e.action === 'customer.assign')!.note).toBe('按地区：华南 → 黄磊');
  // the new owner sees it waiting for 接受 / 退回公海
  const mine = await t.http.get('/api/v1/assignments').set(await as('demo-rep3'));
  expect(mine.body.items.map((x: { customerId: string }) => x.customerId)).toContain(String(id));
});

it('by load: the member with the fewest customers, never above the maximum; a full group sends the lead to its pool', async () => {
  const rules = t.config.pools.assignment.rules;
  const saved = [...rules];
  rules.splice(0, rules.length, { id: 'load', label: '按负载：华东', to: { type: 'load', group: 'east' } });
  try {
    // 刘洋 has one more customer than 陈静
    const reps = [new mongoose.Types.ObjectId(uid('demo-rep1')), new mongoose.Types.ObjectId(uid('demo-rep2'))];
    const before = await t.services.customers.countOwned(reps);
    const extra = (before.get(uid('demo-rep2')) ?? 0) - (before.get(uid('demo-rep1')) ?? 0) + 1;
    if (extra > 0) await leads(extra, { status: 'owned', ownerId: reps[0] });
    const counts = await t.services.customers.countOwned(reps);
    const rep1 = counts.get(uid('demo-rep1')) ?? 0;
    const rep2 = counts.get(uid('demo-rep2')) ?? 0;
    expect(rep1).toBeGreaterThan(rep2);
    const lighter = 'demo-rep2';
    const [id] = await leads(1);
    const a = await t.services.assignments.assignNew(id!);
    expect(a!.ownerId && String(a!.ownerId)).toBe(uid(lighter));
    // everyone at the maximum: the group's pool, with the reason
    t.config.pools.maxOwned = Math.min(rep1, rep2);
    const [full] = await leads(1);
    const b = await t.services.assignments.assignNew(full!);
    expect(b).toMatchObject({ state: 'pool', poolId: 'company', reason: '按负载：华东 → 无可分配成员，进入公司公海' });
    expect(await owner(full!)).toEqual({ status: 'pool', ownerId: null, poolId: 'company' });
  } finally {
    rules.splice(0, rules.length, ...saved);
    t.config.pools.maxOwned = 200;
  }
});

it('a rule may send leads straight to a pool', async () => {
  const rules = t.config.pools.assignment.rules;
  rules.unshift({ id: 'expo', label: '按来源：展会', when: { source: ['展会'] }, to: { type: 'pool', pool: 'south' } });
  try {
    const [id] = await leads(1, { source: '展会' });
    const a = await t.services.assignments.assignNew(id!);
    expect(a).toMatchObject({ state: 'pool', poolId: 'south', reason: '按来源：展会 → 华南公海' });
    expect(await owner(id!)).toEqual({ status: 'pool', ownerId: null, poolId: 'south' });
  } finally {
    rules.shift();
  }
});

it('接受 keeps it; 退回公海 returns it to the group pool; only the new owner may answer', async () => {
  const [kept, given] = await leads(2, { region: { province: '海南' } });
  const a = (await t.services.assignments.assignNew(kept!))!;
  const b = (await t.services.assignments.assignNew(given!))!;
  expect((await t.http.post(`/api/v1/assignments/${String(a._id)}/accept`).set(await as('demo-rep1'))).status).toBe(404);
  const ok = await t.http.post(`/api/v1/assignments/${String(a._id)}/accept`).set(await as('demo-rep3'));
  expect(ok.status).toBe(200);
  expect(ok.body.state).toBe('accepted');
  const back = await t.http.post(`/api/v1/assignments/${String(b._id)}/return`).set(await as('demo-rep3'));
  expect(back.status).toBe(200);
  expect(await owner(given!)).toEqual({ status: 'pool', ownerId: null, poolId: 'south' });
  // the sweep later leaves both alone
  clock = new Date(T0.getTime() + 48 * HOUR);
  await t.services.assignments.sweep(clock);
  expect(await owner(kept!)).toMatchObject({ status: 'owned', ownerId: uid('demo-rep3') });
  clock = T0;
});

it('a lead not accepted within acceptWithinHours goes to the pool (once, whoever sweeps)', async () => {
  clock = T0;
  const [id] = await leads(1, { region: { province: '福建' } });
  await t.services.assignments.assignNew(id!);
  clock = new Date(T0.getTime() + 23 * HOUR);
  await t.services.assignments.sweep(clock);
  expect((await owner(id!)).status).toBe('owned');
  clock = new Date(T0.getTime() + 24 * HOUR + 60_000);
  const [x, y] = await Promise.all([t.services.assignments.sweep(clock), t.services.assignments.sweep(clock)]);
  expect(x.returned + y.returned).toBeGreaterThanOrEqual(1);
  expect(await owner(id!)).toEqual({ status: 'pool', ownerId: null, poolId: 'south' });
  const audit = await t.services.audit.list({ entityType: 'customer', entityId: String(id), limit: 10 });
  expect(audit.items.filter((e) => e.action === 'customer.assign-pool').map((e) => e.note)).toEqual(['24 小时未接受分配，退回华南公海']);
  clock = T0;
});

it('a manager runs the rules for a customer in their scope (POST /assignments); a rep may not', async () => {
  const [id] = await leads(1);
  expect(
    (
      await t.http
        .post('/api/v1/assignments')
        .set(await as('demo-rep1'))
        .send({ customerId: String(id) })
    ).status,
  ).toBe(403);
  const res = await t.http
    .post('/api/v1/assignments')
    .set(await as('demo-manager'))
    .send({ customerId: String(id) });
  expect(res.status).toBe(200);
  expect(res.body.reason).toMatch(/^轮流分配：华东 → /);
});

it('round robin over 1,000 leads: every member of the group gets a count within 1 of the others', async () => {
  t.config.pools.maxOwned = 100_000;
  try {
    const ids = await leads(1000);
    // four at a time, as an import's workers would call it
    for (let i = 0; i < ids.length; i += 4) await Promise.all(ids.slice(i, i + 4).map((id) => t.services.assignments.assignNew(id)));
    const counts = new Map<string, number>();
    for (const id of ids) {
      const o = await owner(id);
      expect(o.status).toBe('owned');
      counts.set(o.ownerId!, (counts.get(o.ownerId!) ?? 0) + 1);
    }
    // the default rule: 轮流分配 within 华东销售部's reps (刘洋, 陈静)
    expect([...counts.keys()].sort()).toEqual([uid('demo-rep1'), uid('demo-rep2')].sort());
    const values = [...counts.values()];
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    expect(values.reduce((a, b) => a + b, 0)).toBe(1000);
  } finally {
    t.config.pools.maxOwned = 200;
  }
}, 600_000);
