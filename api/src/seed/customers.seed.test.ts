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
