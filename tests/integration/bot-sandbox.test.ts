import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Customer } from '../../api/src/modules/customer/customer.model';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { crm: true });
});
afterAll(() => t.close());

async function say(user: string, text: string) {
  const res = await t.http.post('/sandbox/api/messages').send({ user, text });
  expect(res.status).toBe(200);
  return res.body.result as string;
}

async function lastReply(user: string): Promise<{ kind: string; text?: string; markdown?: string }> {
  const res = await t.http.get(`/sandbox/api/conversation?user=${user}`);
  const out = (res.body.items as Array<{ direction: string; message: { kind: string } }>).filter((m) => m.direction === 'out');
  return out[out.length - 1]!.message;
}

describe('bot through the sandbox channel', () => {
  it('serves the page and the demo users', async () => {
    const page = await t.http.get('/sandbox');
    expect(page.status).toBe(200);
    expect(page.text).toContain('沙盒');
    const users = await t.http.get('/sandbox/api/users');
    expect(users.body.items.map((u: { login: string }) => u.login)).toEqual(expect.arrayContaining(['demo-rep1', 'demo-manager']));
  });

  it.each([
    ['demo-partner', ['帮助', '查 zs', '查 8000']],
    ['demo-rep1', ['帮助', '查 zs', '查 8000', '新客户 杭州云帆科技 王磊 13900001111']],
    ['demo-manager', ['帮助', '查 zs', '查 8000', '新客户 杭州云帆科技 王磊 13900001111']],
  ])('suggests to %s only the commands their roles may run', async (login, hints) => {
    const users = await t.http.get('/sandbox/api/users').expect(200);
    expect(users.body.items.find((u: { login: string }) => u.login === login).hints).toEqual(hints);
  });

  it('the page takes its suggestions from the picked user (none written into it)', async () => {
    const page = await t.http.get('/sandbox').expect(200);
    expect(page.text).not.toContain('新客户 杭州云帆科技');
    expect(page.text).toContain('u.hints');
  });

  it('查 zs answers with rep1’s matching customers and links into the mini-app', async () => {
    await say('demo-rep1', '查 zs');
    const reply = await lastReply('demo-rep1');
    expect(reply.kind).toBe('markdown');
    expect(reply.markdown).toContain('张三');
    expect(reply.markdown).toContain('/app/#/pages/customer/detail?id=');
  });

  it.each([
    ['cx zs', '张三'],
    ['查张三', '张三'],
    ['查 8000', '张三'],
  ])('%s works too', async (text, expected) => {
    await say('demo-rep1', text);
    expect((await lastReply('demo-rep1')).markdown).toContain(expected);
  });

  it('replies respect the data scope: rep3 does not find rep1’s 张三', async () => {
    await say('demo-rep3', '查 上海星辰');
    const reply = await lastReply('demo-rep3');
    expect(JSON.stringify(reply)).not.toContain('张三');
  });

  it('帮助 lists the commands; unknown text gets actions, never a dead end', async () => {
    await say('demo-rep2', '帮助');
    expect((await lastReply('demo-rep2')).markdown).toContain('查 <关键词>');
    await say('demo-rep2', '今天天气不错');
    // not a dead end: what was understood, up to 3 actions and the mini-app
    const fallback = (await lastReply('demo-rep2')) as { kind: string; card?: { description: string; buttons: Array<{ text: string; url?: string }> } };
    expect(fallback.kind).toBe('card');
    expect(fallback.card!.description).toContain('今天天气不错');
    expect(fallback.card!.buttons.length).toBeLessThanOrEqual(4);
    expect(fallback.card!.buttons.find((b) => b.text === '打开小程序')?.url).toContain('/app/');
  });

  it('新客户 creates with the duplicate check, audited as a bot action', async () => {
    await say('demo-rep2', '新客户 宁波海曙精工机械 周强 13588889999');
    expect((await lastReply('demo-rep2')).markdown).toContain('已新建客户');
    const created = await t.conn.model<Customer>('Customer').findOne({ name: '周强' }).lean();
    expect(created!.ownerId!.equals(t.seeded.org.users.get('demo-rep2')!)).toBe(true);
    const audit = await t.services.audit.list({ entityType: 'customer', entityId: String(created!._id), limit: 5 });
    expect(audit.items[0]).toMatchObject({ action: 'customer.create', channel: 'bot' });

    await say('demo-rep3', '新客户 宁波海曙精工机械有限公司 吴刚 13500001111');
    expect((await lastReply('demo-rep3')).text).toContain('可能和已有客户重复');
  });

  it('an unknown or resigned user is refused politely and audited', async () => {
    expect(await say('stranger', '查 zs')).toBe('unknown-user');
    expect((await lastReply('stranger')).text).toContain('还没有开通 CRM 账号');
    const audit = await t.services.audit.list({ entityType: 'platform-user', limit: 5 });
    expect(audit.items[0]).toMatchObject({ action: 'bot.unknown-user', entityId: 'sandbox:stranger', channel: 'bot' });
  });

  it('a repeated delivery of the same event is handled once', async () => {
    const event = {
      channel: 'sandbox' as const,
      platformUserId: 'demo-rep1',
      type: 'message' as const,
      text: '帮助',
      dedupeKey: 'same-msg-1',
      receivedAt: new Date(),
    };
    const results = await Promise.all([t.bot.app.handle(event), t.bot.app.handle(event), t.bot.app.handle(event)]);
    expect(results.filter((r) => r === 'handled')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(2);
  });

  it('an event accepted by a process that died before handling it is handled once after its lease', async () => {
    const event = {
      channel: 'sandbox' as const,
      platformUserId: 'demo-rep3',
      type: 'message' as const,
      text: '查 上海星辰',
      dedupeKey: 'orphan-1',
      receivedAt: new Date(),
    };
    expect(await t.bot.app.accept(event, -1)).toBe('accepted'); // lease already expired: its worker is gone
    expect(await t.bot.app.accept(event)).toBe('duplicate');
    const before = (await t.http.get('/sandbox/api/conversation?user=demo-rep3')).body.items.length;
    expect(await t.bot.app.recoverPending()).toBe(1);
    expect(await t.bot.app.recoverPending()).toBe(0);
    const after = (await t.http.get('/sandbox/api/conversation?user=demo-rep3')).body.items.length;
    expect(after - before).toBe(1);
  });

  it('rejects bad input to the sandbox API', async () => {
    expect((await t.http.post('/sandbox/api/messages').send({ user: 'demo-rep1', text: '' })).status).toBe(400);
    expect((await t.http.post('/sandbox/api/messages').send({ user: { $ne: 1 }, text: 'x' })).status).toBe(400);
  });
});

describe('sandbox off', () => {
  it('is not mounted when SANDBOX is off', async () => {
    const off = await startTestApp({ SANDBOX: 'off' });
    try {
      expect((await off.http.get('/sandbox')).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('questions asked in chat (the next message answers them)', () => {
  const answers: Array<{ user: string; text: string; args: string[] }> = [];
  beforeAll(() => {
    t.bot.app.prompt('test.reason', async (ctx, answer) => {
      answers.push({ user: ctx.user.name, text: answer.text, args: answer.args });
      await ctx.reply({ kind: 'text', text: `收到原因：${answer.text}` });
    });
    t.bot.app.action('test.ask', async (ctx, args) => {
      await ctx.ask('test.reason', args);
      await ctx.reply({ kind: 'text', text: '请回复原因' });
    });
  });
  const tap = (user: string, key: string, taskId: string) => t.http.post('/sandbox/api/actions').send({ user, key, taskId }).expect(200);

  it('the next message is the answer, once; a command in between still runs as a command', async () => {
    answers.length = 0;
    await tap('demo-rep2', 'test.ask:A1:2', 'ask-1');
    await say('demo-rep2', '查 zs'); // a command is not taken as the answer
    expect((await lastReply('demo-rep2')).kind).toBe('markdown');
    await say('demo-rep2', '价格太高');
    expect(answers).toEqual([{ user: '陈静', text: '价格太高', args: ['A1', '2'] }]);
    await say('demo-rep2', '价格太高');
    expect(answers).toHaveLength(1); // answered already: the second one is ordinary text
    const ordinary = (await lastReply('demo-rep2')) as { kind: string; card?: { description: string } };
    expect(ordinary.kind).toBe('card'); // the intent layer's answer, not a second answer to the question
    expect(ordinary.card!.description).toContain('价格太高');
  });

  it('取消 drops the question; an expired question is ignored', async () => {
    answers.length = 0;
    await tap('demo-rep2', 'test.ask:A2', 'ask-2');
    await say('demo-rep2', '取消');
    expect((await lastReply('demo-rep2')).text).toBe('好的，已取消。');
    await tap('demo-rep2', 'test.ask:A3', 'ask-3');
    await t.conn.collection('bot_pending_prompts').updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await say('demo-rep2', '太贵');
    expect(answers).toEqual([]);
  });
});
