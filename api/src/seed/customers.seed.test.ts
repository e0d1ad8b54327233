import { CUSTOMER_SOURCES, parseSearchQuery } from '@crm/shared';
import { startTestApp, type TestApp } from '../../../tests/helpers/test-app';
import { seedDemoData } from './seed';
import type { Contract } from '../modules/contract/contract.model';
import type { Customer } from '../modules/customer/customer.model';
import type { FollowUp } from '../modules/follow-up/follow-up.model';
import type { Opportunity } from '../modules/opportunity/opportunity.model';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { crm: true });
});
afterAll(() => t.close());

describe('demo CRM seed', () => {
  it('has at least 300 customers, each with a source and a consistent owner / pool state', async () => {
    const customers = await t.conn.model<Customer>('Customer').find().lean();
    expect(customers.length).toBeGreaterThanOrEqual(300);
    for (const c of customers) {
      expect(CUSTOMER_SOURCES).toContain(c.source);
      expect(c.status === 'pool').toBe(c.ownerId === null);
      expect(c.searchKeys.length).toBeGreaterThan(0);
    }
    expect(customers.filter((c) => c.status === 'pool').length).toBeGreaterThan(10);
    expect(new Set(customers.map((c) => c.companyKey)).size).toBeGreaterThan(290);
  });

  it('rep1 finds 张三 by `zs` through the API', async () => {
    const res = await t.http.get('/api/v1/customers?q=zs&limit=100').set('Authorization', await t.login('demo-rep1'));
    expect(res.body.items.map((c: { name: string }) => c.name)).toContain('张三');
    expect(parseSearchQuery('zs')).toEqual([{ kind: 'prefix', prefix: 'zs' }]);
  });

  it('contains the deliberate near-duplicates', async () => {
    const byName = async (name: string) => (await t.conn.model<Customer>('Customer').findOne({ name }).lean())!;
    expect((await byName('张三')).companyKey).toBe((await byName('王五')).companyKey);
    expect((await byName('李雷')).dedupe.mobiles).toEqual((await byName('韩梅梅')).dedupe.mobiles);
    expect((await byName('李雷')).dedupe.emails).toEqual((await byName('韩梅梅')).dedupe.emails);
    const res = await t.http
      .post('/api/v1/customers')
      .set('Authorization', await t.login('demo-rep2'))
      .send({ name: '新客户', company: '星辰科技', source: '官网' });
    expect(res.status).toBe(409);
  });

  it('has deals in every stage with a history ending in the current stage', async () => {
    const deals = await t.conn.model<Opportunity>('Opportunity').find().lean();
    expect(new Set(deals.map((d) => d.stage))).toEqual(new Set(t.services.opportunities.stages.map((s) => s.key)));
    for (const d of deals) {
      expect(d.stageHistory[d.stageHistory.length - 1]!.stage).toBe(d.stage);
      expect(Number.isInteger(d.amountFen)).toBe(true);
      if (d.stage === 'lost') expect(d.lostReason).toBeTruthy();
    }
  });

  it('keeps each customer’s last / next follow-up in step with its follow-ups', async () => {
    const fus = await t.conn.model<FollowUp>('FollowUp').find().lean();
    expect(fus.length).toBeGreaterThan(300);
    const latest = new Map<string, Date>();
    for (const f of fus)
      if (!latest.get(String(f.customerId)) || latest.get(String(f.customerId))! < f.happenedAt) latest.set(String(f.customerId), f.happenedAt);
    const customers = await t.conn
      .model<Customer>('Customer')
      .find({ _id: { $in: [...latest.keys()] } })
      .lean();
    for (const c of customers) expect(c.lastFollowUpAt).toEqual(latest.get(String(c._id)));
  });

  it('has unique contract numbers and is idempotent', async () => {
    const numbers = (await t.conn.model<Contract>('Contract').find().lean()).map((k) => k.number);
    expect(numbers.length).toBeGreaterThanOrEqual(5);
    expect(new Set(numbers).size).toBe(numbers.length);
    const before = await t.conn.model<Customer>('Customer').countDocuments();
    const again = await seedDemoData(t.services, () => undefined);
    expect(await t.conn.model<Customer>('Customer').countDocuments()).toBe(before);
    expect(again.crm!.customers).toBe(before);
  });
});

// the seed's "now": today, the first half hour of a month (business time, Asia/Shanghai), a month's last evening
describe.each([
  ['today', null],
  ['the first half hour of a month', new Date('2026-12-01T00:30:00+08:00')],
  ['the last evening of a month', new Date('2027-02-28T22:00:00+08:00')],
])('the demo dashboard of the director, this month, seeded %s', (_label, at) => {
  let d: TestApp;
  beforeAll(async () => {
    if (at) {
      d = await startTestApp({}, { now: () => at });
      await seedDemoData(d.services, () => undefined, { now: at });
    } else d = t;
    await d.services.reports.rollups.rebuild();
  });
  afterAll(async () => {
    if (d !== t) await d.close();
  });
  const get = async <T>(path: string): Promise<T> => {
    const res = await d.http.get(`/api/v1/reports/${path}`).set('Authorization', await d.login('demo-director'));
    expect(res.status).toBe(200);
    return res.body as T;
  };

  it('ranks at least two reps with contracts signed this month', async () => {
    const ranking = await get<{ rows: Array<{ id: string | null; contractAmountFen: { current: number } }> }>('ranking?period=month&dimension=rep');
    expect(ranking.rows.filter((r) => r.id && r.contractAmountFen.current > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('has a sales cycle of days, with time in every open stage', async () => {
    const cycle = await get<{ overall: { deals: number; avgDays: number | null }; byStage: Array<{ avgDays: number | null }> }>('cycle?period=month');
    expect(cycle.overall.deals).toBeGreaterThan(0);
    expect(cycle.overall.avgDays).toBeGreaterThanOrEqual(1);
    for (const s of cycle.byStage) expect(s.avgDays).toBeGreaterThan(0);
  });

  it.each(['stalled', 'forgotten'])('lists %s records', async (list) => {
    expect((await get<{ total: number }>(`${list}?limit=100`)).total).toBeGreaterThan(0);
  });
});
