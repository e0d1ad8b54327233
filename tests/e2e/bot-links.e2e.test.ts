import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { REPO_ROOT } from '@crm/config';
import { ARTIFACTS, BROWSER_AVAILABLE, CHROMIUM, launchBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';

/**
 * Every link the bot sends opens the page it names (issue #15: 查看详情 on approval cards pointed at
 * `pages/approval/detail`, which does not exist, and landed on the search page). The bot is driven through
 * its real paths in the sandbox channel: search results, 新客户, reminder cards and the summary card, the
 * morning digest, approval cards (approvers and requester), notices and the replies to 查看详情 /
 * 修改后重新提交 taps. Every URL in what was sent is collected and opened in Chromium on the H5 build,
 * signed in as the recipient: the page that opens must be the one the URL names and show the record.
 */
const H5_INDEX = path.join(REPO_ROOT, 'miniapp', 'dist', 'h5', 'index.html');
const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;
if (!BROWSER_AVAILABLE) console.warn(`bot link browser tests skipped: no Chromium at ${CHROMIUM}`);

type SentCard = { taskId: string; url?: string; buttons: Array<{ key: string; text: string; url?: string }> };
type SentItem = { direction: string; message: { kind: string; card?: SentCard; text?: string }; html: string | null };

const NAMES: Record<string, string> = {
  'demo-rep1': '刘洋',
  'demo-rep2': '陈静',
  'demo-manager': '张伟',
  'demo-director': '李娜',
  'demo-legal': '吴昊',
};

describeBrowser('every URL the bot sends opens its page in the H5 build', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(H5_INDEX)) execSync('npm run build:h5 -w miniapp', { cwd: REPO_ROOT, stdio: 'inherit', timeout: 300_000 });
    // pushes at any hour and any day, the digest due at once: the run does not depend on the clock
    t = await startTestApp({ QUIET_HOURS: 'off', WORKING_DAYS: '1-7', DIGEST_TIME: '00:00' }, { crm: true });
    base = await t.listen();
    browser = await launchBrowser();
  }, 360_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const settle = async () => {
    await t.bot.inFlight.drain();
    await t.services.approvals.settled();
    await t.bot.inFlight.drain();
  };
  const say = async (user: string, text: string) => {
    expect((await t.http.post('/sandbox/api/messages').send({ user, text })).status).toBe(200);
    await settle();
  };
  const conversation = async (user: string): Promise<SentItem[]> =>
    ((await t.http.get(`/sandbox/api/conversation?user=${user}`)).body.items as SentItem[]).filter((m) => m.direction === 'out');
  const tap = async (user: string, card: SentCard, text: string) => {
    const b = card.buttons.find((x) => x.text === text)!;
    expect((await t.http.post('/sandbox/api/actions').send({ user, key: b.key, taskId: card.taskId })).status).toBe(200);
    await settle();
  };
  const cardsOf = async (user: string, prefix: string) =>
    (await conversation(user)).filter((m) => m.message.kind === 'card' && m.message.card!.taskId.startsWith(prefix)).map((m) => m.message.card!);

  /** Every URL in every message a user got: card links, link buttons, links in markdown and text. */
  async function urlsSentTo(user: string): Promise<string[]> {
    const out = new Set<string>();
    for (const m of await conversation(user)) {
      const card = m.message.card;
      if (card?.url) out.add(card.url);
      for (const b of card?.buttons ?? []) if (b.url) out.add(b.url);
      for (const h of (m.html ?? '').matchAll(/href="([^"]+)"/g)) out.add(h[1]!.replace(/&amp;/g, '&'));
      for (const u of (m.message.text ?? '').matchAll(/https?:\/\/[^\s)）]+/g)) out.add(u[0]);
    }
    return [...out];
  }

  it('drives the bot through search, 新客户, reminders, the digest and approvals, then opens every link as its recipient', async () => {
    // search results and a new customer (rep1)
    await say('demo-rep1', '查 zs');
    await say('demo-rep1', '新客户 杭州小明科技有限公司 王小明 13911112222');

    // reminder cards and the morning digest: every scheduled reminder falls due now
    await t.conn
      .model<Reminder>('Reminder')
      .updateMany({ status: 'scheduled' }, { $set: { dueAt: new Date(Date.now() - 60_000) } })
      .exec();
    await t.scheduler().tick();
    await t.scheduler().tick();
    await settle();

    // an approval: the manager approves, the director taps 查看详情 where a page cannot open (a callback) and rejects
    const rep = { Authorization: await t.login('demo-rep1') };
    const customers = await t.http.get('/api/v1/customers?limit=1').set(rep);
    const c = await t.http
      .post('/api/v1/contracts')
      .set(rep)
      .send({ customerId: customers.body.items[0].id, number: 'HT-LINK-1', title: '链接合同', amountFen: 600_000_00, discountPercent: 0 });
    const a = await t.http.post(`/api/v1/contracts/${c.body.id}/submit`).set(rep).send({ comment: '年底前签约' });
    expect(a.status).toBe(201);
    await settle();
    const [managerCard] = await cardsOf('demo-manager', `apv-${a.body.id}`);
    await tap('demo-manager', managerCard!, '同意');
    const [directorCard] = await cardsOf('demo-director', `apv-${a.body.id}`);
    // the callback fallbacks of link buttons, as a channel without url buttons would send them
    expect((await t.http.post('/sandbox/api/actions').send({ user: 'demo-director', key: `apv.view:${a.body.id}`, taskId: directorCard!.taskId })).status).toBe(
      200,
    );
    await settle();
    // a silent approver is reminded with a notice (markdown with the link)
    await t.services.approvalSweep.run(new Date(Date.now() + 5 * 3_600_000));
    await settle();
    await tap('demo-director', directorCard!, '驳回');
    await say('demo-director', '付款条件不合规');
    const [told] = (await cardsOf('demo-rep1', `apr-${a.body.id}`)).slice(-1);
    expect(told!.buttons.map((b) => b.text)).toContain('修改后重新提交');
    expect((await t.http.post('/sandbox/api/actions').send({ user: 'demo-rep1', key: `apv.re:${a.body.id}`, taskId: told!.taskId })).status).toBe(200);
    await settle();

    // what the intent router answers: a follow-up's confirmation card, 今天, 待审批 (none left), 我发起的 (the
    // rejection's 修改后重新提交), XX的合同, 业绩, 团队情况, the fallback
    await say('demo-rep1', '拜访了张三，演示了新版，下周二下午再联系');
    await say('demo-rep1', '我的提醒');
    await say('demo-rep1', '我发起的');
    await say('demo-rep1', '张三的合同');
    await say('demo-rep1', '业绩');
    await say('demo-rep1', '这个客户怎么办');
    await say('demo-manager', '待审批');
    await say('demo-manager', '团队情况');

    const origin = t.config.http.publicBaseUrl;
    const links: Array<{ user: string; url: string }> = [];
    for (const user of Object.keys(NAMES)) for (const url of await urlsSentTo(user)) links.push({ user, url });
    // the workbench's links (业绩 / 团队 cards: 打开工作台) open on the desktop: sign in there, then land on the page named
    const consoleLinks = links.filter((l) => l.url.startsWith(`${origin}/console/`));
    expect(consoleLinks.map((l) => l.user).sort()).toEqual(expect.arrayContaining(['demo-manager', 'demo-rep1']));
    for (const { user, url } of consoleLinks) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const target = `${base}${url.slice(origin.length)}`;
      await page.goto(target);
      await page.waitForURL(/\/console\/login/);
      await page.locator('.demo-user', { hasText: NAMES[user]! }).getByRole('button', { name: '登录' }).click();
      await page.locator('.current-user', { hasText: NAMES[user]! }).waitFor({ timeout: 10_000 });
      const pathOf = (u: string) => new URL(u).pathname.replace(/\/$/, ''); // /console/ and /console are the same page
      expect(pathOf(page.url())).toBe(pathOf(url));
      await page.close();
    }
    links.splice(0, links.length, ...links.filter((l) => !consoleLinks.includes(l)));

    const kinds = new Set(links.map((l) => /#\/(pages\/[\w/-]+)/.exec(l.url)?.[1]));
    // what the run must have produced for the check to mean something
    expect([...kinds].sort()).toEqual(['pages/approvals/detail', 'pages/approvals/index', 'pages/customer/detail', 'pages/reminders/index']);
    expect(links.filter((l) => l.url.includes('resubmit=1')).length).toBeGreaterThan(0);

    const contexts = new Map<string, BrowserContext>();
    const failures: string[] = [];
    let shot = 0;
    for (const { user, url } of links) {
      expect(url.startsWith(`${origin}/app/#/pages/`)).toBe(true);
      const target = `${base}${url.slice(origin.length)}`;
      const named = /#\/(pages\/[\w/-]+)(?:\?(.*))?$/.exec(url)!;
      const [pagePath, query] = [named[1]!, new URLSearchParams(named[2] ?? '')];
      let context = contexts.get(user);
      const page = await (context ?? (await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 }))).newPage();
      if (!context) {
        context = page.context();
        contexts.set(user, context);
        // sign in once per recipient (the demo-user picker), then follow the link
        await page.goto(`${base}/app/#/pages/search/index`);
        await page.locator('.demo-user', { hasText: NAMES[user]! }).first().click();
        await page.locator('.page.search').waitFor();
      }
      await page.goto(target);
      try {
        await page.waitForURL((u) => u.hash.startsWith(`#/${pagePath}`), { timeout: 10_000 });
        const auth = { Authorization: await t.login(user) };
        if (pagePath === 'pages/customer/detail') {
          const customer = await t.http.get(`/api/v1/customers/${query.get('id')}`).set(auth);
          expect(customer.status).toBe(200);
          await page.locator('.page.customer .head-title', { hasText: customer.body.name as string }).waitFor({ timeout: 10_000 });
        } else if (pagePath === 'pages/approvals/detail') {
          const approval = await t.http.get(`/api/v1/approvals/${query.get('id')}`).set(auth);
          expect(approval.status).toBe(200);
          await page.locator('.page.approval .head-title', { hasText: approval.body.title as string }).waitFor({ timeout: 10_000 });
          if (query.get('resubmit')) await page.locator('.resubmit-form .action-resubmit').waitFor({ timeout: 10_000 });
        } else if (pagePath === 'pages/approvals/index') {
          await page.locator('.page.approvals').first().waitFor({ timeout: 10_000 });
        } else if (pagePath === 'pages/reminders/index') {
          await page.locator('.page.reminders .tab').first().waitFor({ timeout: 10_000 });
        } else {
          failures.push(`${user}: ${url} names ${pagePath}, which this test does not know`);
        }
        if (shot < 3 && pagePath === 'pages/approvals/detail') await page.screenshot({ path: path.join(ARTIFACTS, `bot-link-${shot++}.png`), fullPage: true });
      } catch (err) {
        failures.push(`${user}: ${url} → ${page.url()} (${(err as Error).message.split('\n')[0]})`);
      }
      await page.close();
    }
    for (const ctx of contexts.values()) await ctx.close();
    expect(failures).toEqual([]);
    expect(links.length).toBeGreaterThanOrEqual(8);
  }, 300_000);
});
