/// <reference lib="dom" />
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, BROWSER_AVAILABLE, launchBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * /api/docs in Chromium at 1280 px: the 如何获取令牌 section first, operations grouped by tag, markdown rendered
 * (never as HTML: a description's <img onerror> stays text), each operation with its response fields, a real
 * example and its error codes, under the page's Content-Security-Policy with nothing refused.
 */
const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;

describeBrowser('the API reference in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    base = await t.listen();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP ${e.violatedDirective} ${e.blockedURI}`));
    });
    const res = await page.goto(`${base}/api/docs`);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    await page.locator('body[data-ready="1"]').waitFor();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opens with 如何获取令牌 (dev login, the mini-app sign-ins, bearer header, Idempotency-Key, error shape, X-Request-Id)', async () => {
    const intro = page.locator('#intro');
    expect(await intro.locator('h2').first().textContent()).toBe('如何获取令牌');
    const text = (await intro.textContent()) ?? '';
    for (const must of [
      'Authorization: Bearer',
      '/api/v1/auth/dev-login',
      'wecom-miniprogram',
      'wecom-oauth',
      'dingtalk',
      'Idempotency-Key',
      'X-Request-Id',
      'requestId',
    ])
      expect(text).toContain(must);
    // markdown rendered: a table for the sign-ins, code blocks, bold, no literal markup left
    expect(await intro.locator('table.md-table tr').count()).toBe(4);
    expect(await intro.locator('pre.code').count()).toBeGreaterThanOrEqual(2);
    expect(await intro.locator('strong').count()).toBeGreaterThan(2);
    expect(text).not.toMatch(/\*\*|^##|```/m);
  });

  it('groups the operations by tag in reading order, with a side index', async () => {
    const tags = await page.locator('section.tag > h2').evaluateAll((hs) => hs.map((h) => h.firstChild?.textContent));
    expect(tags).toEqual(['登录', '组织', '客户', '联系人', '跟进', '商机', '合同', '审批', '提醒', '审计', '报表', '公海', '交接', '导入', '导出', 'Webhook']);
    expect(await page.locator('nav li a').count()).toBe(tags.length + 1);
    const doc = (await t.http.get('/api/v1/openapi.json')).body as { paths: Record<string, object> };
    const ops = Object.values(doc.paths).reduce((n, m) => n + Object.keys(m).length, 0);
    expect(await page.locator('details.op').count()).toBe(ops);
  });

  it('an operation shows its response fields with descriptions, a real example and its error codes', async () => {
    const op = page
      .locator('details.op', { has: page.locator('summary code.path', { hasText: /^\/api\/v1\/customers$/ }) })
      .filter({ has: page.locator('.m.POST') });
    await op.locator(':scope > summary').click();
    const field = (part: string, name: string) =>
      op.locator(`table[data-part=${part}] tr`, { has: page.locator('td.fname code', { hasText: new RegExp(`^${name}$`) }) }).first();
    expect(await field('response', 'tier').textContent()).toContain('A 重点客户');
    expect(await field('request', 'tier').textContent()).toContain('A 重点客户');
    expect(await field('request', 'source').textContent()).toContain('是'); // required
    const errors = (await op.locator('table.errors').textContent()) ?? '';
    for (const code of ['DUPLICATE_SUSPECTED', 'VALIDATION_FAILED', 'UNAUTHENTICATED', 'DATABASE_UNAVAILABLE']) expect(errors).toContain(code);
    await op.locator('details.example > summary').click();
    const example = JSON.parse((await op.locator('details.example pre').textContent()) ?? '{}') as { id?: string; source?: string };
    expect(example.id).toMatch(/^[0-9a-f]{24}$/);
    expect(example.source).toBeTruthy();
    await op.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs-1280-operation.png') });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs-1280.png') });
  });

  it('the filter narrows the list', async () => {
    await page.fill('#filter', 'reminders');
    const visible = await page.locator('details.op:visible').count();
    expect(visible).toBeGreaterThan(3);
    expect(await page.locator('details.op:visible summary code.path').allTextContents()).toEqual(
      expect.arrayContaining(['/api/v1/reminders', '/api/v1/reminders/{id}/snooze']),
    );
    expect(await page.locator('section.tag:visible').count()).toBe(1);
    await page.fill('#filter', '');
  });

  it('markdown is rendered safely: HTML in a description stays text, only http(s) and same-site links', async () => {
    // a document whose description carries HTML and a javascript: link
    await page.route('**/api/v1/openapi.json', async (route) => {
      const res = await route.fetch();
      const doc = (await res.json()) as { info: { description: string } };
      doc.info.description = '## 如何获取令牌\n\n<img src=x onerror="window.__pwned=1"> [点我](javascript:window.__pwned=2) [文档](/api/docs) **粗体**';
      await route.fulfill({ response: res, json: doc });
    });
    await page.reload();
    await page.locator('body[data-ready="1"]').waitFor();
    const intro = page.locator('#intro');
    expect(await intro.locator('img').count()).toBe(0);
    expect(await intro.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await intro.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/api/docs']);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.unroute('**/api/v1/openapi.json');
  });

  it('nothing was refused by the CSP and no script failed', () => {
    expect(problems).toEqual([]);
  });
});
