/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '@crm/config';
import { BROWSER_AVAILABLE, launchBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The pages work under their Content-Security-Policy: Chromium reports every blocked script, style, image or
 * request as a console error ("Refused to …  because it violates the following Content Security Policy") and a
 * `securitypolicyviolation` event; there must be none, and each page must have done its job.
 */
const H5_BUILT = existsSync(path.join(REPO_ROOT, 'miniapp', 'dist', 'h5', 'index.html'));
const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;

describeBrowser('pages under their CSP in a real browser', () => {
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

  async function openWatching(url: string): Promise<{ page: Page; violations: () => Promise<string[]> }> {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    const seen: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
    });
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const res = await page.goto(url);
    expect(res?.headers()['content-security-policy']).toBeTruthy();
    return {
      page,
      violations: async () => [...seen, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))],
    };
  }

  it('/sandbox: the chat loads its users and answers a message', async () => {
    const { page, violations } = await openWatching(`${base}/sandbox?user=demo-rep1`);
    await page.waitForSelector('#user option[value="demo-rep1"]', { state: 'attached' });
    await page.fill('#text', '帮助');
    await page.click('form button[type=submit]');
    await page.locator('.row.out .bubble').last().waitFor();
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('/api/docs: the reference renders from the OpenAPI document', async () => {
    const { page, violations } = await openWatching(`${base}/api/docs`);
    await page.locator('details summary').first().waitFor();
    expect(await page.locator('details').count()).toBeGreaterThan(10);
    expect(await violations()).toEqual([]);
    await page.close();
  });

  (H5_BUILT ? it : it.skip)('/app: the H5 mini-app signs in and searches', async () => {
    const { page, violations } = await openWatching(`${base}/app/#/pages/search/index`);
    await page.locator('.demo-user', { hasText: '刘洋' }).first().click();
    await page.locator('input').first().waitFor();
    await page.waitForTimeout(500);
    expect(await violations()).toEqual([]);
    await page.close();
  });
});
