import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';
import type { User } from '../../api/src/modules/org/user.model';

// Monday 2026-11-23, Beijing time (+08:00).
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
let t: TestApp;
let rep1: string;
let zhangsanId: string;

beforeAll(async () => {
  t = await startTestApp({}, { crm: true, now: () => clock });
  rep1 = await t.login('demo-rep1');
  const found = await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1);
  zhangsanId = found.body.items.find((c: { name: string }) => c.name === '张三').id;
});
afterAll(() => t.close());

/** rep1's reminder on `customerId`, sent as a sandbox card now. */
async function sentReminder(customerId = zhangsanId) {
  clock = bj('2026-11-23T10:00');
  const res = await t.http
    .post('/api/v1/follow-ups')
    .set('authorization', rep1)
    .send({ customerId, type: 'call', content: '电话沟通', nextStep: { text: '发报价', dueAt: bj('2026-11-23T10:30').toISOString() } });
  expect(res.status).toBe(201);
  clock = bj('2026-11-23T10:30');
  await t.scheduler(`w-${randomUUID()}`).tick();
  const r = (await t.conn
    .model<Reminder>('Reminder')
    .findOne({ followUpId: new Types.ObjectId(res.body.id as string) })
    .exec())!;
  expect(r.status).toBe('sent');
  return (await t.conn.model<Reminder>('Reminder').findById(r._id).lean().exec())!;
}

async function tap(user: string, key: string, taskId: string) {
  return t.bot.app.handle({
    channel: 'sandbox',
    platformUserId: user,
    type: 'action',
    action: { key, taskId },
    dedupeKey: randomUUID(),
    receivedAt: new Date(),
  });
}

const lastOut = async (user: string) => (await t.bot.sandbox!.conversation(user)).filter((m) => m.direction === 'out').at(-1)?.message;
const pendingPrompt = (user: string) => t.conn.collection('bot_pending_prompts').findOne({ key: `sandbox:${user}` });

describe('reminder card taps are checked like the API', () => {
  it.each([
    ['完成', (id: string) => `rem.done:${id}`],
    ['1小时后', (id: string) => `rem.snooze:${id}:1h`],
    ['明天上午', (id: string) => `rem.snooze:${id}:tomorrow-morning`],
    ['记录跟进', (id: string) => `rem.log:${id}`],
    ['summary 1小时后再提醒', (_id: string, taskId: string) => `rem.snoozeall:${taskId}`],
  ])('a forged %s tap on someone else’s reminder is refused politely and changes nothing', async (_name, key) => {
    const r = await sentReminder();
    const before = await lastOut('demo-rep1');
    expect(await tap('demo-rep2', key(String(r._id), r.delivery!.taskId!), r.delivery!.taskId!)).toBe('handled');

    const after = (await t.conn.model<Reminder>('Reminder').findById(r._id).lean().exec())!;
    expect(after).toMatchObject({ status: 'sent', dueAt: r.dueAt });
    expect(await lastOut('demo-rep1')).toEqual(before); // the owner's card is not redrawn
    const reply = await lastOut('demo-rep2');
    expect(reply).toMatchObject({ kind: 'text' });
    expect((reply as { text: string }).text).toMatch(/不存在或无权查看|不是你的/);
    expect(await pendingPrompt('demo-rep2')).toBeNull();
  });

  it('记录跟进 on a reminder whose customer the tapper may no longer see is refused before asking for text', async () => {
    const created = await t.http
      .post('/api/v1/customers')
      .set('authorization', rep1)
      .send({ name: '王五', company: '杭州移交测试有限公司', source: '其他', tier: 'C', tags: [], contacts: [] });
    expect(created.status).toBe(201);
    const r = await sentReminder(created.body.id as string);
    const rep3 = (await t.conn.model<User>('User').findOne({ 'identities.wecom': 'demo-rep3' }).lean().exec())!;
    await t.http
      .post(`/api/v1/customers/${created.body.id as string}/transfer`)
      .set('authorization', await t.login('demo-gm'))
      .send({ ownerId: String(rep3._id) })
      .expect(200);

    await tap('demo-rep1', `rem.log:${String(r._id)}`, r.delivery!.taskId!);
    expect(await pendingPrompt('demo-rep1')).toBeNull();
    expect(((await lastOut('demo-rep1')) as { text: string }).text).toMatch(/客户不存在或无权查看/);
  });

  it('the owner’s own taps still work (记录跟进 asks for the text)', async () => {
    const r = await sentReminder();
    await tap('demo-rep1', `rem.log:${String(r._id)}`, r.delivery!.taskId!);
    expect(await pendingPrompt('demo-rep1')).toMatchObject({ kind: 'rem.log', args: [String(r._id)] });
    await t.conn.collection('bot_pending_prompts').deleteMany({});
    await tap('demo-rep1', `rem.done:${String(r._id)}`, r.delivery!.taskId!);
    expect((await t.conn.model<Reminder>('Reminder').findById(r._id).lean().exec())!.status).toBe('done');
  });
});
