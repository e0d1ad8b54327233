import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Customer } from '../../api/src/modules/customer/customer.model';
import type { IdentityClaim } from '../../api/src/modules/customer/identity-claims';

/**
 * The duplicate check under concurrency: identities (mobile, email, company core) are unique claims
 * taken before the customer is written, so simultaneous creates of the same company give exactly one
 * customer and 409 DUPLICATE_SUSPECTED naming it to everyone else.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // warm every login first, so the bursts below race on the create itself
  for (const login of ['demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-finance', 'demo-director', 'demo-manager']) await t.login(login);
});
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });
const post = async (login: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.http
    .post('/api/v1/customers')
    .set({ ...(await as(login)), ...headers })
    .send({ source: '展会', ...body });
const count = (company: string) => t.conn.model<Customer>('Customer').countDocuments({ company });
type Candidate = { visible: boolean; id?: string; ownedBy?: string; reasons: string[] };

describe('simultaneous creates of the same customer', () => {
  it.each([
    ['one user', ['demo-rep1'], '南京并发测试机械有限公司', '13911110001'],
    ['four users of different teams', ['demo-rep1', 'demo-rep3', 'demo-finance', 'demo-director'], '苏州竞速测验电子有限公司', '13911110002'],
  ])('20 parallel creates (%s) make exactly one customer; the 19 others get 409 naming it', async (_label, logins, company, mobile) => {
    const body = { name: '并发', company, contacts: [{ name: '并发', phones: [mobile] }] };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(logins[i % logins.length]!, body)));
    const created = answers.filter((a) => a.status === 201);
    expect(answers.map((a) => a.status).sort()).toEqual([...Array<number>(19).fill(409), 201].sort());
    expect(await count(company)).toBe(1);
    const winner = created[0]!.body as { id: string; ownerId: string };
    const visibleTo = new Map<string, boolean>();
    for (const login of logins) visibleTo.set(login, (await t.http.get(`/api/v1/customers/${winner.id}`).set(await as(login))).status === 200);
    answers.forEach((a, i) => {
      if (a.status !== 409) return;
      expect(a.body.error.code).toBe('DUPLICATE_SUSPECTED');
      const candidates = a.body.error.details.candidates as Candidate[];
      // the winner, as far as this user may see it (as the 360 view decides): by id, else "其他团队"
      if (visibleTo.get(logins[i % logins.length]!))
        expect(candidates).toEqual(expect.arrayContaining([expect.objectContaining({ visible: true, id: winner.id })]));
      else expect(candidates).toEqual(expect.arrayContaining([expect.objectContaining({ visible: false, ownedBy: '其他团队' })]));
    });
    // the winner holds its identities; the losers kept none
    const claims = await t.conn
      .model<IdentityClaim>('CustomerIdentityClaim')
      .find({ customerId: { $ne: new Types.ObjectId(winner.id) }, company })
      .lean();
    expect(claims).toEqual([]);
  });

  it('a forced create with a reason still creates, and is audited', async () => {
    const body = { name: '强制', company: '无锡强制测试有限公司', contacts: [{ name: '强制', phones: ['13911110003'] }] };
    const first = await post('demo-rep1', body);
    expect(first.status).toBe(201);
    expect((await post('demo-rep2', body)).status).toBe(409);
    const forced = await post('demo-rep2', { ...body, force: true, reason: '同名不同主体' });
    expect(forced.status).toBe(201);
    expect(await count('无锡强制测试有限公司')).toBe(2);
    const audit = await t.services.audit.list({ entityType: 'customer', entityId: forced.body.id, limit: 10 });
    expect(audit.items).toEqual([expect.objectContaining({ action: 'customer.create.forced', note: expect.stringContaining('强制创建：同名不同主体') })]);
    // the identities stay with the first customer
    const holders = await t.conn
      .model<IdentityClaim>('CustomerIdentityClaim')
      .find({ _id: { $in: ['mobile:8613911110003', 'company:强制测试'] } })
      .lean();
    expect(holders.map((c) => String(c.customerId))).toEqual([first.body.id, first.body.id]);
  });
});

describe('claims follow the customer', () => {
  it('a contact with a mobile another customer holds is refused (409); its own new mobile is claimed', async () => {
    const a = await post('demo-rep1', { name: '甲', company: '合肥甲方科技有限公司', contacts: [{ name: '甲', phones: ['13911110011'] }] });
    const b = await post('demo-rep1', { name: '乙', company: '合肥乙方科技有限公司', contacts: [{ name: '乙', phones: ['13911110012'] }] });
    const taken = await t.http
      .post(`/api/v1/customers/${b.body.id}/contacts`)
      .set(await as('demo-rep1'))
      .send({ name: '丙', phones: ['139 1111 0011'] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('DUPLICATE_SUSPECTED');
    expect(taken.body.error.details.candidates).toEqual([expect.objectContaining({ id: a.body.id, reasons: ['mobile'] })]);
    const fresh = await t.http
      .post(`/api/v1/customers/${b.body.id}/contacts`)
      .set(await as('demo-rep1'))
      .send({ name: '丁', phones: ['13911110013'] });
    expect(fresh.status).toBe(201);
    expect(String((await t.conn.model<IdentityClaim>('CustomerIdentityClaim').findById('mobile:8613911110013').lean())?.customerId)).toBe(b.body.id);
  });

  it('changing the company claims the new core (409 if held) and frees the old one', async () => {
    const a = await post('demo-rep1', { name: '戊', company: '杭州旧名字有限公司', contacts: [] });
    const other = await post('demo-rep1', { name: '己', company: '杭州别人家有限公司', contacts: [] });
    const clash = await t.http
      .patch(`/api/v1/customers/${a.body.id}`)
      .set(await as('demo-rep1'))
      .send({ company: '杭州别人家有限公司' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details.candidates).toEqual([expect.objectContaining({ id: other.body.id, reasons: ['company'] })]);
    const renamed = await t.http
      .patch(`/api/v1/customers/${a.body.id}`)
      .set(await as('demo-rep1'))
      .send({ company: '杭州新名字有限公司' });
    expect(renamed.status).toBe(200);
    // the old name is free again: someone else may now create it
    expect((await post('demo-rep2', { name: '庚', company: '杭州旧名字有限公司', contacts: [] })).status).toBe(201);
    expect((await post('demo-rep2', { name: '辛', company: '杭州新名字有限公司', contacts: [] })).status).toBe(409);
  });

  it('releaseClaims frees every identity of a customer (the deletion / merge paths call it)', async () => {
    const a = await post('demo-rep1', { name: '壬', company: '宁波释放测试有限公司', contacts: [{ name: '壬', phones: ['13911110021'] }] });
    await t.services.customers.releaseClaims(new Types.ObjectId(a.body.id as string));
    expect(await t.conn.model<IdentityClaim>('CustomerIdentityClaim').countDocuments({ customerId: new Types.ObjectId(a.body.id as string) })).toBe(0);
  });
});

describe('claims left by a crash, and customers from before claims', () => {
  const orphan = (identity: string, ageMs: number) =>
    t.conn.model<IdentityClaim>('CustomerIdentityClaim').create({
      _id: identity,
      customerId: new Types.ObjectId(), // never written: its process died between the claim and the insert
      claimedAt: new Date(Date.now() - ageMs),
      name: '幽灵',
      company: '温州幽灵有限公司',
      ownerId: t.seeded.org.users.get('demo-rep3')!,
      departmentId: null,
      idempotencyKey: null,
    });

  it.each([
    ['within the grace period: 409 (the holder may still be writing)', 10_000, 409],
    ['after the grace period: taken over', 120_000, 201],
  ])('a claim whose customer does not exist, %s', async (_label, age, status) => {
    const company = `温州幽灵${age}有限公司`;
    await orphan(`company:幽灵${age}`, age);
    const res = await post('demo-rep1', { name: '癸', company, contacts: [] });
    expect(res.status).toBe(status);
    expect(await count(company)).toBe(status === 201 ? 1 : 0);
  });

  it('backfill gives customers written without claims theirs (oldest first, idempotent); later creates then conflict', async () => {
    const rows = [
      { name: '老客户', company: '厦门老客户贸易有限公司', companyKey: '老客户', dedupe: { mobiles: ['+8613911110031'], emails: [], personNames: ['老客户'] } },
      { name: '老客户二', company: '厦门老客户贸易有限公司', companyKey: '老客户', dedupe: { mobiles: [], emails: [], personNames: ['老客户二'] } },
    ];
    const [older, newer] = await t.conn
      .model<Customer>('Customer')
      .insertMany(
        rows.map((r) => ({ ...r, source: '展会', ownerId: t.seeded.org.users.get('demo-rep3')!, departmentId: null, status: 'owned', sharedWith: [] })),
      );
    const first = await t.services.customers.backfillIdentityClaims();
    expect(first.claimed).toBeGreaterThanOrEqual(2);
    expect(await t.services.customers.backfillIdentityClaims()).toMatchObject({ claimed: 0 });
    const company = await t.conn.model<IdentityClaim>('CustomerIdentityClaim').findById('company:老客户').lean();
    expect(String(company?.customerId)).toBe(String(older!._id));
    expect(String(company?.customerId)).not.toBe(String(newer!._id));
    const res = await post('demo-rep1', { name: '新人', company: '另一家公司', contacts: [{ name: '新人', phones: ['13911110031'] }] });
    expect(res.status).toBe(409);
    expect(res.body.error.details.candidates).toEqual([expect.objectContaining({ visible: false, ownedBy: '其他团队', reasons: ['mobile'] })]);
  });
});
