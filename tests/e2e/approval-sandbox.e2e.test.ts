import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, BROWSER_AVAILABLE, CHROMIUM, launchBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/test-app';

const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;
if (!BROWSER_AVAILABLE) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describeBrowser('approvals in the sandbox chat, in a real browser', () => {
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

  const open = async (user: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await page.goto(`${base}/sandbox?user=${user}`);
    await page.waitForSelector(`#user option[value="${user}"]`, { state: 'attached' });
    return page;
  };

  it('manager taps 同意, director taps 驳回 and types the reason; every card and the requester show the result', async () => {
    const rep = { Authorization: await t.login('demo-rep1') };
    const customers = await t.http.get('/api/v1/customers?limit=1').set(rep);
    const c = await t.http
      .post('/api/v1/contracts')
      .set(rep)
      .send({ customerId: customers.body.items[0].id, number: 'HT-E2E-1', title: '沙箱合同', amountFen: 150_000_00, discountPercent: 0 });
    const a = await t.http.post(`/api/v1/contracts/${c.body.id}/submit`).set(rep).send({});
    expect(a.status).toBe(201);

    const manager = await open('demo-manager');
    const card = manager.locator('.card', { hasText: '沙箱合同' });
    await card.locator('button', { hasText: '同意' }).click();
    await card.locator('.done', { hasText: '你已同意' }).waitFor();
    await manager.screenshot({ path: path.join(ARTIFACTS, 'approval-manager-approved.png') });

    const director = await open('demo-director');
    const dcard = director.locator('.card', { hasText: '沙箱合同' });
    await dcard.locator('button', { hasText: '驳回' }).click();
    await director.locator('#log', { hasText: '请回复驳回原因' }).waitFor();
    await director.fill('#text', '付款条件不合规');
    await director.click('form button[type=submit]');
    await director.locator('#log', { hasText: '已驳回，原因：付款条件不合规' }).waitFor();
    await dcard.locator('.done', { hasText: '已驳回' }).waitFor();
    await director.screenshot({ path: path.join(ARTIFACTS, 'approval-director-rejected.png') });

    await manager.reload();
    await manager.locator('.card', { hasText: '沙箱合同' }).locator('.done', { hasText: '已驳回' }).waitFor();
    const requester = await open('demo-rep1');
    await requester.locator('#log', { hasText: '被 李娜 驳回：付款条件不合规' }).waitFor();
    await requester.screenshot({ path: path.join(ARTIFACTS, 'approval-requester-told.png') });
    const contract = await t.http.get(`/api/v1/contracts/${c.body.id}`).set(rep);
    expect(contract.body.status).toBe('rejected');
    for (const p of [manager, director, requester]) await p.close();
  });
});
