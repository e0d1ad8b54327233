/**
 * Issue #12 "Trust": deactivating a user moves what hangs on them — their reports get a new leader, their
 * pending approval steps go to a stand-in (notice + card), their reminders to each customer's owner; all audited.
 */
import { auditModel } from '../../api/src/modules/audit/audit.model';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { Contract } from '../../api/src/modules/contract/contract.model';
import type { Department } from '../../api/src/modules/org/department.model';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';
import type { User } from '../../api/src/modules/org/user.model';

let fake: FakeWeComServer;
let t: TestApp;
let n = 0;
const meta = { requestId: 'test', channel: 'system' as const, actorId: null };
beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl));
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const as = async (login: string) => ({ Authorization: await t.login(login) });
async function settle() {
  await t.bot.inFlight.drain();
  await t.services.approvals.settled();
  await t.bot.inFlight.drain();
}
const user = async (login: string) => (await t.conn.model<User>('User').findOne({ 'identities.wecom': login }).lean())!;
const id = async (login: string) => String((await user(login))._id);
/** Approval notices (markdown with the approval's link). */
const noticesTo = (u: string) =>
  fake
    .to(u)
    .filter((d) => d.msgtype === 'markdown')
    .map((d) => (d.body.markdown as { content: string }).content);
/** What a requester was told: their approval cards (`apr-…`), as JSON. */
const toldRequester = (u: string) =>
  fake
    .to(u)
    .filter((d) => d.msgtype === 'template_card' && String((d.body.template_card as { task_id: string }).task_id).startsWith('apr-'))
    .map((d) => JSON.stringify(d.body.template_card));
const cardsTo = (u: string, approvalId: string) =>
  fake
    .to(u)
    .filter((d) => d.msgtype === 'template_card')
    .map((d) => d.body.template_card as { task_id: string })
    .filter((c) => c.task_id.includes(approvalId));

async function newUser(login: string, leader: string) {
  const dep = await t.conn.model<Department>('Department').findOne({ name: '华东销售部' }).lean();
  return t.services.org.createUser(meta, {
    name: login,
    departmentIds: [String(dep!._id)],
    leaderId: await id(leader),
    roles: ['rep'],
    dataScope: 'own',
    identities: { wecom: login },
  });
}
async function pendingContract(login: string): Promise<{ approvalId: string; contractId: string; customerId: string }> {
  n += 1;
  const c = await t.http
    .post('/api/v1/customers')
    .set(await as(login))
    .send({
      name: `交接客户${n}`,
      company: `交接测试${n}号有限公司`,
      source: '官网',
      contacts: [{ name: `交接${n}`, phones: [`1360000${String(n).padStart(4, '0')}`] }],
    });
  const k = await t.http
    .post('/api/v1/contracts')
    .set(await as(login))
    .send({ customerId: c.body.id, number: `HT-DEACT-${n}`, title: `交接合同${n}`, amountFen: 30_000_00, discountPercent: 0 });
  const a = await t.http
    .post(`/api/v1/contracts/${k.body.id}/submit`)
    .set(await as(login))
    .send({});
  expect(a.status).toBe(201);
  return { approvalId: a.body.id, contractId: k.body.id, customerId: c.body.id };
}
const approval = async (approvalId: string) => (await t.http.get(`/api/v1/approvals/${approvalId}`).set(await as('demo-admin'))).body;

describe('POST /users/:id/deactivate hands over what hangs on the leaver', () => {
  it('reports get the named new leader; the pending step goes to them with a notice and a card; reminders go to each customer’s owner; all audited', async () => {
    await newUser('boss', 'demo-manager');
    await newUser('sub1', 'boss');
    await newUser('sub2', 'boss');
    const { approvalId, contractId } = await pendingContract('sub1');
    await settle();
    expect((await approval(approvalId)).steps[0].approvers.map((x: { name: string }) => x.name)).toEqual(['boss']);
    expect(cardsTo('boss', approvalId)).toHaveLength(1);
    // reminders of boss: about sub2's customer, about his own customer, and his digest
    const sub2Customer = (await pendingContract('sub2')).customerId;
    const bossCustomer = (await pendingContract('boss')).customerId;
    const bossId = (await user('boss'))._id;
    const due = new Date(Date.now() + 3_600_000);
    const reminder = (key: string, customerId: string | null, kind: 'next-step' | 'digest' = 'next-step') =>
      t.conn.model<Reminder>('Reminder').create({ dedupeKey: key, kind, userId: bossId, dueAt: due, title: key, text: '', customerId, status: 'scheduled' });
    const r1 = await reminder('boss-about-sub2', sub2Customer);
    const r2 = await reminder('boss-about-own', bossCustomer);
    const r3 = await reminder('boss-digest', null, 'digest');

    const newLeader = await id('demo-director');
    const res = await t.http
      .post(`/api/v1/users/${String(bossId)}/deactivate`)
      .set(await as('demo-admin'))
      .send({ newLeaderId: newLeader });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('resigned');
    await settle();

    // reports
    for (const s of ['sub1', 'sub2']) {
      const u = await user(s);
      expect([s, String(u.leaderId), u.leaderChain.map(String)]).toEqual([s, newLeader, [newLeader, await id('demo-gm')]]);
    }
    // the approval step
    const a = await approval(approvalId);
    expect(a.status).toBe('pending');
    expect(a.steps[0].approvers).toMatchObject([
      { name: 'boss', replacedById: newLeader },
      { name: '李娜', decision: null, standInReason: 'boss 已离职，由接任者 李娜 代为审批' },
    ]);
    expect(a.history.at(-1)).toMatchObject({ action: 'reassign', comment: '部门经理：boss 已离职，由接任者 李娜 代为审批' });
    expect(cardsTo('demo-director', approvalId)).toHaveLength(1);
    expect(noticesTo('demo-director').some((x) => x.startsWith('📋 boss 已离职') && x.includes(a.title))).toBe(true);
    expect(toldRequester('sub1').at(-1)).toContain('boss 已离职，由接任者 李娜 代为审批');
    const bossCard = fake.updates.filter((u) => (u.template_card.task_id as string) === cardsTo('boss', approvalId)[0]!.task_id).at(-1);
    expect(bossCard?.template_card.replace_text).toBe('已转交 李娜');
    // the stand-in decides; the contract follows
    const done = await t.http
      .post(`/api/v1/approvals/${approvalId}/decision`)
      .set(await as('demo-director'))
      .send({ decision: 'approve' });
    expect(done.body.status).toBe('approved');
    expect((await t.conn.model<Contract>('Contract').findById(contractId).lean())!.status).toBe('approved');
    // reminders
    const after = async (r: { _id: unknown }) => (await t.conn.model<Reminder>('Reminder').findById(r._id).lean())!;
    expect([String((await after(r1)).userId), (await after(r1)).status]).toEqual([await id('sub2'), 'scheduled']);
    expect([String((await after(r2)).userId), (await after(r2)).status]).toEqual([newLeader, 'scheduled']);
    expect((await after(r3)).status).toBe('cancelled');
    // audited
    const audit = auditModel(t.conn);
    expect(await audit.countDocuments({ action: 'user.update', entityId: { $in: [await id('sub1'), await id('sub2')] } })).toBe(2);
    expect(await audit.countDocuments({ action: 'approval.reassign', entityId: approvalId })).toBe(1);
    expect(await audit.countDocuments({ action: 'reminder.reassign', entityId: { $in: [String(r1._id), String(r2._id)] } })).toBe(2);
    expect(await audit.countDocuments({ action: 'user.deactivate', entityId: String(bossId) })).toBe(1);
  });

  it('without newLeaderId the reports get the leaver’s own leader; a new leader below the leaver (not a direct report) is refused', async () => {
    await newUser('lead2', 'demo-manager');
    await newUser('mid2', 'lead2');
    await newUser('low2', 'mid2');
    const lead2 = await id('lead2');
    const refused = await t.http
      .post(`/api/v1/users/${lead2}/deactivate`)
      .set(await as('demo-admin'))
      .send({ newLeaderId: await id('low2') });
    expect(refused.status).toBe(400);
    expect((await user('lead2')).status).toBe('active');
    const res = await t.http
      .post(`/api/v1/users/${lead2}/deactivate`)
      .set(await as('demo-admin'))
      .send({});
    expect(res.status).toBe(200);
    expect(String((await user('mid2')).leaderId)).toBe(await id('demo-manager'));
    expect((await user('low2')).leaderChain.map(String)).toEqual([await id('mid2'), await id('demo-manager'), await id('demo-director'), await id('demo-gm')]);
  });

  it('an approver who left without a hand-over (e.g. before this release) is re-routed by the next sweep, not after 24 hours', async () => {
    await newUser('gone', 'demo-manager');
    await newUser('sub3', 'gone');
    const { approvalId } = await pendingContract('sub3');
    await t.conn.model<User>('User').updateOne({ 'identities.wecom': 'gone' }, { $set: { status: 'resigned' } });
    const out = await t.services.approvalSweep.run(new Date());
    expect(out.rerouted).toBe(1);
    await settle();
    const a = await approval(approvalId);
    expect(a.steps[0].approvers.filter((x: { replacedById: string | null }) => !x.replacedById)).toMatchObject([
      { name: '张伟', standInReason: 'gone 已离职，由上级 张伟 代为审批' },
    ]);
    expect(a.history.filter((h: { action: string }) => h.action === 'escalate')).toHaveLength(0);
    expect(cardsTo('demo-manager', approvalId)).toHaveLength(1);
  });
});
