import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A partner (read-only, shared records only) is offered in chat only what they may do, and a refusal is said
 * once, with what they can do instead ("你没有权限做这个操作：没有权限执行此操作" said it twice).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { crm: true });
});
afterAll(() => t.close());

async function say(user: string, text: string): Promise<string> {
  const before = await t.http.get(`/sandbox/api/conversation?user=${user}`);
  const seen = (before.body.items as unknown[]).length;
  const res = await t.http.post('/sandbox/api/messages').send({ user, text });
  expect(res.status).toBe(200);
  const after = await t.http.get(`/sandbox/api/conversation?user=${user}`);
  const out = (after.body.items as Array<{ direction: string; message: { text?: string; markdown?: string } }>)
    .slice(seen)
    .filter((m) => m.direction === 'out');
  expect(out).toHaveLength(1);
  return out[0]!.message.text ?? out[0]!.message.markdown ?? '';
}

describe('帮助 lists only what the user may do', () => {
  it.each([
    // login, offered, not offered
    ['demo-partner', ['查 <关键词>', '帮助'], ['新客户', '改到']],
    ['demo-rep1', ['查 <关键词>', '新客户', '改到', '帮助'], []],
    ['demo-manager', ['查 <关键词>', '新客户', '改到', '帮助'], []],
  ])('%s', async (login, offered, hidden) => {
    const help = await say(login, '帮助');
    for (const line of offered) expect(help).toContain(line);
    for (const line of hidden) expect(help).not.toContain(line);
  });
});

describe('a refusal is said once, with what the user can do instead', () => {
  it.each([
    ['新客户 杭州云帆科技 王磊 13900001111', '新客户'],
    ['改到 明天上午', '改到'],
  ])('partner: %s', async (text, word) => {
    const reply = await say('demo-partner', text);
    expect(reply).toContain(`不能使用“${word}”`);
    expect(reply).toContain('外部合作方');
    expect(reply).toContain('你可以');
    expect(reply).toContain('查 <关键词>');
    expect(reply).not.toContain('新客户 <公司>');
    // said once: no generic line glued to the API's message
    expect(reply).not.toMatch(/没有权限.*没有权限/s);
  });

  it('nothing was created by the refused command', async () => {
    const admin = await t.login('demo-admin');
    const found = await t.http.get('/api/v1/customers?q=13900001111').set('authorization', admin);
    expect(found.body.items).toEqual([]);
  });

  it('a refusal from the service (FORBIDDEN) is said once too', async () => {
    t.bot.app.command(['e2e禁止'], 'e2e禁止：test only', async (ctx) => {
      await ctx.services.customers.create(ctx.actor, ctx.meta, {
        name: '测试',
        company: '测试公司',
        source: '其他',
        tier: 'C',
        tags: [],
        contacts: [],
        force: false,
      });
    });
    const reply = await say('demo-partner', 'e2e禁止');
    expect(reply.match(/没有权限/g)).toHaveLength(1);
    expect(reply).toContain('你可以');
    expect(reply).toContain('查 <关键词>');
  });
});
