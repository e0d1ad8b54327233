import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, SECRETS, sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

let fake: FakeWeComServer;
let t: TestApp;
beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: true });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

async function post(packet: { query: Record<string, string>; body: string }) {
  return t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body);
}

const markdownTo = (user: string) =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'markdown')
    .map((d) => (d.body.markdown as { content: string }).content);

describe('WeCom URL verification (GET)', () => {
  it('answers the decrypted echostr as bare text', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const echostr = wecomEncrypt(SECRETS.encodingAesKey, '1234567890123456', SECRETS.corpId);
    const res = await t.http
      .get('/bot/wecom/callback')
      .query({ msg_signature: getSignature(SECRETS.token, timestamp, 'n1', echostr), timestamp, nonce: 'n1', echostr });
    expect(res.status).toBe(200);
    expect(res.text).toBe('1234567890123456');
  });

  it('refuses a wrong signature', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const echostr = wecomEncrypt(SECRETS.encodingAesKey, 'x', SECRETS.corpId);
    const res = await t.http.get('/bot/wecom/callback').query({ msg_signature: 'a'.repeat(40), timestamp, nonce: 'n', echostr });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('x');
  });
});

describe('WeCom messages end to end (encrypted callback → bot → fake WeCom API)', () => {
  it('acknowledges at once with an empty 200, then replies to 查 张三 within demo-rep1’s scope', async () => {
    const res = await post(sealedPost(textXml('demo-rep1', '查 张三')));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await t.bot.inFlight.drain();
    const replies = markdownTo('demo-rep1');
    expect(replies.at(-1)).toContain('张三');
    expect(replies.at(-1)).toContain('上海星辰信息科技有限公司');
  });

  it('replies to demo-rep3 without rep1’s customers', async () => {
    await post(sealedPost(textXml('demo-rep3', '查 张三')));
    await t.bot.inFlight.drain();
    const last = fake.to('demo-rep3').at(-1)!;
    expect(JSON.stringify(last.body)).not.toContain('上海星辰信息科技有限公司');
  });

  it('a retried delivery (same MsgId, three times) is answered once', async () => {
    const before = fake.to('demo-rep2').length;
    const inner = textXml('demo-rep2', '帮助', '7000000000000000001');
    const results = await Promise.all([post(sealedPost(inner)), post(sealedPost(inner)), post(sealedPost(inner))]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await t.bot.inFlight.drain();
    expect(fake.to('demo-rep2').length - before).toBe(1);
  });

  it('a card click reaches its action listener and the card is updated with the click’s response code', async () => {
    t.bot.app.action('test.ping', async (ctx, args) => {
      await ctx.updateCard({ taskId: ctx.event.action!.taskId!, title: '测试卡片', buttons: [], doneText: `已处理 ${args.join(',')}` });
    });
    const sent = await t.bot.wecom!.send('demo-rep1', {
      kind: 'card',
      card: { taskId: 'task-ping-1', title: '测试卡片', buttons: [{ key: 'test.ping:42', text: '完成', style: 'primary' }] },
    });
    expect(sent).toEqual({ messageId: expect.any(String) }); // no platform code leaves the adapter
    const code = fake.issueClickResponseCode();
    await post(sealedPost(cardClickXml('demo-rep1', 'test.ping:42', 'task-ping-1', code)));
    await t.bot.inFlight.drain();
    expect(fake.updates.at(-1)).toMatchObject({
      userids: ['demo-rep1'],
      response_code: code,
      template_card: { task_id: 'task-ping-1', replace_text: '已处理 42' },
    });
    // the same click delivered again does nothing more
    await post(sealedPost(cardClickXml('demo-rep1', 'test.ping:42', 'task-ping-1', code)));
    await t.bot.inFlight.drain();
    expect(fake.updates.filter((u) => u.response_code === code)).toHaveLength(1);
  });

  it('response codes stay in the adapter: a tap adds one only on the member’s own card, each is used once, a spent one never comes back', async () => {
    const codesOf = async (taskId: string) =>
      ((await t.conn.collection('wecom_card_codes').findOne({ taskId }))?.codes as Array<{ code: string }> | undefined)?.map((c) => c.code) ?? [];
    const card = (taskId: string) => ({ taskId, title: '测试卡片', buttons: [{ key: 'test.noop:1', text: '完成', style: 'primary' as const }] });
    t.bot.app.action('test.noop', async () => undefined);
    await t.bot.wecom!.send('demo-rep1', { kind: 'card', card: card('task-codes-1') });
    const [sendCode] = await codesOf('task-codes-1');
    expect(sendCode).toEqual(expect.any(String));

    const cases: Array<{ name: string; from: string; code: string; kept: boolean }> = [
      { name: 'a tap by someone else on rep1’s card', from: 'demo-rep2', code: fake.issueClickResponseCode(), kept: false },
      { name: 'rep1’s own tap', from: 'demo-rep1', code: fake.issueClickResponseCode(), kept: true },
    ];
    for (const c of cases) {
      await post(sealedPost(cardClickXml(c.from, 'test.noop:1', 'task-codes-1', c.code)));
      await t.bot.inFlight.drain();
      expect([c.name, (await codesOf('task-codes-1')).includes(c.code)]).toEqual([c.name, c.kept]);
    }
    const tapCode = cases[1]!.code;
    expect(await codesOf('task-codes-1')).toEqual([sendCode, tapCode]); // newest last

    // three redraws at once: the tap's code, then the send's, then nothing left (each code used once)
    const ref = { platformUserId: 'demo-rep1', taskId: 'task-codes-1' };
    const results = await Promise.all([1, 2, 3].map(() => t.bot.wecom!.updateCard(ref, { ...card('task-codes-1'), buttons: [], doneText: '已处理' })));
    expect(results.sort()).toEqual([false, true, true]);
    expect(fake.updates.filter((u) => u.response_code === tapCode || u.response_code === sendCode)).toHaveLength(2);
    expect(await codesOf('task-codes-1')).toEqual([]);

    // the same tap delivered again (a new packet, e.g. a retry after a lost answer) brings no spent code back
    await post(sealedPost(cardClickXml('demo-rep1', 'test.noop:1', 'task-codes-1', tapCode)));
    await t.bot.inFlight.drain();
    expect(await codesOf('task-codes-1')).toEqual([]);
    expect(await t.bot.wecom!.updateCard(ref, card('task-codes-1'))).toBe(false);
  });

  it('a tap that arrives before WeCom answered the send is kept (its member’s only), so the card can still be redrawn twice', async () => {
    const codesOf = async (taskId: string) =>
      ((await t.conn.collection('wecom_card_codes').findOne({ taskId }))?.codes as Array<{ code: string }> | undefined)?.map((c) => c.code) ?? [];
    const card = (taskId: string) => ({ taskId, title: '慢回应卡片', buttons: [{ key: 'test.noop:1', text: '完成', style: 'primary' as const }] });
    // WeCom delivered the card but its answer to our send is slow: the member taps first, a stranger too
    const early = fake.issueClickResponseCode();
    const stranger = fake.issueClickResponseCode();
    await post(sealedPost(cardClickXml('demo-rep1', 'test.noop:1', 'task-codes-early', early)));
    await post(sealedPost(cardClickXml('demo-rep2', 'test.noop:1', 'task-codes-early', stranger)));
    await t.bot.inFlight.drain();
    await t.bot.wecom!.send('demo-rep1', { kind: 'card', card: card('task-codes-early') });
    const codes = await codesOf('task-codes-early');
    expect(codes).toHaveLength(2); // the early tap's and the send's; the stranger's is dropped
    expect(codes).toContain(early);
    expect(codes).not.toContain(stranger);
    const ref = { platformUserId: 'demo-rep1', taskId: 'task-codes-early' };
    expect(await t.bot.wecom!.updateCard(ref, { ...card('task-codes-early'), buttons: [], doneText: '已处理' })).toBe(true);
    expect(await t.bot.wecom!.updateCard(ref, { ...card('task-codes-early'), buttons: [], doneText: '已处理' })).toBe(true);
    expect(await t.bot.wecom!.updateCard(ref, card('task-codes-early'))).toBe(false);
  });

  it('an unknown WeCom user is refused politely', async () => {
    await post(sealedPost(textXml('someone-else', '查 张三')));
    await t.bot.inFlight.drain();
    expect((fake.to('someone-else').at(-1)!.body.text as { content: string }).content).toContain('还没有开通 CRM 账号');
  });
});

describe('WeCom callbacks that must be refused (nothing reaches the bot)', () => {
  const now = () => String(Math.floor(Date.now() / 1000));
  const cases: Array<[string, () => { query: Record<string, string>; body: string }, number]> = [
    [
      'tampered signature',
      () => ({ ...sealedPost(textXml('demo-rep1', '查 zs')), query: { ...sealedPost(textXml('demo-rep1', 'x')).query, msg_signature: '0'.repeat(40) } }),
      401,
    ],
    [
      'signature from another packet',
      () => {
        const a = sealedPost(textXml('demo-rep1', '查 zs'));
        const b = sealedPost(textXml('demo-rep1', '查 ls'));
        return { query: a.query, body: b.body };
      },
      401,
    ],
    ['stale timestamp (10 minutes old)', () => sealedPost(textXml('demo-rep1', '查 zs'), { timestamp: String(Number(now()) - 600) }), 401],
    ['timestamp from the future', () => sealedPost(textXml('demo-rep1', '查 zs'), { timestamp: String(Number(now()) + 600) }), 401],
    ['encrypted for another CorpID', () => sealedPost(textXml('demo-rep1', '查 zs'), { secrets: { ...SECRETS, corpId: 'wwsomeoneelse' } }), 401],
    [
      'broken padding / not our ciphertext',
      () => {
        const timestamp = now();
        const encrypt = Buffer.from('this is not an AES ciphertext at all!!').toString('base64');
        return {
          query: { msg_signature: getSignature(SECRETS.token, timestamp, 'n', encrypt), timestamp, nonce: 'n' },
          body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
        };
      },
      401,
    ],
    ['missing signature', () => ({ ...sealedPost(textXml('demo-rep1', 'x')), query: { timestamp: now(), nonce: 'n' } }), 400],
    ['not XML', () => ({ query: sealedPost(textXml('demo-rep1', 'x')).query, body: '{"encrypt":"x"}' }), 400],
    [
      'XXE',
      () => ({
        query: sealedPost(textXml('demo-rep1', 'x')).query,
        body: '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>',
      }),
      400,
    ],
    [
      'entity expansion (billion laughs)',
      () => ({
        query: sealedPost(textXml('demo-rep1', 'x')).query,
        body: '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>',
      }),
      400,
    ],
    ['oversized body', () => ({ query: sealedPost(textXml('demo-rep1', 'x')).query, body: `<xml><Encrypt>${'A'.repeat(70 * 1024)}</Encrypt></xml>` }), 413],
  ] as Array<[string, () => { query: Record<string, string>; body: string }, number]>;

  it.each(cases.map(([name, make, status]) => [`${name} → ${status}`, make, status] as const))('%s', async (_name, make, status) => {
    const before = fake.delivered.length;
    const res = await post(make());
    expect(res.status).toBe(status);
    await t.bot.inFlight.drain();
    expect(fake.delivered.length).toBe(before);
  });

  it('a DTD inside the decrypted packet is refused too', async () => {
    const before = fake.delivered.length;
    const res = await post(
      sealedPost('<!DOCTYPE xml [<!ENTITY x "y">]><xml><FromUserName>demo-rep1</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>'),
    );
    expect(res.status).toBe(400);
    expect(fake.delivered.length).toBe(before);
  });
});

describe('WeCom API client behaviour against the fake server', () => {
  it('refreshes the token once on 40014 and on expiry, and retries system busy (-1)', async () => {
    const client = t.bot.wecom!;
    fake.failNext.push(40014);
    await client.send('demo-rep2', { kind: 'text', text: '令牌失效后重试' });
    fake.expireTokens();
    await client.send('demo-rep2', { kind: 'text', text: '令牌过期后重取' });
    fake.failNext.push(-1);
    await client.send('demo-rep2', { kind: 'text', text: '系统繁忙后重试' });
    const texts = fake.to('demo-rep2').map((d) => (d.body.text as { content: string } | undefined)?.content);
    expect(texts).toEqual(expect.arrayContaining(['令牌失效后重试', '令牌过期后重取', '系统繁忙后重试']));
  });

  it('surfaces a reused task_id (42014) instead of hiding it', async () => {
    const card = { taskId: 'task-dup-1', title: '重复任务', buttons: [{ key: 'x', text: '好' }] };
    await t.bot.wecom!.send('demo-rep2', { kind: 'card', card });
    await expect(t.bot.wecom!.send('demo-rep2', { kind: 'card', card })).rejects.toMatchObject({ errcode: 42014 });
  });

  it('cuts text to 2,048 bytes on a character boundary', async () => {
    await t.bot.wecom!.send('demo-manager', { kind: 'text', text: '长'.repeat(1000) });
    const content = (fake.to('demo-manager').at(-1)!.body.text as { content: string }).content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
  });
});
