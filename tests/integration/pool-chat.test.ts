import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { safeTextSource } from '@crm/shared';
import { digestMarkdown } from '../../bot/src/reminders/reminder-cards';

/**
 * Pools in chat (issue #18), through the sandbox: the reclaim warning card (写跟进 resets the clock; 申请延期
 * goes to the manager and, approved, moves the return), the notice of a return, 公海 and 领取 <客户>, and the
 * new-lead card (接受).
 */
const DAY = 86_400_000;
const T0 = new Date('2026-05-04T02:00:00.000Z');
let clock = T0;
let t: TestApp;
const at = (days: number) => new Date(T0.getTime() + days * DAY);

beforeAll(async () => {
  t = await startTestApp({}, { now: () => clock });
});
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });

async function event(user: string, e: { text?: string; action?: { key: string; taskId?: string } }) {
  return t.bot.app.handle({
    channel: 'sandbox',
    platformUserId: user,
    type: e.action ? 'action' : 'message',
    ...e,
    dedupeKey: randomUUID(),
    receivedAt: new Date(),
  });
}
const outs = async (user: string) => (await t.bot.sandbox!.conversation(user)).filter((m) => m.direction === 'out').map((m) => m.message);
const lastOut = async (user: string) =>
  (await outs(user)).at(-1) as Record<string, unknown> & { card?: { taskId: string; title: string; buttons: Array<{ key: string }> } };
const textOf = (m: unknown) => JSON.stringify(m);

async function newCustomer(login: string, name: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.http
    .post('/api/v1/customers')
    .set(await as(login))
    .send({ source: '展会', name, company: `${name}商贸有限公司`, tier: 'C', contacts: [], ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const status = async (id: string) => (await t.conn.collection('customers').findOne({ _id: new mongoose.Types.ObjectId(id) }))!.status as string;

it('the warning card: 写跟进 logs a follow-up from the next message and restarts the clock', async () => {
  clock = T0;
  const id = await newCustomer('demo-rep1', '韩梅');
  clock = at(12);
  await t.services.pools.run(clock);
  await t.bot.inFlight.drain();
  const card = (await lastOut('demo-rep1')).card!;
  expect(card.title).toBe('客户即将退回公海：韩梅');
  expect(textOf(card)).toContain('3 天后将退回公海：15 天未跟进');
  expect(card.buttons.map((b) => b.key)).toEqual([`pool.fu:${id}`, `pool.ext:${id}`]);
  // and in the owner's morning digest
  const rep1 = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-rep1'))!;
  const digest = await t.services.reminders.digestContent(rep1._id, null);
  expect(digest.reclaimSoon).toEqual([{ name: '韩梅', inDays: 3, reason: '15 天未跟进' }]);
  const text = safeTextSource(digestMarkdown('刘洋', digest, { tz: 'Asia/Shanghai', now: clock, appUrl: (p) => p }));
  expect(text).toContain('即将退回公海 1 个');
  expect(text).toContain('韩梅：3 天后将退回公海（15 天未跟进）');

  await event('demo-rep1', { action: { key: `pool.fu:${id}`, taskId: card.taskId } });
  expect(textOf(await lastOut('demo-rep1'))).toContain('请直接回复这次跟进的内容');
  await event('demo-rep1', { text: '已电话沟通，客户下周看样品' });
  expect(textOf(await lastOut('demo-rep1'))).toContain('已记录 韩梅 的跟进');
  const followUps = await t.conn.collection('follow_ups').countDocuments({ customerId: new mongoose.Types.ObjectId(id) });
  expect(followUps).toBe(1);
  expect(await t.services.pools.reclaimWarning(new mongoose.Types.ObjectId(id))).toBeNull();
  expect((await t.services.reminders.digestContent(rep1._id, null)).reclaimSoon).toEqual([]);
  await t.services.pools.run(at(16));
  expect(await status(id)).toBe('owned');
});

it('申请延期 goes to the manager; once approved the return waits extensionDays past the due date', async () => {
  clock = T0;
  const id = await newCustomer('demo-rep2', '李雷');
  clock = at(12);
  await t.services.pools.run(clock);
  await t.bot.inFlight.drain();
  const card = (await lastOut('demo-rep2')).card!;
  await event('demo-rep2', { action: { key: `pool.ext:${id}`, taskId: card.taskId } });
  await t.services.approvals.settled(); // the requester's approval card goes out in the background too
  expect(textOf(await outs('demo-rep2'))).toContain('已申请延期，等待经理审批');
  const approval = await t.conn.collection('approvals').findOne({ subjectType: 'pool-extension', subjectId: new mongoose.Types.ObjectId(id) });
  expect(approval).toMatchObject({ status: 'pending' });
  const decided = await t.http
    .post(`/api/v1/approvals/${String(approval!._id)}/decision`)
    .set(await as('demo-manager'))
    .send({ decision: 'approve' });
  expect(decided.status).toBe(200);
  expect(decided.body.status).toBe('approved');
  await t.services.approvals.settled();
  // due on day 15; extended 7 days past it
  await t.services.pools.run(at(21.9));
  expect(await status(id)).toBe('owned');
  await t.services.pools.run(at(22.1));
  expect(await status(id)).toBe('pool');
  const audit = await t.services.audit.list({ entityType: 'customer', entityId: id, limit: 20 });
  expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['customer.reclaim-warning', 'customer.reclaim-extend', 'customer.reclaim']));
  // the previous owner is told
  await t.bot.inFlight.drain();
  expect(textOf(await lastOut('demo-rep2'))).toContain('李雷');
  expect(textOf(await lastOut('demo-rep2'))).toContain('已退回公司公海');
});

it('公海 lists claimable customers near the rep; 领取 <客户> claims one through the pool rules', async () => {
  clock = at(100);
  const id = await newCustomer('demo-rep1', '王芳', { region: { province: '江苏', city: '南京' } });
  await t.http
    .post(`/api/v1/customers/${id}/release`)
    .set(await as('demo-rep1'))
    .send({ reason: '暂不跟进' });
  await newCustomer('demo-rep2', '周强', { region: { province: '江苏', city: '苏州' } });
  await event('demo-rep2', { text: '公海' });
  const list = textOf(await lastOut('demo-rep2'));
  expect(list).toContain('附近可领取的公海客户');
  expect(list).toContain('王芳');
  await event('demo-rep2', { text: '领取 王芳' });
  expect(textOf(await lastOut('demo-rep2'))).toContain('已领取');
  expect(await status(id)).toBe('owned');
  await event('demo-rep2', { text: '领取 不存在的客户' });
  expect(textOf(await lastOut('demo-rep2'))).toContain('公海中没有找到');
  // the previous owner in the cooldown: refused with the reason
  await t.http
    .post(`/api/v1/customers/${id}/release`)
    .set(await as('demo-rep2'))
    .send({});
  await event('demo-rep2', { text: '领取 王芳' });
  expect(textOf(await lastOut('demo-rep2'))).toContain('冷却');
});

it('the new-lead card: 接受 keeps the lead', async () => {
  clock = at(200);
  const id = await newCustomer('demo-admin', '赵六', { region: { province: '广东', city: '广州' } });
  const a = (await t.services.assignments.assignNew(id))!;
  expect(a.reason).toBe('按地区：华南 → 黄磊');
  await t.bot.inFlight.drain();
  const card = (await lastOut('demo-rep3')).card!;
  expect(card.title).toBe('新线索：赵六');
  expect(textOf(card)).toContain('按地区：华南 → 黄磊');
  await event('demo-rep3', { action: { key: `asg.ok:${String(a._id)}`, taskId: card.taskId } });
  expect((await t.conn.collection('assignments').findOne({ _id: a._id }))!.state).toBe('accepted');
});
