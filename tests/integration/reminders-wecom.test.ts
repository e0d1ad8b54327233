import { Types } from 'mongoose';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';

// The business clock is pinned (Monday 2026-11-23, Beijing); WeCom's callbacks carry real timestamps.
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
let fake: FakeWeComServer;
let t: TestApp;
let rep1: string;
let zhangsanId: string;

beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: true, now: () => clock });
  rep1 = await t.login('demo-rep1');
  const found = await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1);
  zhangsanId = found.body.items.find((c: { name: string }) => c.name === '张三').id;
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const post = (packet: { query: Record<string, string>; body: string }) =>
  t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body).expect(200);

async function dueReminder(at: Date, text: string) {
  const res = await t.http
    .post('/api/v1/follow-ups')
    .set('authorization', rep1)
    .send({ customerId: zhangsanId, type: 'call', content: '初次沟通', nextStep: { text, dueAt: at.toISOString() } })
    .expect(201);
  clock = at;
  await t.scheduler().tick();
  const r = (await t.conn
    .model<Reminder>('Reminder')
    .findOne({ followUpId: new Types.ObjectId(res.body.id as string) })
    .lean())!;
  expect(r.status).toBe('sent');
  return r;
}

describe('the follow-up loop through WeCom (encrypted callbacks, fake WeCom API)', () => {
  it('reminder card at the due time → encrypted click on 完成 → card updated with the click’s code, reminder closed', async () => {
    const r = await dueReminder(bj('2026-11-23T10:30'), '发送报价单');
    const card = fake
      .to('demo-rep1')
      .find((d) => d.msgtype === 'template_card' && (d.body.template_card as { task_id: string }).task_id === r.delivery!.taskId)!;
    const tc = card.body.template_card as { main_title: { title: string }; button_list: Array<{ key: string; text: string }> };
    expect(tc.main_title.title).toContain('张三');
    expect(tc.button_list.map((b) => b.text)).toEqual(['完成', '1小时后', '明天上午', '下周一', '记录跟进']);
    // the send's own code, kept by the WeCom adapter (its own collection) for later redraws
    const codes = await t.conn.collection('wecom_card_codes').findOne({ taskId: r.delivery!.taskId });
    expect(codes!.codes).toEqual([{ code: expect.any(String), at: expect.any(Date), by: 'demo-rep1' }]);

    const code = fake.issueClickResponseCode();
    await post(sealedPost(cardClickXml('demo-rep1', `rem.done:${String(r._id)}`, r.delivery!.taskId!, code)));
    await t.bot.inFlight.drain();
    expect((await t.conn.model<Reminder>('Reminder').findById(r._id).lean())!.status).toBe('done');
    const update = fake.updates.find((u) => u.response_code === code)!;
    expect(update.userids).toEqual(['demo-rep1']);
    expect(update.template_card).toMatchObject({ task_id: r.delivery!.taskId, replace_text: '已完成 ✓ 10:30', button_list: [] });
  });

  it('a text reply → follow-up saved, next reminder scheduled, confirmation sent; the card is redrawn with its stored code', async () => {
    const r = await dueReminder(bj('2026-11-23T11:00'), '回访');
    // the send's own code, kept by the WeCom adapter
    const codesOf = async () =>
      ((await t.conn.collection('wecom_card_codes').findOne({ taskId: r.delivery!.taskId }))!.codes as Array<{ code: string }>).map((c) => c.code);
    const [storedCode] = await codesOf();
    const before = fake.to('demo-rep1').length;
    await post(sealedPost(textXml('demo-rep1', '已电话沟通，客户要求下周二下午再联系')));
    await t.bot.inFlight.drain();
    const logged = (await t.conn.model<FollowUp>('FollowUp').findOne({ content: '已电话沟通，客户要求下周二下午再联系' }).lean())!;
    expect(logged.nextStep!.dueAt).toEqual(bj('2026-12-01T14:00'));
    expect(await t.conn.model<Reminder>('Reminder').findOne({ followUpId: logged._id }).lean()).toMatchObject({
      status: 'scheduled',
      dueAt: bj('2026-12-01T14:00'),
    });
    expect((await t.conn.model<Reminder>('Reminder').findById(r._id).lean())!.status).toBe('done');
    const replies = fake.to('demo-rep1').slice(before);
    // the confirmation is a card naming the customer, with 撤销 / 改时间 / 换客户; the step is the step, not the sentence
    expect(replies.map((d) => d.msgtype)).toEqual(['template_card']);
    expect(JSON.stringify(replies[0]!.body.template_card)).toContain('下次提醒：12月1日（周二）14:00。\\n下一步：再联系');
    expect(JSON.stringify(replies[0]!.body.template_card)).toContain('张三');
    expect(logged.nextStep!.text).toBe('再联系');
    const redraw = fake.updates.find((u) => u.response_code === storedCode)!;
    expect(redraw.template_card).toMatchObject({ replace_text: '已记录跟进 ✓ 11:00' });
    expect(await codesOf()).toEqual([]); // used once
  });
});
