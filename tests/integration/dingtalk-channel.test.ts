import { randomUUID } from 'node:crypto';
import { md } from '@crm/shared';
import { hmacSign, sealEvent } from '../../bot/src/channels/dingtalk/dingtalk-crypto';
import { DingTalkGroupRobot } from '../../bot/src/channels/dingtalk/dingtalk-group-robot';
import { TOPIC_CARD, TOPIC_ROBOT } from '../../bot/src/channels/dingtalk/dingtalk-stream.transport';
import { FakeDingTalkServer, type CallbackDelivery } from '../fakes/fake-dingtalk-server';
import { startTestApp, type TestApp } from '../helpers/test-app';

const APP = { clientId: 'dingtestapp', clientSecret: 'dingtestsecret', robotCode: 'dingtestrobot' };
const AES = 'o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus';
const env = (apiBase: string, extra: Record<string, string> = {}) => ({
  DINGTALK_CLIENT_ID: APP.clientId,
  DINGTALK_CLIENT_SECRET: APP.clientSecret,
  DINGTALK_ROBOT_CODE: APP.robotCode,
  DINGTALK_API_BASE: apiBase,
  ...extra,
});

/** A frame as the DingTalk gateway pushes it over the stream WebSocket. */
function frame(topic: string, data: Record<string, unknown>, messageId: string = randomUUID()) {
  return JSON.stringify({
    specVersion: '1.0',
    type: 'CALLBACK',
    headers: { topic, messageId, contentType: 'application/json', time: String(Date.now()), appId: 'x', connectionId: 'c' },
    data: JSON.stringify(data),
  });
}

const robotMessage = (from: string, text: string, msgId: string = randomUUID()) => ({
  msgId,
  msgtype: 'text',
  text: { content: ` ${text}` },
  senderStaffId: from,
  conversationType: '1',
  senderNick: from,
  createAt: Date.now(),
  robotCode: APP.robotCode,
});

let fake: FakeDingTalkServer;
beforeAll(async () => {
  fake = await new FakeDingTalkServer(APP).start();
});
afterAll(() => fake.stop());

describe('DingTalk stream mode (frames through the SDK’s own handler)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(env(fake.baseUrl, { DINGTALK_CARD_TEMPLATE_ID: 'crm-card.schema' }), { crm: true });
  });
  afterAll(() => t.close());

  it('user text in search results, cards and card parameters is escaped as DingTalk markdown', async () => {
    const hostile = '钓鱼](http://evil.example/p) [点我';
    const res = await t.http
      .post('/api/v1/customers')
      .set('authorization', await t.login('demo-rep1'))
      .send({ name: hostile, company: '![x](http://evil.example/x.png) _斜_', source: '其他', tier: 'C', tags: [], contacts: [] });
    expect(res.status).toBe(201);
    t.bot.dingtalkStream!.client.onDownStream(frame(TOPIC_ROBOT, robotMessage('demo-rep1', '查 钓鱼')));
    await t.bot.inFlight.drain();
    const text = fake.to('demo-rep1').at(-1)!.param.text as string;
    expect([...text.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1])).toEqual([expect.stringMatching(/\/app\/#\/pages\/customer\/detail\?id=/)]);
    expect(text).not.toContain('http://evil');
    expect(text).not.toContain('![');
    expect(text).not.toContain('_斜_');

    const card = {
      taskId: `esc-${randomUUID().slice(0, 8)}`,
      title: hostile,
      description: '# 标题\n> 引用',
      fields: [{ label: '客户', value: '**粗**' }],
      buttons: [],
    };
    await t.bot.dingtalk!.send('demo-rep1', { kind: 'card', card });
    const params = fake.cards.get(card.taskId)!.cardParamMap;
    expect(params.title).not.toContain('](http');
    expect(params.description).toBe('＃ 标题\n＞ 引用');
    expect(JSON.parse(params.fields!)).toEqual([{ label: '客户', value: '＊＊粗＊＊' }]);
  });

  it('查 张三 from demo-rep1 is answered through the robot API, scoped to rep1', async () => {
    t.bot.dingtalkStream!.client.onDownStream(frame(TOPIC_ROBOT, robotMessage('demo-rep1', '查 张三')));
    await t.bot.inFlight.drain();
    const reply = fake.to('demo-rep1').at(-1)!;
    expect(reply.msgKey).toBe('sampleMarkdown');
    expect(reply.param.text).toContain('上海星辰信息科技有限公司');

    t.bot.dingtalkStream!.client.onDownStream(frame(TOPIC_ROBOT, robotMessage('demo-rep3', '查 张三')));
    await t.bot.inFlight.drain();
    expect(JSON.stringify(fake.to('demo-rep3').at(-1))).not.toContain('上海星辰信息科技有限公司');
  });

  it('a re-pushed message (same msgId) is answered once', async () => {
    const before = fake.to('demo-rep2').length;
    const msg = robotMessage('demo-rep2', '帮助', 'dup-msg-1');
    for (let i = 0; i < 3; i++) t.bot.dingtalkStream!.client.onDownStream(frame(TOPIC_ROBOT, msg));
    await t.bot.inFlight.drain();
    expect(fake.to('demo-rep2').length - before).toBe(1);
  });

  it('repeated identical notices get the time appended instead of being dropped by DingTalk', async () => {
    await t.bot.dingtalk!.send('demo-manager', { kind: 'text', text: '今日待跟进 3 个客户' });
    await t.bot.dingtalk!.send('demo-manager', { kind: 'text', text: '今日待跟进 3 个客户' });
    expect(fake.to('demo-manager')).toHaveLength(2);
    expect(fake.droppedAsDuplicate).toBe(0);
  });

  it('a reminder card sent again (a worker died before recording the first) is one card: DingTalk has its outTrackId', async () => {
    const rep1 = await t.login('demo-rep1');
    const zs = (await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1)).body.items.find((c: { name: string }) => c.name === '张三');
    const dueAt = new Date(Date.now() + 3600_000).toISOString();
    await t.http
      .post('/api/v1/follow-ups')
      .set('authorization', rep1)
      .send({ customerId: zs.id, type: 'call', content: '沟通', nextStep: { text: '钉钉重发提醒', dueAt } })
      .expect(201);
    const doc = (await t.conn.model('Reminder').findOne({ text: '钉钉重发提醒' }))!;
    const [view] = await t.services.reminders.views([doc]);
    const first = await t.bot.reminderSender.reminder(view!);
    const again = await t.bot.reminderSender.reminder(view!);
    expect(first).toMatchObject({ channel: 'dingtalk', platformUserId: 'demo-rep1' });
    expect(again).toMatchObject({ channel: 'dingtalk', taskId: first!.taskId });
    expect([...fake.cards.keys()].filter((k) => k === first!.taskId)).toHaveLength(1);
  });

  it('cards are created with string-only params and updated on a click', async () => {
    t.bot.app.action('test.dd', async (ctx, args) => {
      await ctx.updateCard({ taskId: ctx.event.action!.taskId!, title: '测试', buttons: [], doneText: `已完成 ${args[0]}` });
    });
    await t.bot.dingtalk!.send('demo-rep1', {
      kind: 'card',
      card: { taskId: 'dd-card-1', title: '测试', fields: [{ label: '客户', value: '张三' }], buttons: [{ key: 'test.dd:7', text: '完成' }] },
    });
    expect(fake.cards.get('dd-card-1')!.cardParamMap.title).toBe('测试');
    const click = {
      userId: 'demo-rep1',
      outTrackId: 'dd-card-1',
      type: 'actionCallback',
      content: JSON.stringify({ cardPrivateData: { actionIds: ['done'], params: { key: 'test.dd:7' } } }),
    };
    t.bot.dingtalkStream!.client.onDownStream(frame(TOPIC_CARD, click, 'click-1'));
    t.bot.dingtalkStream!.client.onDownStream(frame(TOPIC_CARD, click, 'click-1'));
    await t.bot.inFlight.drain();
    expect(fake.cards.get('dd-card-1')).toMatchObject({ updates: 1, cardParamMap: { doneText: '已完成 7' } });
  });

  it('gets a new token when DingTalk says the old one is invalid', async () => {
    fake.expireTokens();
    await t.bot.dingtalk!.send('demo-rep2', { kind: 'text', text: `令牌刷新 ${Date.now()}` });
    expect(fake.to('demo-rep2').at(-1)!.param.content).toContain('令牌刷新');
  });
});

describe('DingTalk work notifications (工作通知) for the morning digest', () => {
  const AGENT_ID = 4242;
  let noticeFake: FakeDingTalkServer;
  let t: TestApp;
  const digestFor = async (login: string) => {
    const user = (await t.services.org.findActiveUserByPlatformId('dingtalk', login))!;
    return { user, sent: await t.bot.reminderSender.digest(user._id, await t.services.reminders.digestContent(user._id, null)) };
  };
  beforeAll(async () => {
    noticeFake = await new FakeDingTalkServer({ ...APP, agentId: AGENT_ID }).start();
    t = await startTestApp(env(noticeFake.baseUrl, { DINGTALK_OAPI_BASE: noticeFake.baseUrl, DINGTALK_AGENT_ID: String(AGENT_ID) }), { crm: true });
  });
  afterAll(async () => {
    await t.close();
    await noticeFake.stop();
  });

  it('sends the digest as a markdown work notification from the app, not as a robot message', async () => {
    const { user, sent } = await digestFor('demo-rep1');
    const notice = noticeFake.notices.at(-1)!;
    expect(notice).toMatchObject({ userId: 'demo-rep1', agentId: AGENT_ID, msg: { msgtype: 'markdown', markdown: { title: '今日跟进摘要' } } });
    expect(notice.msg.markdown!.text).toContain(user.name);
    expect(sent).toMatchObject({ channel: 'dingtalk', platformUserId: 'demo-rep1', messageId: `notice:${notice.taskId}` });
    expect(noticeFake.to('demo-rep1')).toHaveLength(0);
  });

  it('a second identical digest the same day is made distinct instead of silently dropped by DingTalk', async () => {
    const before = noticeFake.notices.filter((n) => n.userId === 'demo-rep2').length;
    await digestFor('demo-rep2');
    await digestFor('demo-rep2');
    const mine = noticeFake.notices.filter((n) => n.userId === 'demo-rep2');
    expect(mine.length - before).toBe(2);
    expect(noticeFake.noticesDropped).toBe(0);
    expect(mine.at(-1)!.msg.markdown!.text).not.toBe(mine.at(-2)!.msg.markdown!.text);
  });

  it('fetches a new oapi token once when DingTalk refuses the cached one', async () => {
    noticeFake.expireTokens();
    const before = noticeFake.notices.length;
    await digestFor('demo-rep3');
    expect(noticeFake.notices.length).toBe(before + 1);
  });

  it('retries "system busy" and rate-limit answers, and reports any other errcode', async () => {
    noticeFake.failNextTopapi.push(-1, 143103);
    const before = noticeFake.notices.length;
    await digestFor('demo-manager');
    expect(noticeFake.notices.length).toBe(before + 1);
    noticeFake.failNextTopapi.push(400002);
    await expect(digestFor('demo-manager')).rejects.toThrow(/400002/);
  });

  it('chat replies and cards still go through the robot', async () => {
    const user = (await t.services.org.findActiveUserByPlatformId('dingtalk', 'demo-rep1'))!;
    const notices = noticeFake.notices.length;
    await t.bot.notifier.send(user._id, { kind: 'text', text: `普通消息 ${Date.now()}` });
    expect(noticeFake.to('demo-rep1').at(-1)!.param.content).toContain('普通消息');
    expect(noticeFake.notices.length).toBe(notices);
  });
});

describe('DingTalk without an AgentId', () => {
  it('sends the digest as a robot message', async () => {
    const t = await startTestApp(env(fake.baseUrl), { crm: true });
    try {
      const user = (await t.services.org.findActiveUserByPlatformId('dingtalk', 'demo-director'))!;
      await t.bot.reminderSender.digest(user._id, await t.services.reminders.digestContent(user._id, null));
      expect(fake.to('demo-director').at(-1)).toMatchObject({ msgKey: 'sampleMarkdown', param: { title: '今日跟进摘要' } });
      expect(fake.notices).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});

describe('DingTalk custom group robot (team channel)', () => {
  it('posts signed markdown; a wrong secret is refused by DingTalk and surfaces as an error', async () => {
    fake.groupRobots.set('grouptoken1', 'SECgroupsecret');
    const robot = new DingTalkGroupRobot(`${fake.baseUrl}/robot/send?access_token=grouptoken1`, 'SECgroupsecret');
    await robot.markdown('华东销售部 · 今日待办', md`**${3}** 个客户今天需要跟进：${'钓鱼](http://evil.example/p) [点我'}`, ['demo-rep1']);
    expect(fake.groupMessages.at(-1)!.body).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: '华东销售部 · 今日待办' },
      at: { atUserIds: ['demo-rep1'] },
    });
    const text = (fake.groupMessages.at(-1)!.body.markdown as { text: string }).text;
    expect(text).toMatch(/^\*\*3\*\* 个客户今天需要跟进：钓鱼］\(http：\/\/evil/);
    const wrong = new DingTalkGroupRobot(`${fake.baseUrl}/robot/send?access_token=grouptoken1`, 'SECwrong');
    await expect(
      wrong.markdown(
        'x',
        md`
y
        `,
      ),
    ).rejects.toThrow(/sign not match/);
  });
});

describe('DingTalk HTTP mode', () => {
  let t: TestApp;
  const TOKEN = 'ddCallbackToken';
  beforeAll(async () => {
    t = await startTestApp(env(fake.baseUrl, { DINGTALK_MODE: 'http', DINGTALK_TOKEN: TOKEN, DINGTALK_AES_KEY: AES }), { crm: true });
  });
  afterAll(() => t.close());

  it('answers an encrypted event with the encrypted success', async () => {
    const ts = String(Date.now());
    const sealed = sealEvent({ token: TOKEN, aesKey: AES, ownerKey: APP.clientId }, '{"EventType":"check_url"}', ts, 'abc');
    const started = Date.now();
    const res = await t.http
      .post('/bot/dingtalk/callback')
      .query({ signature: sealed.signature, timestamp: ts, nonce: 'abc' })
      .send({ encrypt: sealed.encrypt });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['encrypt', 'msg_signature', 'nonce', 'timeStamp']);
  });

  it('refuses a tampered event signature', async () => {
    const ts = String(Date.now());
    const sealed = sealEvent({ token: TOKEN, aesKey: AES, ownerKey: APP.clientId }, '{}', ts, 'abc');
    const res = await t.http.post('/bot/dingtalk/callback').query({ signature: 'bad', timestamp: ts, nonce: 'abc' }).send({ encrypt: sealed.encrypt });
    expect(res.status).toBe(401);
  });

  it('handles a signed robot message and refuses an unsigned one', async () => {
    const ts = String(Date.now());
    const ok = await t.http
      .post('/bot/dingtalk/callback')
      .set('timestamp', ts)
      .set('sign', hmacSign(APP.clientSecret, ts))
      .send(robotMessage('demo-rep1', '查 zs'));
    expect(ok.status).toBe(200);
    await t.bot.inFlight.drain();
    expect(fake.to('demo-rep1').at(-1)!.param.text).toContain('张三');
    const bad = await t.http.post('/bot/dingtalk/callback').set('timestamp', ts).set('sign', 'forged').send(robotMessage('demo-rep1', '查 zs'));
    expect(bad.status).toBe(401);
  });
});

describe('DingTalk HTTP mode end to end: robot messages and card taps through /bot/dingtalk/callback', () => {
  const TOKEN = 'ddHttpToken';
  let httpFake: FakeDingTalkServer;
  let t: TestApp;
  const deliver: CallbackDelivery = async ({ query, headers, body }) => {
    const res = await t.http.post('/bot/dingtalk/callback').query(query).set(headers).send(body);
    return { status: res.status, body: res.body as unknown };
  };
  const stored = (key: string) => t.conn.collection('bot_inbound').countDocuments({ key: `dingtalk:${key}` });
  beforeAll(async () => {
    httpFake = await new FakeDingTalkServer({ ...APP, callback: { token: TOKEN, aesKey: AES } }).start();
    t = await startTestApp(
      env(httpFake.baseUrl, { DINGTALK_MODE: 'http', DINGTALK_TOKEN: TOKEN, DINGTALK_AES_KEY: AES, DINGTALK_CARD_TEMPLATE_ID: 'crm-card.schema' }),
      { crm: true },
    );
  });
  afterAll(async () => {
    await t.close();
    await httpFake.stop();
  });

  it('a robot message is stored once, acknowledged, and answered once when DingTalk sends it twice', async () => {
    const msg = robotMessage('demo-rep1', '查 zs', 'http-dup-1');
    const answers = [await httpFake.pushRobotMessage(deliver, msg), await httpFake.pushRobotMessage(deliver, msg)];
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await t.bot.inFlight.drain();
    expect(await stored('msg:http-dup-1')).toBe(1);
    const replies = httpFake.to('demo-rep1').filter((m) => String(m.param.text ?? '').includes('张三'));
    expect(replies).toHaveLength(1);
  });

  it('cards ask for HTTP callbacks; a tap arrives encrypted, is answered success, handled once though pushed twice', async () => {
    const taps: string[] = [];
    t.bot.app.action('test.ddh', async (ctx, args) => {
      taps.push(`${ctx.user.name}:${args[0]}`);
      await ctx.updateCard({ taskId: ctx.event.action!.taskId!, title: '测试', buttons: [], doneText: `已完成 ${args[0]}` });
    });
    await t.bot.notifier.send((await t.services.org.findActiveUserByPlatformId('dingtalk', 'demo-rep2'))!._id, {
      kind: 'card',
      card: { taskId: 'ddh-card-1', title: '测试', buttons: [{ key: 'test.ddh:9', text: '完成' }] },
    });
    expect(httpFake.cards.get('ddh-card-1')).toMatchObject({ callbackType: 'HTTP', callbackRouteKey: APP.clientId });

    const click = { userId: 'demo-rep2', outTrackId: 'ddh-card-1', key: 'test.ddh:9' };
    const answers = [await httpFake.pushCardClick(deliver, click), await httpFake.pushCardClick(deliver, click)];
    expect(answers).toEqual([
      { status: 200, ok: true },
      { status: 200, ok: true },
    ]);
    await t.bot.inFlight.drain();
    expect(taps).toEqual(['陈静:9']);
    expect(await t.conn.collection('bot_inbound').countDocuments({ channel: 'dingtalk', 'event.action.taskId': 'ddh-card-1' })).toBe(1);
    expect(httpFake.cards.get('ddh-card-1')).toMatchObject({ updates: 1, cardParamMap: { doneText: '已完成 9' } });
  });

  it('other encrypted events (check_url) are answered success and handle nothing', async () => {
    const before = await t.conn.collection('bot_inbound').countDocuments({});
    expect(await httpFake.pushEvent(deliver, '{"EventType":"check_url"}')).toEqual({ status: 200, ok: true });
    expect(await t.conn.collection('bot_inbound').countDocuments({})).toBe(before);
  });
});
