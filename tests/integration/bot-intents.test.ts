import { Types } from 'mongoose';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';

/*
 * What reps and managers type, through the WeCom callback (encrypted packets, the fake WeCom API): the intent
 * router in front of the listeners. The business clock is pinned (Monday 2026-11-23 10:00, Beijing).
 */
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
let fake: FakeWeComServer;
let t: TestApp;
const ids: Record<string, string> = {};

type Tc = { task_id: string; main_title: { title: string; desc?: string }; sub_title_text?: string; button_list: Array<{ key: string; text: string }> };

beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: true, now: () => clock });
  const rep1 = await t.login('demo-rep1');
  for (const name of ['张三', '韩梅梅']) {
    const found = await t.http.get(`/api/v1/customers?q=${encodeURIComponent(name)}`).set('authorization', rep1);
    ids[name] = found.body.items.find((c: { name: string }) => c.name === name).id;
  }
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const post = (packet: { query: Record<string, string>; body: string }) =>
  t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body).expect(200);

/** Sends a text as `user` and answers what the bot sent back. */
async function say(user: string, text: string) {
  const before = fake.to(user).length;
  await post(sealedPost(textXml(user, text)));
  await t.bot.inFlight.drain();
  return fake.to(user).slice(before);
}
async function tap(user: string, key: string, taskId: string) {
  const before = fake.to(user).length;
  const code = fake.issueClickResponseCode();
  await post(sealedPost(cardClickXml(user, key, taskId, code)));
  await t.bot.inFlight.drain();
  return { replies: fake.to(user).slice(before), update: fake.updates.find((u) => u.response_code === code) };
}
const card = (d: { body: Record<string, unknown> }) => d.body.template_card as Tc;
const textOf = (d: { msgtype: string; body: Record<string, unknown> }) =>
  d.msgtype === 'text'
    ? (d.body.text as { content: string }).content
    : d.msgtype === 'markdown'
      ? (d.body.markdown as { content: string }).content
      : JSON.stringify(d.body.template_card);
const FollowUps = () => t.conn.model<FollowUp>('FollowUp');
const latestFollowUp = async () => (await FollowUps().findOne({ source: 'bot' }).sort({ createdAt: -1 }).lean())!;

describe('a follow-up in one sentence, at any time', () => {
  it('“拜访了张三，演示了新版，下周二下午再联系” → a visit on 张三, next step “再联系” on Tuesday 14:00, confirmed with the customer and 撤销 / 改时间 / 换客户', async () => {
    clock = bj('2026-11-23T10:00');
    const replies = await say('demo-rep1', '拜访了张三，演示了新版，下周二下午再联系');
    const fu = await latestFollowUp();
    expect(String(fu.customerId)).toBe(ids['张三']);
    expect(fu).toMatchObject({
      type: 'visit',
      content: '拜访了张三，演示了新版，下周二下午再联系',
      nextStep: { text: '再联系', dueAt: bj('2026-12-01T14:00') },
    });
    expect(replies).toHaveLength(1);
    const c = card(replies[0]!);
    expect(c.main_title.title).toContain('张三');
    expect(JSON.stringify(c)).toContain('12月1日');
    expect(c.button_list.map((b) => b.text)).toEqual(['撤销', '改时间', '换客户']);
  });

  it('撤销 (typed) removes it within 10 minutes, audited, and cancels its reminder; once', async () => {
    clock = bj('2026-11-23T10:05');
    const fu = await latestFollowUp();
    const reply = await say('demo-rep1', '撤销');
    expect(textOf(reply[0]!)).toContain('已撤销 张三');
    expect(await FollowUps().findById(fu._id).lean()).toBeNull();
    expect((await t.conn.model<Reminder>('Reminder').findOne({ followUpId: fu._id }).lean())!.status).toBe('cancelled');
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'follow-up.undo', entityId: String(fu._id) })).toBe(1);
    const again = await say('demo-rep1', '撤销');
    expect(textOf(again[0]!)).toContain('没有可以撤销的跟进');
  });

  it('撤销 on the confirmation card; after 10 minutes nothing is undone', async () => {
    clock = bj('2026-11-23T11:00');
    const [confirm] = await say('demo-rep1', '给韩梅梅打了电话，确认了需求');
    const fu = await latestFollowUp();
    expect(String(fu.customerId)).toBe(ids['韩梅梅']);
    const { update } = await tap('demo-rep1', `fu.undo:${String(fu._id)}`, card(confirm!).task_id);
    expect(update!.template_card).toMatchObject({ replace_text: '已撤销' });
    expect(await FollowUps().findById(fu._id).lean()).toBeNull();

    await say('demo-rep1', '给韩梅梅打了电话，聊了价格');
    const kept = await latestFollowUp();
    clock = bj('2026-11-23T11:11');
    const late = await say('demo-rep1', '撤销');
    expect(textOf(late[0]!)).toContain('没有可以撤销');
    expect(await FollowUps().findById(kept._id).lean()).not.toBeNull();
  });

  it('no customer named → “记到哪个客户？” with up to 5 buttons and 取消; a typed name finishes it; a tap finishes another', async () => {
    clock = bj('2026-11-23T14:00');
    const before = await FollowUps().countDocuments();
    const [ask] = await say('demo-rep1', '电话沟通了报价，下周三上午再联系');
    expect(await FollowUps().countDocuments()).toBe(before);
    const c = card(ask!);
    expect(c.main_title.title).toBe('记到哪个客户？');
    expect(c.button_list.length).toBeLessThanOrEqual(6);
    expect(c.button_list.at(-1)!.text).toBe('取消');
    await say('demo-rep1', '韩梅梅');
    const fu = await latestFollowUp();
    expect(String(fu.customerId)).toBe(ids['韩梅梅']);
    expect(fu.nextStep).toMatchObject({ text: '再联系', dueAt: bj('2026-12-02T09:00') });

    const [ask2] = await say('demo-rep1', '发了微信，对方说月底前答复');
    const pick = card(ask2!).button_list[0]!;
    const chosen = pick.key.split(':')[2]!;
    const { update } = await tap('demo-rep1', pick.key, card(ask2!).task_id);
    expect(update!.template_card).toMatchObject({ replace_text: expect.stringContaining('已选') });
    const fu2 = await latestFollowUp();
    expect(String(fu2.customerId)).toBe(chosen);
    expect(fu2.type).toBe('wechat');

    const [ask3] = await say('demo-rep1', '上门演示了一次');
    const cancel = card(ask3!).button_list.at(-1)!;
    const n = await FollowUps().countDocuments();
    await tap('demo-rep1', cancel.key, card(ask3!).task_id);
    expect(await FollowUps().countDocuments()).toBe(n);
  });

  it('“不对，是韩梅梅的” moves the last chat follow-up to 韩梅梅', async () => {
    clock = bj('2026-11-23T15:00');
    await say('demo-rep1', '拜访了张三，聊了续约');
    const wrong = await latestFollowUp();
    expect(String(wrong.customerId)).toBe(ids['张三']);
    const [moved] = await say('demo-rep1', '不对，是韩梅梅的');
    expect(await FollowUps().findById(wrong._id).lean()).toBeNull();
    const right = await latestFollowUp();
    expect(String(right.customerId)).toBe(ids['韩梅梅']);
    expect(right.content).toBe('拜访了张三，聊了续约');
    expect(card(moved!).main_title.title).toContain('韩梅梅');
  });
});

describe('chatter and questions are not data', () => {
  it('after a reminder: 好的 / 收到 / 谢谢 / 便宜一点 / a question log nothing; a report logs on the reminder; two open cards → ask', async () => {
    const rep1 = await t.login('demo-rep1');
    clock = bj('2026-11-24T10:00');
    await t.http
      .post('/api/v1/follow-ups')
      .set('authorization', rep1)
      .send({ customerId: ids['张三'], type: 'call', content: '初次沟通', nextStep: { text: '回访', dueAt: bj('2026-11-24T10:30').toISOString() } })
      .expect(201);
    clock = bj('2026-11-24T10:30');
    await t.scheduler().tick();
    const n = await FollowUps().countDocuments();
    for (const text of ['好的', '收到', '谢谢', '便宜一点', '能便宜点吗？']) await say('demo-rep1', text);
    expect(await FollowUps().countDocuments()).toBe(n);

    // a second card open (韩梅梅): a report naming nobody is not put on the newest card
    await t.http
      .post('/api/v1/follow-ups')
      .set('authorization', rep1)
      .send({ customerId: ids['韩梅梅'], type: 'call', content: '初次沟通', nextStep: { text: '回访', dueAt: bj('2026-11-24T10:40').toISOString() } })
      .expect(201);
    clock = bj('2026-11-24T10:40');
    await t.scheduler().tick();
    const m = await FollowUps().countDocuments();
    const [ask] = await say('demo-rep1', '已电话沟通，客户要求下周二下午再联系');
    expect(await FollowUps().countDocuments()).toBe(m);
    expect(card(ask!).main_title.title).toBe('记到哪个客户？');
    const names = card(ask!).button_list.map((b) => b.text);
    expect(names.slice(0, 2).sort()).toEqual(['张三', '韩梅梅'].sort()); // open reminders first
  });
});

describe('ask the bot for your day', () => {
  it('我的提醒 → one card with the count and 完成 / 延后 per item; 完成 redraws it', async () => {
    clock = bj('2026-11-24T11:00');
    const [reply] = await say('demo-rep1', '我的提醒');
    const c = card(reply!);
    expect(c.main_title.title).toMatch(/^今天 \d+ 条待跟进/);
    const done = c.button_list.find((b) => b.key.startsWith('rem.done:'))!;
    expect(c.button_list.some((b) => b.key.startsWith('rem.snooze:'))).toBe(true);
    const id = done.key.split(':')[1]!;
    const { update } = await tap('demo-rep1', done.key, c.task_id);
    expect((await t.conn.model<Reminder>('Reminder').findById(new Types.ObjectId(id)).lean())!.status).toBe('done');
    expect(update!.template_card).toMatchObject({ task_id: c.task_id });
    const [same] = await say('demo-rep1', '今天有什么');
    expect(card(same!).main_title.title).toMatch(/条待跟进|今天/);
  });

  it.each([
    ['demo-rep1', '张三的合同', '张三'],
    ['demo-director', '张三的商机', '张三'],
    ['demo-rep1', '业绩', '本月业绩'],
    ['demo-rep2', '本月', '跟进'],
    ['demo-manager', '团队情况', '团队本月'],
    ['demo-manager', '待审批', '审批'],
    ['demo-rep2', '我发起的', '申请'],
  ])('%s: %s → names %s', async (user, text, expected) => {
    const replies = await say(user, text);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.map(textOf).join('\n')).toContain(expected);
  });

  it('a card asked for with 待审批 stays true: deciding in the mini-app redraws it', async () => {
    const rep = `Bearer ${(await t.http.post('/api/v1/auth/dev-login').send({ login: 'demo-rep1' })).body.token as string}`;
    const manager = `Bearer ${(await t.http.post('/api/v1/auth/dev-login').send({ login: 'demo-manager' })).body.token as string}`;
    const mine = await t.http.get('/api/v1/customers?owner=me&limit=1').set('authorization', rep);
    const customerId = (mine.body.items as Array<{ id: string }>)[0]!.id;
    const contract = await t.http
      .post('/api/v1/contracts')
      .set('authorization', rep)
      .send({ customerId, number: `HT-ASK-${Date.now()}`, title: '待审批卡片合同', amountFen: 2_000_000, discountPercent: 0 });
    expect(contract.status).toBe(201);
    const submitted = await t.http
      .post(`/api/v1/contracts/${contract.body.id as string}/submit`)
      .set('authorization', rep)
      .send({});
    expect(submitted.status).toBe(201);
    await t.services.approvals.settled();
    await t.bot.inFlight.drain();

    const replies = await say('demo-manager', '待审批');
    const asked = replies
      .filter((m) => m.msgtype === 'template_card')
      .map((m) => card(m))
      .find((c) => JSON.stringify(c).includes('待审批卡片合同'));
    expect(asked).toBeDefined();

    const updatesBefore = fake.updates.length;
    const decided = await t.http
      .post(`/api/v1/approvals/${submitted.body.id as string}/decision`)
      .set('authorization', manager)
      .send({ decision: 'approve', comment: '同意' });
    expect(decided.status).toBe(200);
    await t.services.approvals.settled();
    await t.bot.inFlight.drain();
    // the card the manager asked for is redrawn like the first one (not left with live 同意 / 驳回 buttons)
    const redrawn = fake.updates.slice(updatesBefore).filter((u) => (u.template_card as { task_id?: string }).task_id === asked!.task_id);
    expect(redrawn.length).toBe(1);
  });

  it('业绩 counts this month’s follow-ups of the rep', async () => {
    const [reply] = await say('demo-rep1', '业绩');
    expect(textOf(reply!)).toMatch(/跟进：[1-9]\d* 次/);
  });

  it('a rep asking 团队情况 is refused once, with what they can do instead', async () => {
    const [reply] = await say('demo-rep2', '团队情况');
    expect(textOf(reply!)).toContain('你可以');
  });
});

describe('the fallback is never a dead end', () => {
  it('what was understood, up to 3 actions as buttons, and the mini-app', async () => {
    // another rep: WeCom's 30 sends a minute per member would make rep1's replies wait
    const [reply] = await say('demo-rep2', '这个客户怎么办');
    const c = card(reply!);
    expect(c.main_title.title).toBe('这个问题我还答不了');
    expect(c.button_list.length).toBeLessThanOrEqual(4);
    expect(c.button_list.at(-1)!.text).toBe('打开小程序');
    const mine = c.button_list.find((b) => b.key === 'int.go:today')!;
    const { replies } = await tap('demo-rep2', mine.key, c.task_id);
    expect(replies.map(textOf).join('')).toMatch(/待跟进|没有到期/);
  });
});

describe('partners', () => {
  it('are refused a follow-up in chat and 帮助 lists only what they may do', async () => {
    const n = await FollowUps().countDocuments();
    const [refused] = await say('demo-partner', '拜访了张三，下周二再联系');
    expect(textOf(refused!)).toContain('你可以');
    expect(await FollowUps().countDocuments()).toBe(n);
    const [help] = await say('demo-partner', '帮助');
    expect(textOf(help!)).not.toContain('业绩');
    expect(textOf(help!)).toContain('今天');
  });
});
