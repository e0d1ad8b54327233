import { auditModel } from '../../api/src/modules/audit/audit.model';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Approval } from '../../api/src/modules/approval/approval.model';
import type { Customer } from '../../api/src/modules/customer/customer.model';

let t: TestApp;
let customerId: string;
let n = 0;
beforeAll(async () => {
  t = await startTestApp();
  const c = await t.http
    .post('/api/v1/customers')
    .set(await as('demo-rep1'))
    .send({ name: '陈小春', company: '杭州云帆软件有限公司', source: '官网', contacts: [{ name: '陈小春', phones: ['13700001111'] }] });
  customerId = c.body.id;
});
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });

async function contract(amountYuan: number, discountPercent = 0): Promise<string> {
  n += 1;
  const res = await t.http
    .post('/api/v1/contracts')
    .set(await as('demo-rep1'))
    .send({ customerId, number: `HT-APV-${n}`, title: `测试合同${n}`, amountFen: amountYuan * 100, discountPercent });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function submit(contractId: string) {
  const res = await t.http
    .post(`/api/v1/contracts/${contractId}/submit`)
    .set(await as('demo-rep1'))
    .send({});
  expect(res.status).toBe(201);
  return res.body;
}

const decide = async (login: string, id: string, decision: 'approve' | 'reject', comment?: string) =>
  t.http
    .post(`/api/v1/approvals/${id}/decision`)
    .set(await as(login))
    .send({ decision, ...(comment ? { comment } : {}) });

const contractStatus = async (id: string) => (await t.http.get(`/api/v1/contracts/${id}`).set(await as('demo-rep1'))).body.status as string;
const route = (a: { steps: Array<{ name: string; approvers: Array<{ name: string }> }> }) =>
  a.steps.map((s) => `${s.name}:${s.approvers.map((x) => x.name).join('/')}`);

describe('contract approvals through the API', () => {
  it('routes a 600,000 contract manager → director → legal, and the contract follows to approved', async () => {
    const id = await contract(600_000);
    const a = await submit(id);
    expect(route(a)).toEqual(['部门经理:张伟', '销售总监:李娜', '法务:吴昊']);
    expect(a.status).toBe('pending');
    expect(await contractStatus(id)).toBe('pending_approval');

    const todo = await t.http.get('/api/v1/approvals?box=todo').set(await as('demo-manager'));
    expect(todo.body.items.map((x: { id: string }) => x.id)).toContain(a.id);
    const notYet = await t.http.get('/api/v1/approvals?box=todo').set(await as('demo-director'));
    expect(notYet.body.items.map((x: { id: string }) => x.id)).not.toContain(a.id);

    expect((await decide('demo-director', a.id, 'approve')).status).toBe(403);
    expect((await decide('demo-manager', a.id, 'approve', '价格合理')).body.currentStep).toBe(1);
    // a retry of the same decision answers the current state; a different one is refused
    const retry = await decide('demo-manager', a.id, 'approve');
    expect([retry.status, retry.body.currentStep]).toEqual([200, 1]);
    expect((await decide('demo-manager', a.id, 'reject', '改主意')).status).toBe(409);
    expect((await decide('demo-director', a.id, 'approve')).body.currentStep).toBe(2);
    const done = await decide('demo-legal', a.id, 'approve');
    expect(done.body.status).toBe('approved');
    expect(await contractStatus(id)).toBe('approved');

    const full = await t.http.get(`/api/v1/approvals/${a.id}`).set(await as('demo-rep1'));
    expect(full.body.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'approve', 'approve', 'approve']);
    expect(full.body.steps[0].approvers[0]).toMatchObject({ name: '张伟', decision: 'approve', comment: '价格合理' });
    const mine = await t.http.get('/api/v1/approvals?box=mine').set(await as('demo-rep1'));
    expect(mine.body.items.map((x: { id: string }) => x.id)).toContain(a.id);
    const doneBox = await t.http.get('/api/v1/approvals?box=done').set(await as('demo-legal'));
    expect(doneBox.body.items.map((x: { id: string }) => x.id)).toContain(a.id);
    const audit = await auditModel(t.conn).find({ entityType: 'approval', entityId: a.id }).lean();
    expect(audit.map((x) => x.action)).toEqual(['approval.submit', 'approval.approve', 'approval.approve', 'approval.approve']);
  });

  it('auto-approves nothing under 100,000 but needs only the manager; 1,000,000 with 20% discount adds finance and the GM', async () => {
    const small = await submit(await contract(50_000));
    expect(route(small)).toEqual(['部门经理:张伟']);
    const big = await submit(await contract(1_000_000, 20));
    expect(route(big)).toEqual(['部门经理:张伟', '销售总监:李娜', '法务:吴昊', '财务:赵敏', '总经理:王建国']);
    expect(big.ruleIds).toEqual(['contract-manager', 'contract-100k', 'contract-500k', 'contract-1m', 'contract-discount-15']);
  });

  it('a rejection needs a reason, rejects the contract; edit and resubmit links the new approval to the old one', async () => {
    const id = await contract(200_000);
    const a = await submit(id);
    expect((await decide('demo-manager', a.id, 'reject')).status).toBe(400);
    const r = await decide('demo-manager', a.id, 'reject', '价格太低');
    expect(r.body.status).toBe('rejected');
    expect(r.body.steps[0].status).toBe('rejected');
    expect(await contractStatus(id)).toBe('rejected');
    const patched = await t.http
      .patch(`/api/v1/contracts/${id}`)
      .set(await as('demo-rep1'))
      .send({ amountFen: 220_000_00 });
    expect(patched.status).toBe(200);
    const again = await submit(id);
    expect(again.previousId).toBe(a.id);
    expect(again.amountFen).toBe(220_000_00);
    expect(again.history[0].action).toBe('resubmit');
    expect(await contractStatus(id)).toBe('pending_approval');
  });

  it('the requester can withdraw while pending; the contract goes back to draft; nobody else can', async () => {
    const id = await contract(80_000);
    const a = await submit(id);
    const other = await t.http
      .post(`/api/v1/approvals/${a.id}/withdraw`)
      .set(await as('demo-manager'))
      .send({});
    expect(other.status).toBe(403);
    const w = await t.http
      .post(`/api/v1/approvals/${a.id}/withdraw`)
      .set(await as('demo-rep1'))
      .send({ comment: '金额有误' });
    expect(w.body.status).toBe('withdrawn');
    expect(await contractStatus(id)).toBe('draft');
    expect((await decide('demo-manager', a.id, 'approve')).status).toBe(409);
  });

  it('a second submit while pending is refused; someone else cannot see the approval', async () => {
    const id = await contract(10_000);
    const a = await submit(id);
    const again = await t.http
      .post(`/api/v1/contracts/${id}/submit`)
      .set(await as('demo-rep1'))
      .send({});
    expect(again.status).toBe(409);
    expect((await t.http.get(`/api/v1/approvals/${a.id}`).set(await as('demo-rep3'))).status).toBe(404);
  });

  it('50 concurrent decisions on one pending any-step: one decision recorded, one history entry, one audit entry; repeats answer the result', async () => {
    const a = await submit(await contract(30_000));
    const header = await as('demo-manager');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.http.post(`/api/v1/approvals/${a.id}/decision`).set(header).send({ decision: 'approve' })),
    );
    // the same approver's repeats (client retries, double taps) answer the current state, never a confusing 409
    expect(results.map((r) => `${r.status}:${r.body.status}`)).toEqual(Array.from({ length: 50 }, () => '200:approved'));
    // a different decision by the same approver after the end is still refused
    const late = await t.http.post(`/api/v1/approvals/${a.id}/decision`).set(header).send({ decision: 'reject', comment: '晚了' });
    expect(late.status).toBe(409);
    const full = await t.http.get(`/api/v1/approvals/${a.id}`).set(await as('demo-rep1'));
    expect(full.body.status).toBe('approved');
    expect(full.body.history.filter((h: { action: string }) => h.action === 'approve')).toHaveLength(1);
    const audit = await auditModel(t.conn).find({ entityType: 'approval', entityId: a.id, action: 'approval.approve' }).lean();
    expect(audit).toHaveLength(1);
  });
});

describe('one open approval per subject', () => {
  it('ten concurrent submissions of one contract create one approval', async () => {
    const id = await contract(90_000);
    const header = await as('demo-rep1');
    const results = await Promise.all(Array.from({ length: 10 }, () => t.http.post(`/api/v1/contracts/${id}/submit`).set(header).send({})));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await t.conn.model<Approval>('Approval').countDocuments({ subjectId: id })).toBe(1);
    expect(await contractStatus(id)).toBe('pending_approval');
  });
});

describe('discount and customer-report approvals', () => {
  it('a 3% discount needs nobody (auto-approved); 18% needs the manager then finance', async () => {
    const id = await contract(50_000);
    const small = await t.http
      .post('/api/v1/approvals')
      .set(await as('demo-rep1'))
      .send({ subjectType: 'discount', subjectId: id, discountPercent: 3 });
    expect(small.status).toBe(201);
    expect(small.body.status).toBe('approved');
    const big = await t.http
      .post('/api/v1/approvals')
      .set(await as('demo-rep1'))
      .send({ subjectType: 'discount', subjectId: id, discountPercent: 18 });
    expect(route(big.body)).toEqual(['部门经理:张伟', '财务:赵敏']);
    await decide('demo-manager', big.body.id, 'approve');
    expect((await decide('demo-finance', big.body.id, 'approve')).body.status).toBe('approved');
    const c = await t.http.get(`/api/v1/contracts/${id}`).set(await as('demo-rep1'));
    expect(c.body.discountPercent).toBe(18);
  });

  it('a customer report claims the pool customer for the requester on approval and starts protection', async () => {
    const created = await t.http
      .post('/api/v1/customers')
      .set(await as('demo-rep2'))
      .send({ name: '郑大海', company: '宁波东港物流有限公司', source: '官网', contacts: [{ name: '郑大海', phones: ['13700003333'] }] });
    await t.http
      .post(`/api/v1/customers/${created.body.id}/release`)
      .set(await as('demo-rep2'))
      .send({ reason: '不再跟进' });
    const a = await t.http
      .post('/api/v1/approvals')
      .set(await as('demo-rep1'))
      .send({ subjectType: 'customer-report', subjectId: created.body.id });
    expect(a.status).toBe(201);
    expect(route(a.body)).toEqual(['部门经理:张伟']);
    // a second report of the same customer while this one is pending is refused
    const twice = await t.http
      .post('/api/v1/approvals')
      .set(await as('demo-rep2'))
      .send({ subjectType: 'customer-report', subjectId: created.body.id });
    expect(twice.status).toBe(409);
    await decide('demo-manager', a.body.id, 'approve');
    const c = await t.conn.model<Customer>('Customer').findById(created.body.id).lean();
    expect(c!.status).toBe('owned');
    const rep1 = await t.services.org.findActiveUserByPlatformId('wecom', 'demo-rep1');
    expect(String(c!.ownerId)).toBe(String(rep1!._id));
    expect(c!.protectionEndsAt!.getTime()).toBeGreaterThan(Date.now() + 20 * 86_400_000);
  });
});
