import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/** The name from the issue: typed as a customer name, it put a working link into other reps' search results. */
const PHISHING = '钓鱼](http://evil.example/p) [点我';

let fake: FakeWeComServer;
let t: TestApp;
beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: true });
  // demo-rep1 creates it; their manager finds it in search
  const res = await t.http
    .post('/api/v1/customers')
    .set('authorization', await t.login('demo-rep1'))
    .send({ name: PHISHING, company: 'http://evil.example <font color="warning">**急**</font>', source: '其他', tier: 'C', tags: [], contacts: [] });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

/** Every markdown link target in a message. */
const linkTargets = (markdown: string) => [...markdown.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]);

describe('user text in bot outputs is escaped for each format', () => {
  it('WeCom: a search result shows the hostile name without a working link, markup or bare URL', async () => {
    const packet = sealedPost(textXml('demo-manager', '查 钓鱼'));
    await t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body).expect(200);
    await t.bot.inFlight.drain();
    const sent = fake.to('demo-manager').filter((d) => d.msgtype === 'markdown');
    const content = (sent.at(-1)!.body.markdown as { content: string }).content;
    expect(content).toContain('钓鱼');
    // exactly one link, ours, into the mini-app
    expect(linkTargets(content)).toHaveLength(1);
    expect(linkTargets(content)[0]).toMatch(/\/app\/#\/pages\/customer\/detail\?id=[0-9a-f]{24}$/);
    expect(content).not.toContain('http://evil');
    expect(content).not.toContain('<font');
    expect(content).not.toMatch(/\*\*急/);
  });

  it('the sandbox page gets HTML in which the name is text, with only our link', async () => {
    await t.http.post('/sandbox/api/messages').send({ user: 'demo-manager', text: '查 钓鱼' }).expect(200);
    const res = await t.http.get('/sandbox/api/conversation?user=demo-manager').expect(200);
    const last = (res.body.items as Array<{ direction: string; html?: string }>).filter((m) => m.direction === 'out').at(-1)!;
    expect(last.html).toBeDefined();
    const html = last.html!;
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toMatch(/href="http:\/\/[^"]*\/app\/#\/pages\/customer\/detail\?id=[0-9a-f]{24}"/);
    expect(html).not.toMatch(/href="http:\/\/evil/);
    expect(html).toContain('&lt;font color=&quot;warning&quot;&gt;');
    expect(html).not.toContain('<font');
  });

  it('WeCom: approval notices escape the contract title; 查看详情 keeps our own link clickable', async () => {
    const rep1 = await t.login('demo-rep1');
    const customer = await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1);
    const customerId = (customer.body.items as Array<{ id: string; name: string }>).find((c) => c.name === '张三')!.id;
    const c = await t.http
      .post('/api/v1/contracts')
      .set('authorization', rep1)
      .send({ customerId, number: 'HT-ESC-1', title: '<a href="http://evil.example">合同</a>', amountFen: 1_000_00, discountPercent: 0 });
    expect(c.status).toBe(201);
    const a = await t.http
      .post(`/api/v1/contracts/${c.body.id as string}/submit`)
      .set('authorization', rep1)
      .send({});
    expect(a.status).toBe(201);
    await t.services.approvals.settled(); // approval chat effects run in the background
    await t.bot.inFlight.drain();
    // the requester is told with a template card: plain-text fields, bare links neutralised
    const told = fake
      .to('demo-rep1')
      .filter((d) => d.msgtype === 'template_card')
      .map((d) => JSON.stringify(d.body.template_card));
    const notice = told.find((x) => x.includes('合同'))!;
    expect(notice).toBeDefined();
    expect(notice).not.toContain('http://evil');

    const packet = sealedPost(cardClickXml('demo-rep1', `apv.view:${a.body.id as string}`, `apv-view-${Date.now()}`, 'code-1'));
    await t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body).expect(200);
    await t.bot.inFlight.drain();
    const last = fake.to('demo-rep1').at(-1)!;
    expect(last.msgtype).toBe('markdown');
    expect((last.body.markdown as { content: string }).content).toMatch(
      /^\[打开审批详情\]\(http:\/\/\S+\/app\/#\/pages\/approvals\/detail\?id=[0-9a-f]{24}\)$/,
    );
  });

  it('the sandbox page renders the stored HTML, not its own markdown of the raw text', async () => {
    const page = await t.http.get('/sandbox').expect(200);
    expect(page.text).toContain('m.html');
  });
});
