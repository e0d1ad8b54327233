import path from 'node:path';
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
