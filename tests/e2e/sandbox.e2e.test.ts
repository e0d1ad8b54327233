import path from 'node:path';
import type { Browser } from 'playwright-core';
import { seedDemoData } from '../../api/src/seed/seed';
import { ARTIFACTS, BROWSER_AVAILABLE, CHROMIUM, launchBrowser } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/test-app';

const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;
if (!BROWSER_AVAILABLE) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium fonts-wqy-zenhei)`);

describeBrowser('sandbox chat in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    // Pushes at any hour, so the reminder test does not depend on when CI runs.
    t = await startTestApp({ QUIET_HOURS: 'off', WORKING_DAYS: '1-7' }, { crm: true });
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('demo-rep1 types 查 zs at phone width and sees 张三 with a link into the mini-app', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await page.goto(`${base}/sandbox?user=demo-rep1`);
    await page.waitForSelector('#user option[value="demo-rep1"]', { state: 'attached' });
    await page.fill('#text', '查 zs');
    await page.click('form button[type=submit]');
    const reply = page.locator('.row.out .bubble').last();
    await reply.waitFor();
    await page.locator('#log', { hasText: '张三' }).waitFor();
    const link = await page.locator('.row.out .bubble a', { hasText: '张三' }).first().getAttribute('href');
    expect(link).toContain('/app/#/pages/customer/detail?id=');
    expect(await page.locator('.row.in .bubble').last().textContent()).toBe('查 zs');
    // phones read the same everywhere: 138 0013 8000 (shared formatPhone)
    expect(await page.locator('.row.out .bubble').last().textContent()).toContain('138 0013 8000');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-search-zs.png') });
    await page.close();
  });

  it('opens as 刘洋 (demo-rep1) when no user was chosen, and as the chosen one otherwise', async () => {
    for (const [query, expected] of [
      ['', 'demo-rep1'],
      ['?user=demo-manager', 'demo-manager'],
      ['?user=nobody', 'demo-rep1'],
    ]) {
      const page = await browser.newPage({ viewport: { width: 375, height: 740 } }); // a fresh profile: nothing remembered
      await page.goto(`${base}/sandbox${query}`);
      await page.waitForSelector('#user option[value="demo-rep1"]', { state: 'attached' });
      expect(await page.locator('#user').inputValue()).toBe(expected);
      await page.close();
    }
  });

  it('suggests each user only their own commands: no 新客户 for a partner, back when switching to a rep', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    const chips = () => page.locator('#hints button').allTextContents();
    await page.goto(`${base}/sandbox?user=demo-partner`);
    await page.locator('#hints button', { hasText: '帮助' }).waitFor();
    expect(await chips()).toEqual(['帮助', '查 zs', '查 8000']);
    await page.selectOption('#user', 'demo-rep1');
    await page.locator('#hints button', { hasText: '新客户' }).waitFor();
    expect(await chips()).toEqual(['帮助', '查 zs', '查 8000', '新客户 杭州云帆科技 王磊 13900001111']);
    await page.close();
  });

  it('a card’s buttons work from the page, and the card shows what happened', async () => {
    t.bot.app.action('e2e.done', async (ctx) => {
      await ctx.updateCard({ taskId: ctx.event.action!.taskId!, title: '跟进提醒：张三', buttons: [], doneText: '已完成 ✓' });
    });
    await t.bot.sandbox!.send('demo-rep2', {
      kind: 'card',
      card: {
        taskId: 'e2e-card-1',
        title: '跟进提醒：张三',
        description: '计划：发送报价单',
        fields: [{ label: '上次联系', value: '11月20日 电话' }],
        buttons: [
          { key: 'e2e.done', text: '完成', style: 'primary' },
          { key: 'e2e.later', text: '延后 1 小时' },
        ],
      },
    });
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await page.goto(`${base}/sandbox?user=demo-rep2`);
    await page.locator('.card button', { hasText: '完成' }).click();
    await page.locator('.card .done', { hasText: '已完成 ✓' }).waitFor();
    expect(await page.locator('.card button').count()).toBe(0);
    // the tap is a small system line, not a green bubble saying 【点击】完成
    await page.locator('.sys', { hasText: '你点了“完成”' }).waitFor();
    expect(await page.locator('#log').textContent()).not.toContain('【点击】');
    expect(await page.locator('.row.in .bubble').count()).toBe(0);
    expect(await page.locator('#held').isVisible()).toBe(false); // QUIET_HOURS off: nothing held
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-card-done.png') });
    await page.close();
  });

  it('a reminder card arrives at its due time; 完成 from the page closes it and the card says so', async () => {
    const rep1 = await t.login('demo-rep1');
    const found = await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1);
    const zhangsan = found.body.items.find((c: { name: string }) => c.name === '张三');
    await t.http
      .post('/api/v1/follow-ups')
      .set('authorization', rep1)
      .send({ customerId: zhangsan.id, type: 'call', content: '电话沟通', nextStep: { text: '寄送样品', dueAt: new Date(Date.now() - 5000).toISOString() } })
      .expect(201);
    await t.scheduler().tick();
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await page.goto(`${base}/sandbox?user=demo-rep1`);
    const card = page.locator('.card', { hasText: '寄送样品' }).last();
    await card.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-reminder-card.png') });
    await card.locator('button', { hasText: '完成' }).click();
    await card.locator('.done', { hasText: '已完成 ✓' }).waitFor();
    expect(await card.locator('button').count()).toBe(0);
    const open = await t.http.get('/api/v1/reminders?box=overdue').set('authorization', rep1);
    expect(open.body.items.map((r: { text: string }) => r.text)).not.toContain('寄送样品');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-reminder-done.png') });
    await page.close();
  });
});

describeBrowser('sandbox at night (quiet hours 21:00–08:00)', () => {
  // Tuesday 2026-12-01 23:00 in Beijing
  let clock = new Date('2026-12-01T15:00:00Z');
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({}, { crm: false, now: () => clock });
    // the demo as `npm start` seeds it, at 23:00
    await seedDemoData(t.services, () => undefined, { crm: true, now: clock });
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the demo reminder about 张三 arrives within two minutes, and a banner says other pushes wait until 08:00', async () => {
    clock = new Date(clock.getTime() + 2 * 60_000 + 5_000);
    const result = await t.scheduler().tick();
    expect(result.cards).toBe(1);
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await page.goto(`${base}/sandbox`);
    await page.locator('.card', { hasText: '发送正式报价单' }).waitFor();
    expect(await page.locator('.card h3').last().textContent()).toContain('张三');
    const held = page.locator('#held');
    await held.waitFor();
    expect(await held.textContent()).toBe('静默时段：提醒将于 08:00 送达');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-quiet-hours.png') });
    await page.close();
  });

  it('other reminders stay held in quiet hours', async () => {
    const rep1 = await t.login('demo-rep1');
    const found = await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1);
    const zhangsan = found.body.items.find((c: { name: string }) => c.name === '张三');
    await t.http
      .post('/api/v1/follow-ups')
      .set('authorization', rep1)
      .send({
        customerId: zhangsan.id,
        type: 'call',
        content: '夜里记的',
        nextStep: { text: '夜里的下一步', dueAt: new Date(clock.getTime() + 1000).toISOString() },
      })
      .expect(201);
    clock = new Date(clock.getTime() + 60_000);
    expect((await t.scheduler().tick()).cards).toBe(0);
  });

  it.each([
    // instant (UTC), banner
    ['2026-12-01T13:30:00Z', '静默时段：提醒将于 08:00 送达'], // Tue 21:30
    ['2026-12-01T22:00:00Z', '静默时段：提醒将于 08:00 送达'], // Wed 06:00
    ['2026-12-04T14:00:00Z', '静默时段：提醒将于 周一 08:00 送达'], // Fri 22:00
    ['2026-12-05T04:00:00Z', '非工作日：提醒将于 周一 08:00 送达'], // Sat 12:00
    ['2026-12-02T02:00:00Z', null], // Wed 10:00
  ])('at %s the conversation says %s', async (at, banner) => {
    clock = new Date(at);
    const res = await t.http.get('/sandbox/api/conversation?user=demo-rep1');
    expect(res.body.held).toBe(banner);
  });
});
