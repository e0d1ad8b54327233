import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@crm/config';
import type { Browser, Page } from 'playwright-core';
import { DATABASE_LABELS } from '../../api/src/modules/health/home.routes';
import { ARTIFACTS, BROWSER_AVAILABLE, CHROMIUM, launchBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';

/** A newcomer's first five minutes: the home page is the front door (sandbox first, the mini-app at phone width, the API docs). */
const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;
if (!BROWSER_AVAILABLE) console.warn(`newcomer browser tests skipped: no Chromium at ${CHROMIUM}`);

/** Every CSP violation the page reports (console and securitypolicyviolation events). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...seen, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))];
}

describeBrowser('the home page is the front door', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({}, { crm: true });
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('three big links (沙盒聊天 first, as 刘洋), the database in use and the sign-in hint, under its CSP', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const violations = await watchCsp(page);
    const failed: string[] = [];
    page.on('response', (r) => void (r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`)));
    const res = await page.goto(`${base}/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self' 'sha256-");
    const doors = page.locator('a.door');
    expect(await doors.count()).toBe(3);
    expect(await doors.nth(0).locator('b').textContent()).toContain('沙盒聊天');
    expect(await doors.nth(0).textContent()).toContain('推荐先看');
    expect(await doors.nth(0).textContent()).toContain('刘洋（demo-rep1');
    expect(await doors.nth(0).textContent()).toContain('跟进提醒卡片');
    expect(await doors.nth(1).locator('b').textContent()).toContain('小程序');
    expect(await doors.nth(1).textContent()).toContain('手机宽度');
    expect(await doors.nth(2).locator('b').textContent()).toContain('API 文档');
    for (let i = 0; i < 3; i++) expect((await doors.nth(i).boundingBox())!.height).toBeGreaterThanOrEqual(60); // big, not a line of text
    expect(await page.locator('#database').textContent()).toBe(DATABASE_LABELS[TEST_DB_KIND]);
    expect(await page.locator('#sign-in').textContent()).toContain('demo-rep1');
    // the command to copy names this server (PUBLIC_BASE_URL), not a guessed localhost:3000
    expect(await page.locator('#sign-in code').textContent()).toContain(`curl -s ${t.config.http.publicBaseUrl}/api/v1/auth/dev-login`);
    expect(failed).toEqual([]); // no 404 for /favicon.ico either
    await page.screenshot({ path: path.join(ARTIFACTS, 'home.png'), fullPage: true });

    // 小程序 opens in its own window at phone width
    const [popup] = await Promise.all([context.waitForEvent('page'), doors.nth(1).click()]);
    await popup.waitForLoadState('domcontentloaded');
    expect(popup.url()).toMatch(new RegExp(`^${base}/app/`));
    const width = await popup.evaluate(() => window.innerWidth);
    expect(width).toBeLessThanOrEqual(430);
    expect(page.url()).toBe(`${base}/`); // the home page stays where it was
    await popup.close();

    // 沙盒聊天 opens as 刘洋
    await doors.nth(0).click();
    await page.waitForSelector('#user option[value="demo-rep1"]', { state: 'attached' });
    expect(await page.locator('#user').inputValue()).toBe('demo-rep1');

    expect(await violations()).toEqual([]);
    await context.close();
  });

  it('API 文档 opens the reference', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.locator('#open-docs').click();
    await page.waitForURL(`${base}/api/docs`);
    await page.close();
  });
});

/** The H5 build is made by the mini-app e2e test or `npm run build:h5`; without it these steps are skipped with a note. */
const H5_BUILT = existsSync(path.join(REPO_ROOT, 'miniapp', 'dist', 'h5', 'index.html'));
const describeH5 = BROWSER_AVAILABLE && H5_BUILT ? describe : describe.skip;
if (BROWSER_AVAILABLE && !H5_BUILT) console.warn('newcomer mini-app steps skipped: no miniapp/dist/h5 (npm run build:h5)');

describeH5('the mini-app shows only what the user may do, says who they are, and reads the same as the bot', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let shared: { id: string }; // 曾小贤, shared with the partner
  let zhangsan: { id: string }; // 张三, not shared with the partner
  beforeAll(async () => {
    t = await startTestApp({}, { crm: true });
    base = await t.listen();
    browser = await launchBrowser();
    const admin = await t.login('demo-admin');
    shared = (await t.http.get('/api/v1/customers?q=曾小贤').set('authorization', admin)).body.items[0];
    zhangsan = (await t.http.get('/api/v1/customers?q=zs').set('authorization', admin)).body.items.find((c: { name: string }) => c.name === '张三');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `newcomer-${name}.png`), fullPage: true });
  async function signIn(page: Page, name: string): Promise<void> {
    await page.goto(`${base}/app/#/pages/login/index`);
    await page.locator('.demo-user', { hasText: name }).first().click();
    await page.locator('.whoami-name', { hasText: name }).waitFor();
  }

  it('a partner: no 新建客户, no 写拜访记录 / 加下一步, forms say read-only; a customer not theirs offers 返回 and no toast', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await signIn(page, '周杰');
    expect(await page.locator('.whoami-name').textContent()).toContain('周杰');
    await page.locator('.shortcut', { hasText: '我的提醒' }).waitFor();
    expect(await page.locator('.shortcut', { hasText: '新建客户' }).count()).toBe(0);
    await shot(page, 'partner-search');

    await page.goto(`${base}/app/#/pages/customer/detail?id=${shared.id}`);
    await page.locator('.head-title', { hasText: '曾小贤' }).waitFor();
    expect(await page.locator('.action-visit').count()).toBe(0);
    expect(await page.locator('.action-next').count()).toBe(0);
    await page.locator('.read-only-note').waitFor();
    expect(await page.locator('.contact .phone').first().textContent()).toContain('137 0000 1234');
    await shot(page, 'partner-360');

    for (const url of [`/app/#/pages/visit/new?customerId=${shared.id}`, '/app/#/pages/customer/create']) {
      await page.goto(`${base}${url}`);
      await page.locator('.state-readonly').waitFor();
      expect(await page.locator('.state-readonly').textContent()).toContain('只读账号');
      expect(await page.locator('.state-readonly .state-back').textContent()).toBe('返回');
    }

    await page.goto(`${base}/app/#/pages/customer/detail?id=${zhangsan.id}`);
    await page.locator('.state-error').waitFor();
    expect(await page.locator('.state-error').textContent()).toContain('客户不存在或无权查看');
    expect(await page.locator('.state-error .state-back').textContent()).toBe('返回');
    expect(await page.locator('.state-error button', { hasText: '重试' }).count()).toBe(0);
    // said once: on the page, not again in a toast
    const said = await page.evaluate(() => document.body.innerText.split('客户不存在或无权查看').length - 1);
    expect(said).toBe(1);
    await shot(page, 'partner-not-found');
    await page.close();
  });

  it('switch user: 切换用户 → 刘洋, who may write; the 360 page reads 138 0013 8000, 上海 once, money as ¥12万, blocks aligned', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await signIn(page, '周杰');
    await page.locator('.switch-user').click();
    await page.locator('.demo-user', { hasText: '刘洋' }).first().click();
    await page.locator('.whoami-name', { hasText: '刘洋' }).waitFor();
    await page.locator('.shortcut', { hasText: '新建客户' }).waitFor();

    await page.goto(`${base}/app/#/pages/customer/detail?id=${zhangsan.id}`);
    await page.locator('.head-title', { hasText: '张三' }).waitFor();
    await page.locator('.action-visit').waitFor();
    expect(await page.locator('.contact .phone').first().textContent()).toBe('138 0013 8000（拨打）');
    const region = page.locator('.kv', { hasText: '地区' });
    expect(await region.locator('text=上海').count()).toBe(1);
    expect((await region.textContent())!.replace('地区', '').trim()).toBe('上海');
    // deals and contracts: label / value rows like the head card, values starting in one column
    const deal = page.locator('.list-item.deal').first();
    await deal.waitFor();
    expect(await deal.locator('.amount').textContent()).toMatch(/^¥[\d,.]+万?$/);
    expect(await deal.locator('.amount').textContent()).not.toMatch(/\.0万/);
    const headValueX = (await page.locator('.card.head .kv').first().locator('text=刘洋').boundingBox())!.x;
    const dealValueX = (await deal.locator('.kv').first().locator(':nth-child(2)').boundingBox())!.x;
    expect(Math.abs(headValueX - dealValueX)).toBeLessThanOrEqual(2);
    await shot(page, 'rep-360');
    await page.close();
  });
});
