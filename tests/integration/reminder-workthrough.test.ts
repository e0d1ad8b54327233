import { Types } from 'mongoose';
import { toTemplateCard } from '../../bot/src/channels/wecom/wecom-card';
import type { Card } from '../../bot/src/core/bot-event';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';
import type { User } from '../../api/src/modules/org/user.model';

/**
 * Reminders a busy rep can work through (#15): the summary card lists every task with per-task and
 * all-at-once actions, the lists count and order, several complete at once, a logged visit settles the
 * old step, and a manager's team reminders name the rep and nudge them.
 */

// Monday 2026-11-23, Beijing time (+08:00).
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
let t: TestApp;
let rep1: string;
let rep2: string;
let customers: Array<{ id: string; name: string; lastFollowUpAt: string | null }>;

type OutCard = {
  taskId: string;
  title: string;
  description?: string;
  doneText?: string;
  fields?: Array<{ label: string; value: string }>;
  buttons: Array<{ key: string; text: string }>;
};
type Out = { kind: string; text?: string; markdown?: string; card?: OutCard };

beforeAll(async () => {
  t = await startTestApp({}, { crm: true, now: () => clock });
  rep1 = await t.login('demo-rep1');
  rep2 = await t.login('demo-rep2');
  const mine = await t.http.get('/api/v1/customers?limit=50').set('authorization', rep1);
  customers = (mine.body.items as Array<{ id: string; name: string; status: string; lastFollowUpAt: string | null }>)
    .filter((c) => c.status === 'owned')
    .map((c) => ({ id: c.id, name: c.name, lastFollowUpAt: c.lastFollowUpAt }));
  expect(customers.length).toBeGreaterThanOrEqual(5);
});
afterAll(() => t.close());

const sandboxOut = async (user: string): Promise<Out[]> =>
  (await t.bot.sandbox!.conversation(user)).filter((m) => m.direction === 'out').map((m) => m.message as Out);
const cardOf = async (user: string, taskId: string) => (await sandboxOut(user)).find((m) => m.card?.taskId === taskId)!.card!;
const tap = (user: string, key: string, taskId: string) => t.http.post('/sandbox/api/actions').send({ user, key, taskId }).expect(200);

async function followUp(auth: string, customerId: string, nextStep?: { text: string; dueAt: Date }, type = 'call') {
  const res = await t.http
    .post('/api/v1/follow-ups')
    .set('authorization', auth)
    .send({ customerId, type, content: '沟通需求', ...(nextStep ? { nextStep: { text: nextStep.text, dueAt: nextStep.dueAt.toISOString() } } : {}) });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const reminderOf = async (followUpId: string) =>
  (await t.conn
    .model<Reminder>('Reminder')
    .findOne({ followUpId: new Types.ObjectId(followUpId) })
    .lean()
    .exec())!;

describe('the summary card lists every task and lets the rep work through it', () => {
  it('shows customer + step + due per task, 完成 per task, 全部完成; taps settle rows and then the card', async () => {
    clock = bj('2026-11-23T08:00');
    const steps = ['发送报价单', '确认样品', '约技术交流', '催合同盖章'];
    const ids: string[] = [];
    for (const [i, text] of steps.entries()) ids.push(await followUp(rep1, customers[i]!.id, { text, dueAt: bj(`2026-11-23T10:0${i}`) }));
    clock = bj('2026-11-23T10:05');
    const pass = await t.scheduler('s1').tick();
    expect(pass.summaries).toBe(1);
    const taskId = (await reminderOf(ids[0]!)).delivery!.taskId!;
    const card = await cardOf('demo-rep1', taskId);
    expect(card.title).toBe('你有 4 条待跟进');
    // one row per task: the customer, the step and when (relative), never the same title four times
    expect(card.fields).toEqual(steps.map((text, i) => ({ label: customers[i]!.name, value: `${text} · ${5 - i}分钟前` })));
    const rids = await Promise.all(ids.map(async (id) => String((await reminderOf(id))._id)));
    expect(card.buttons.map((b) => b.key)).toEqual([...rids.map((id) => `rem.done:${id}`), `rem.doneall:${taskId}`, `rem.snoozeall:${taskId}`]);
    expect(card.buttons.length).toBeLessThanOrEqual(6); // WeCom's limit
    expect(card.buttons[0]!.text).toBe(`完成 ${customers[0]!.name}`.slice(0, 10));
    // as a WeCom template card: every row and every button fits (6 buttons, keyname ≤ 5, value ≤ 30 characters)
    const wecom = toTemplateCard(card as unknown as Card) as {
      button_list: Array<{ key: string }>;
      horizontal_content_list: Array<{ keyname: string; value: string }>;
    };
    expect(wecom.button_list.map((b) => b.key)).toEqual(card.buttons.map((b) => b.key));
    expect(wecom.horizontal_content_list).toHaveLength(4);
    expect(wecom.horizontal_content_list[0]!.value).toBe('发送报价单 · 5分钟前');

    // 完成 on one row: that reminder only; the card is redrawn with the row settled and its button gone
    await tap('demo-rep1', `rem.done:${rids[1]}`, taskId);
    expect((await reminderOf(ids[1]!)).status).toBe('done');
    expect((await reminderOf(ids[0]!)).status).toBe('sent');
    const after = await cardOf('demo-rep1', taskId);
    expect(after.title).toBe('你有 3 条待跟进');
    expect(after.fields![1]!.value).toBe('确认样品 · ✓ 已完成（聊天卡片）');
    expect(after.buttons.map((b) => b.key)).not.toContain(`rem.done:${rids[1]}`);
    expect(after.doneText).toBeFalsy();

    // 全部完成: the rest, once; the card is settled
    await tap('demo-rep1', `rem.doneall:${taskId}`, taskId);
    for (const id of ids) expect((await reminderOf(id)).status).toBe('done');
    const settled = await cardOf('demo-rep1', taskId);
    expect(settled.buttons).toEqual([]);
    expect(settled.doneText).toBe('全部处理完 ✓ 10:05');
  });

  it('全部完成 on someone else’s card is refused and changes nothing', async () => {
    clock = bj('2026-11-23T11:00');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await followUp(rep1, customers[i]!.id, { text: `第${i}步`, dueAt: bj('2026-11-23T11:00') }));
    await t.scheduler('s2').tick();
    const taskId = (await reminderOf(ids[0]!)).delivery!.taskId!;
    await tap('demo-rep2', `rem.doneall:${taskId}`, taskId);
    for (const id of ids) expect((await reminderOf(id)).status).toBe('sent');
    expect((await sandboxOut('demo-rep2')).at(-1)!.text).toContain('不是你的');
  });
});

describe('the reminder lists: counts, newest overdue first, several completed at once', () => {
  it('answers each box’s count; overdue is newest-overdue first', async () => {
    clock = bj('2026-11-23T12:00');
    const a = await followUp(rep2, (await rep2Customer()).id, { text: '很久以前的事', dueAt: bj('2026-11-23T12:05') });
    clock = bj('2026-11-23T12:10');
    const c2 = await rep2Customer(1);
    const b = await followUp(rep2, c2.id, { text: '刚逾期的事', dueAt: bj('2026-11-23T12:20') });
    await t.conn
      .model<Reminder>('Reminder')
      .updateOne({ followUpId: new Types.ObjectId(a) }, { $set: { dueAt: bj('2026-11-02T09:00') } })
      .exec();
    clock = bj('2026-11-23T13:00');
    const res = await t.http.get('/api/v1/reminders?box=overdue').set('authorization', rep2).expect(200);
    const texts = (res.body.items as Array<{ text: string }>).map((x) => x.text);
    expect(texts.indexOf('刚逾期的事')).toBeLessThan(texts.indexOf('很久以前的事'));
    expect(res.body.counts).toMatchObject({ overdue: res.body.items.length, today: expect.any(Number), upcoming: expect.any(Number), team: 0 });
    expect(b).toBeTruthy();
  });

  it('POST /reminders/complete completes the caller’s open ones, each once, and skips the rest', async () => {
    clock = bj('2026-11-23T14:00');
    const mine = [await followUp(rep1, customers[0]!.id, { text: 'A', dueAt: bj('2026-11-23T13:00') })];
    mine.push(await followUp(rep1, customers[1]!.id, { text: 'B', dueAt: bj('2026-11-23T13:30') }));
    const [r0, r1] = await Promise.all(mine.map(async (id) => String((await reminderOf(id))._id)));
    const theirs = String((await reminderOf(await followUp(rep2, (await rep2Customer()).id, { text: 'C', dueAt: bj('2026-11-23T13:00') })))._id);
    await t.http.post(`/api/v1/reminders/${r1}/complete`).set('authorization', rep1).expect(200);

    const res = await t.http
      .post('/api/v1/reminders/complete')
      .set('authorization', rep1)
      .send({ ids: [r0, r1, theirs, new Types.ObjectId().toHexString()] })
      .expect(200);
    expect(res.body.completed).toEqual([r0]);
    expect(res.body.skipped).toEqual([
      { id: r1, reason: 'not-open' },
      { id: theirs, reason: 'not-found' },
      { id: expect.any(String), reason: 'not-found' },
    ]);
    expect((await t.conn.model<Reminder>('Reminder').findById(theirs).lean())!.status).not.toBe('done');
    const again = await t.http
      .post('/api/v1/reminders/complete')
      .set('authorization', rep1)
      .send({ ids: [r0] })
      .expect(200);
    expect(again.body).toEqual({ completed: [], skipped: [{ id: r0, reason: 'not-open' }] });
    await t.http.post('/api/v1/reminders/complete').set('authorization', rep1).send({ ids: [] }).expect(400);
    await t.http
      .post('/api/v1/reminders/complete')
      .set('authorization', rep1)
      .send({ ids: ['x'] })
      .expect(400);
  });
});

describe('logging a follow-up settles the open next step of that customer', () => {
  // A customer has one next step (its nextFollowUpAt): a follow-up without one settles what was due by
  // today; a follow-up planning a new one replaces the earlier step, whenever it was due.
  it.each([
    ['a step due today (already sent), a visit without a next step → settled', '2026-11-24T10:00', false, 'done'],
    ['a step due next week, a visit without a next step → still open', '2026-12-01T10:00', false, 'scheduled'],
    ['a step due next week, a follow-up planning a new next step → replaced', '2026-12-01T10:00', true, 'done'],
  ] as const)('%s', async (_name, stepDue, withNext, want) => {
    clock = bj('2026-11-24T09:00');
    const c = customers[withNext ? 3 : 2]!;
    const step = await followUp(rep1, c.id, { text: '上门演示', dueAt: bj(stepDue) });
    clock = bj('2026-11-24T10:30');
    await t.scheduler('f1').tick();
    const visit = await followUp(rep1, c.id, withNext ? { text: '发合同', dueAt: bj('2026-11-26T10:00') } : undefined, 'visit');

    const r = await reminderOf(step);
    expect(r.status).toBe(want);
    if (want === 'done') expect(r.outcome).toBe('已跟进（拜访）');
    if (withNext) expect((await reminderOf(visit)).status).toBe('scheduled');
    if (want === 'done') {
      const overdue = await t.http.get('/api/v1/reminders?box=overdue').set('authorization', rep1);
      expect((overdue.body.items as Array<{ id: string }>).map((x) => x.id)).not.toContain(String(r._id));
      // and the morning digest no longer asks for it
      const content = await t.services.reminders.digestContent(r.userId, null);
      expect([...content.dueToday, ...content.overdue].map((x) => String(x._id))).not.toContain(String(r._id));
    }
  });

  it('another rep’s follow-up on the customer leaves my step alone', async () => {
    clock = bj('2026-11-24T11:00');
    const c = await rep2Customer(2);
    const mine = await followUp(rep2, c.id, { text: '电话回访', dueAt: bj('2026-11-24T10:00') });
    const admin = await t.login('demo-admin');
    await followUp(admin, c.id);
    expect((await reminderOf(mine)).status).toBe('scheduled');
  });
});

describe('a manager’s team reminders name the rep and nudge them', () => {
  it('names the rep; 提醒他 instead of 完成; the rep gets a reminder once; the manager’s is settled', async () => {
    clock = bj('2026-11-25T10:00');
    await t.services.reminders.runPolicies();
    const manager = (await t.conn.model<User>('User').findOne({ 'identities.wecom': 'demo-manager' }).lean())!;
    const team = (await t.conn
      .model<Reminder>('Reminder')
      .findOne({ userId: manager._id, dedupeKey: /^stalled-manager:/ })
      .lean())!;
    expect(team).toBeTruthy();
    const rep = (await t.conn.model<User>('User').findById(team.aboutUserId).lean())!;
    expect(team.title).toContain(rep.name);
    expect(team.text).toContain(`负责人 ${rep.name} 尚未推进`);

    const mgr = await t.login('demo-manager');
    const list = await t.http.get('/api/v1/reminders?box=team').set('authorization', mgr).expect(200);
    const item = (list.body.items as Array<{ id: string; aboutUser: { id: string; name: string } | null }>).find((x) => x.id === String(team._id))!;
    expect(item.aboutUser).toEqual({ id: String(rep._id), name: rep.name });
    expect(list.body.counts.team).toBe(list.body.items.length);

    // its card offers 提醒<rep> and no 完成
    await t.conn
      .model<Reminder>('Reminder')
      .updateMany({ userId: manager._id, _id: { $ne: team._id }, status: 'scheduled' }, { $set: { status: 'cancelled' } })
      .exec();
    await t.scheduler('m1').tick();
    const sent = (await t.conn.model<Reminder>('Reminder').findById(team._id).lean())!;
    const card = await cardOf('demo-manager', sent.delivery!.taskId!);
    expect(card.fields![0]).toEqual({ label: '负责人', value: rep.name });
    expect(card.buttons[0]).toMatchObject({ key: `rem.nudge:${String(team._id)}`, text: `提醒${rep.name}` });
    expect(card.buttons.map((b) => b.key)).not.toContain(`rem.done:${String(team._id)}`);

    await tap('demo-manager', `rem.nudge:${String(team._id)}`, sent.delivery!.taskId!);
    await tap('demo-manager', `rem.nudge:${String(team._id)}`, sent.delivery!.taskId!); // a second tap sends nothing more
    expect(await t.conn.model<Reminder>('Reminder').findById(team._id).lean()).toMatchObject({ status: 'done', outcome: `已提醒 ${rep.name}` });
    expect((await cardOf('demo-manager', sent.delivery!.taskId!)).doneText).toBe(`已提醒 ${rep.name}`);
    const nudges = await t.conn
      .model<Reminder>('Reminder')
      .find({ dedupeKey: `nudge:${String(team._id)}` })
      .lean();
    expect(nudges).toHaveLength(1);
    expect(nudges[0]).toMatchObject({ userId: rep._id, kind: 'stalled-opportunity', status: 'scheduled' });
    expect(nudges[0]!.title).toMatch(/^张伟 提醒你推进：/);
    expect(nudges[0]!.text).not.toContain('尚未推进');

    // only the manager's own team reminders; not a rep's ordinary one
    await t.http
      .post(`/api/v1/reminders/${String(team._id)}/nudge`)
      .set('authorization', rep1)
      .expect(404);
    const own = String((await reminderOf(await followUp(rep1, customers[4]!.id, { text: 'X', dueAt: bj('2026-11-26T10:00') })))._id);
    await t.http.post(`/api/v1/reminders/${own}/nudge`).set('authorization', rep1).expect(409);
  });
});

describe('cards say times the way people do', () => {
  it('a card due now says 今天 / 分钟前, and the last contact relative; the digest says 逾期', async () => {
    clock = bj('2026-11-26T09:00');
    // a customer last contacted before this pinned clock (the demo data are dated by the real one)
    const c = customers.find((x, i) => i >= 4 && (!x.lastFollowUpAt || new Date(x.lastFollowUpAt) < bj('2026-11-23T08:00')))!;
    const id = await followUp(rep1, c.id, { text: '准备方案', dueAt: bj('2026-11-26T09:30') });
    clock = bj('2026-11-26T09:35');
    await t.scheduler('c1').tick();
    const r = await reminderOf(id);
    const card = await cardOf('demo-rep1', r.delivery!.taskId!);
    expect(card.fields).toEqual(
      expect.arrayContaining([
        { label: '时间', value: '5分钟前' },
        { label: '上次联系', value: '35分钟前' },
      ]),
    );
    await tap('demo-rep1', `rem.snooze:${String(r._id)}:tomorrow-morning`, r.delivery!.taskId!);
    expect((await cardOf('demo-rep1', r.delivery!.taskId!)).doneText).toBe('已延后至 明天 09:00');

    // the next morning's digest: the step by customer, and how late it is rather than a date
    clock = bj('2026-11-27T09:00');
    await t.conn
      .model<Reminder>('Reminder')
      .updateOne({ _id: r._id }, { $set: { dueAt: bj('2026-11-25T09:00') } })
      .exec();
    await t.services.reminders.enqueueDigests();
    await t.scheduler('c2').tick();
    const digest = (await sandboxOut('demo-rep1')).filter((m) => m.kind === 'markdown' && m.markdown!.includes('今日跟进摘要')).at(-1)!;
    expect(digest.markdown).toContain(`- ${c.name}`);
    expect(digest.markdown).toContain('准备方案（逾期 2天）');
  });
});

async function rep2Customer(n = 0) {
  const res = await t.http.get('/api/v1/customers?limit=50').set('authorization', rep2);
  return (res.body.items as Array<{ id: string; name: string; status: string }>).filter((c) => c.status === 'owned')[n]!;
}
