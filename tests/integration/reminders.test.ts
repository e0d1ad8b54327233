import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';
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

const sandboxOut = async (user: string) =>
  (await t.bot.sandbox!.conversation(user))
    .filter((m) => m.direction === 'out')
    .map(
      (m) =>
        m.message as {
          kind: string;
          text?: string;
          markdown?: string;
          card?: { taskId: string; title: string; doneText?: string; buttons: Array<{ key: string }> };
        },
    );

async function followUpWithNextStep(dueAt: Date, text = '发送报价单') {
  const res = await t.http
    .post('/api/v1/follow-ups')
    .set('authorization', rep1)
    .send({ customerId: zhangsanId, type: 'call', content: '电话沟通需求', nextStep: { text, dueAt: dueAt.toISOString() } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const reminderOf = (followUpId: string) =>
  t.conn
    .model<Reminder>('Reminder')
    .findOne({ followUpId: new Types.ObjectId(followUpId) })
    .lean()
    .exec();

describe('a follow-up’s next step is a reminder to its author', () => {
  it('is scheduled, moves with the step, and is cancelled when the step is removed', async () => {
    clock = bj('2026-11-23T10:00');
    const id = await followUpWithNextStep(bj('2026-11-24T15:00'));
    let r = await reminderOf(id);
    expect(r).toMatchObject({ kind: 'next-step', status: 'scheduled', dueAt: bj('2026-11-24T15:00'), text: '发送报价单' });
    expect(r!.title).toContain('张三');

    await t.http
      .patch(`/api/v1/follow-ups/${id}`)
      .set('authorization', rep1)
      .send({ content: '电话沟通需求', nextStep: { text: '发送报价单', dueAt: bj('2026-11-25T10:00').toISOString() } })
      .expect(200);
    r = await reminderOf(id);
    expect(r!.dueAt).toEqual(bj('2026-11-25T10:00'));

    const upcoming = await t.http.get('/api/v1/reminders?box=upcoming').set('authorization', rep1);
    expect(upcoming.body.items.map((x: { id: string }) => x.id)).toContain(String(r!._id));
    expect(upcoming.body.items.find((x: { id: string }) => x.id === String(r!._id))).toMatchObject({
      customerName: expect.stringContaining('张三'),
      followUpId: id,
    });

    await t.http.patch(`/api/v1/follow-ups/${id}`).set('authorization', rep1).send({ content: '电话沟通需求', nextStep: null }).expect(200);
    expect((await reminderOf(id))!.status).toBe('cancelled');
  });

  it('reminders are personal: another user gets 404 for it and never lists it', async () => {
    const id = await followUpWithNextStep(bj('2026-11-26T10:00'));
    const r = await reminderOf(id);
    const rep2 = await t.login('demo-rep2');
    await t.http
      .get(`/api/v1/reminders/${String(r!._id)}`)
      .set('authorization', rep2)
      .expect(404);
    await t.http
      .post(`/api/v1/reminders/${String(r!._id)}/complete`)
      .set('authorization', rep2)
      .expect(404);
    const list = await t.http.get('/api/v1/reminders?box=upcoming').set('authorization', rep2);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(String(r!._id));
  });

  it('refuses a snooze into the past and operator injection', async () => {
    const id = await followUpWithNextStep(bj('2026-11-26T11:00'));
    const r = await reminderOf(id);
    const past = await t.http
      .post(`/api/v1/reminders/${String(r!._id)}/snooze`)
      .set('authorization', rep1)
      .send({ until: bj('2026-11-20T10:00').toISOString() });
    expect(past.status).toBe(400);
    const hostile = await t.http.get('/api/v1/reminders?box[$ne]=x').set('authorization', rep1);
    expect(hostile.status).toBe(400);
  });
});

describe('the card at the due time, and taps that write back (sandbox channel)', () => {
  it('sends one card at the due time; 完成 closes it and redraws the card; a second tap changes nothing', async () => {
    clock = bj('2026-11-23T10:00');
    const id = await followUpWithNextStep(bj('2026-11-23T11:00'), '确认报价');
    const scheduler = t.scheduler('w1');
    expect((await scheduler.tick()).cards).toBe(0); // not due yet
    clock = bj('2026-11-23T11:00');
    const pass = await scheduler.tick();
    expect(pass.cards).toBeGreaterThanOrEqual(1);
    const r = (await reminderOf(id))!;
    expect(r.status).toBe('sent');
    const card = (await sandboxOut('demo-rep1')).find((m) => m.card?.taskId === r.delivery!.taskId)!.card!;
    expect(card.title).toContain('张三');
    expect(card.buttons.map((b) => b.key)).toEqual([
      `rem.done:${String(r._id)}`,
      `rem.snooze:${String(r._id)}:1h`,
      `rem.snooze:${String(r._id)}:tomorrow-morning`,
      `rem.snooze:${String(r._id)}:next-monday`,
      `rem.log:${String(r._id)}`,
    ]);
    expect(await scheduler.tick()).toMatchObject({ claimed: 0 }); // never twice

    await t.http
      .post('/sandbox/api/actions')
      .send({ user: 'demo-rep1', key: `rem.done:${String(r._id)}`, taskId: r.delivery!.taskId })
      .expect(200);
    const done = (await reminderOf(id))!;
    expect(done.status).toBe('done');
    const redrawn = (await sandboxOut('demo-rep1')).find((m) => m.card?.taskId === r.delivery!.taskId)!.card!;
    expect(redrawn.doneText).toBe('已完成 ✓ 11:00');
    expect(redrawn.buttons).toEqual([]);
    const completions = async () =>
      (await t.services.audit.list({ entityType: 'reminder', entityId: String(r._id), limit: 50 })).items.filter((a) => a.action === 'reminder.complete');
    const audits = await completions();
    expect(audits).toHaveLength(1);
    expect(audits[0]!.channel).toBe('bot');

    // the same tap again (a double tap) is a duplicate delivery: nothing changes, no second audit entry
    await t.http
      .post('/sandbox/api/actions')
      .send({ user: 'demo-rep1', key: `rem.done:${String(r._id)}`, taskId: r.delivery!.taskId })
      .expect(200);
    expect(await completions()).toHaveLength(1);
  });

  it('a reminder completed in the mini-app: a later tap on its card (延后 or 完成) changes nothing and the card tells the truth', async () => {
    clock = bj('2026-11-23T13:00');
    const id = await followUpWithNextStep(bj('2026-11-23T13:00'), '确认样品');
    await t.scheduler().tick();
    const r = (await reminderOf(id))!;
    await t.http
      .post(`/api/v1/reminders/${String(r._id)}/complete`)
      .set('authorization', rep1)
      .expect(200);
    await t.http
      .post('/sandbox/api/actions')
      .send({ user: 'demo-rep1', key: `rem.snooze:${String(r._id)}:1h`, taskId: r.delivery!.taskId })
      .expect(200);
    expect((await reminderOf(id))!.status).toBe('done');
    const card = (await sandboxOut('demo-rep1')).find((m) => m.card?.taskId === r.delivery!.taskId)!.card!;
    expect(card.doneText).toBe('已完成 ✓ 13:00');
    expect(card.buttons).toEqual([]);
  });

  it('延后 明天上午 reschedules to 09:00 tomorrow and says so on the card', async () => {
    clock = bj('2026-11-23T14:00');
    const id = await followUpWithNextStep(bj('2026-11-23T14:00'), '约演示');
    await t.scheduler().tick();
    const r = (await reminderOf(id))!;
    await t.http
      .post('/sandbox/api/actions')
      .send({ user: 'demo-rep1', key: `rem.snooze:${String(r._id)}:tomorrow-morning`, taskId: r.delivery!.taskId })
      .expect(200);
    const moved = (await reminderOf(id))!;
    expect(moved).toMatchObject({ status: 'scheduled', dueAt: bj('2026-11-24T09:00') });
    const card = (await sandboxOut('demo-rep1')).find((m) => m.card?.taskId === r.delivery!.taskId)!.card!;
    expect(card.doneText).toBe('已延后至 明天 09:00'); // relative, like the mini-app
  });

  it('a free-text reply after a reminder becomes a follow-up; its date becomes the next reminder; 改到 corrects it', async () => {
    clock = bj('2026-11-23T15:00');
    const id = await followUpWithNextStep(bj('2026-11-23T15:00'), '回访');
    await t.scheduler().tick();
    expect((await reminderOf(id))!.status).toBe('sent');
    await t.http.post('/sandbox/api/messages').send({ user: 'demo-rep1', text: '已电话沟通，客户要求下周二下午再联系' }).expect(200);

    const logged = await t.conn.model<FollowUp>('FollowUp').findOne({ content: '已电话沟通，客户要求下周二下午再联系' }).lean();
    expect(logged).toMatchObject({ type: 'call', source: 'bot', customerId: new Types.ObjectId(zhangsanId) });
    expect(logged!.nextStep!.dueAt).toEqual(bj('2026-12-01T14:00'));
    expect((await reminderOf(id))!.status).toBe('done');
    const next = (await reminderOf(String(logged!._id)))!;
    expect(next).toMatchObject({ status: 'scheduled', dueAt: bj('2026-12-01T14:00') });
    // the confirmation is a card naming the customer, with 改时间 (and 撤销 / 换客户)
    const confirm = (await sandboxOut('demo-rep1')).at(-1)!;
    expect(JSON.stringify(confirm.card)).toContain('下次提醒：12月1日（周二）14:00');
    expect(confirm.card!.title).toContain('张三');
    expect(confirm.card!.buttons.map((b) => b.key.split(':')[0])).toEqual(['fu.undo', 'fu.retime', 'fu.move']);

    await t.http.post('/sandbox/api/messages').send({ user: 'demo-rep1', text: '改到 周三上午' }).expect(200);
    expect((await reminderOf(String(logged!._id)))!.dueAt).toEqual(bj('2026-11-25T09:00'));
    expect((await sandboxOut('demo-rep1')).at(-1)!.text).toBe('好的，张三（上海星辰信息科技有限公司） 的下次提醒改为 11月25日（周三）09:00。');
  });

  it('记录跟进 asks for one message and logs it', async () => {
    clock = bj('2026-11-23T16:00');
    const id = await followUpWithNextStep(bj('2026-11-23T16:00'), '催合同');
    await t.scheduler().tick();
    const r = (await reminderOf(id))!;
    await t.http
      .post('/sandbox/api/actions')
      .send({ user: 'demo-rep1', key: `rem.log:${String(r._id)}`, taskId: r.delivery!.taskId })
      .expect(200);
    expect((await sandboxOut('demo-rep1')).at(-1)!.text).toContain('请直接回复这次跟进的内容');
    await t.http.post('/sandbox/api/messages').send({ user: 'demo-rep1', text: '上门拜访了，合同明天上午盖章' }).expect(200);
    const logged = await t.conn.model<FollowUp>('FollowUp').findOne({ content: '上门拜访了，合同明天上午盖章' }).lean();
    expect(logged).toMatchObject({ type: 'visit' });
    expect(logged!.nextStep!.dueAt).toEqual(bj('2026-11-24T09:00'));
    expect((await reminderOf(id))!.status).toBe('done');
  });

  it('short chatter after a reminder is not logged', async () => {
    const before = await t.conn.model<FollowUp>('FollowUp').countDocuments();
    await t.http.post('/sandbox/api/messages').send({ user: 'demo-rep1', text: '好的' }).expect(200);
    expect(await t.conn.model<FollowUp>('FollowUp').countDocuments()).toBe(before);
  });
});

describe('stalled deals and cold customers', () => {
  it('creates each reminder once however often the policies run; a deal that moves on cancels its alert', async () => {
    clock = bj('2026-11-23T10:30');
    const first = await t.services.reminders.runPolicies();
    expect(first.stalled).toBeGreaterThan(0);
    expect(first.cold).toBeGreaterThan(0);
    const count = await t.conn.model<Reminder>('Reminder').countDocuments({ kind: { $in: ['stalled-opportunity', 'cold-customer'] } });
    await t.services.reminders.runPolicies();
    expect(await t.conn.model<Reminder>('Reminder').countDocuments({ kind: { $in: ['stalled-opportunity', 'cold-customer'] } })).toBe(count);

    const alert = (await t.conn
      .model<Reminder>('Reminder')
      .findOne({ kind: 'stalled-opportunity', dedupeKey: /^stalled:/ })
      .lean())!;
    expect(alert.title).toMatch(/^商机停滞：/);
    const owner = (await t.conn.model<User>('User').findById(alert.userId).lean())!;
    const token = await t.login(owner.identities.wecom!);
    const deal = await t.http.get(`/api/v1/opportunities/${String(alert.opportunityId)}`).set('authorization', token);
    const stages = t.config.crm.stages.filter((s) => s.outcome === 'open').map((s) => s.key);
    const nextStage = stages[(stages.indexOf(deal.body.stage) + 1) % stages.length];
    await t.http
      .post(`/api/v1/opportunities/${String(alert.opportunityId)}/stage`)
      .set('authorization', token)
      .send({ stage: nextStage })
      .expect(200);
    await t.scheduler().tick();
    expect(await t.conn.model<Reminder>('Reminder').findById(alert._id).lean()).toMatchObject({ status: 'cancelled', outcome: '商机已推进或关闭' });
  });

  it('the morning digest for a manager lists the team; it goes out once', async () => {
    clock = bj('2026-11-24T09:00');
    await t.services.reminders.enqueueDigests();
    await t.services.reminders.enqueueDigests();
    await t.scheduler('d1').tick();
    await t.scheduler('d2').tick();
    const digests = (await sandboxOut('demo-manager')).filter((m) => m.kind === 'markdown' && m.markdown!.includes('今日跟进摘要'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.markdown).toContain('**团队**');
    expect(digests[0]!.markdown).toContain('刘洋');
  });
});
