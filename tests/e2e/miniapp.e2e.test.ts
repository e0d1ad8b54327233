import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '@crm/config';
import { addDays, wallClock, zonedInstant } from '../../shared/src/time/zoned';
import { ARTIFACTS, BROWSER_AVAILABLE, CHROMIUM, launchBrowser } from '../helpers/browser';
import { unreadableButtons } from '../helpers/readable-buttons';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { wgs84ToGcj02 } from '../../miniapp/src/lib/geo';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';
import type { User } from '../../api/src/modules/org/user.model';

/**
 * The mini-app's H5 build in headless Chromium, against the real backend on the embedded database.
 * The H5 build is made here when missing (CI builds every target before the tests).
 */
const H5_INDEX = path.join(REPO_ROOT, 'miniapp', 'dist', 'h5', 'index.html');
const describeBrowser = BROWSER_AVAILABLE ? describe : describe.skip;
if (!BROWSER_AVAILABLE) console.warn(`mini-app browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium fonts-wqy-zenhei)`);

/** The reminders / approvals APIs land from other branches: their steps run once their module is there. */
const hasModule = (...names: string[]) => names.some((n) => existsSync(path.join(REPO_ROOT, 'api', 'src', 'modules', n)));
const REMINDERS_API = hasModule('reminder', 'reminders');
const APPROVALS_API = hasModule('approval', 'approvals');
if (!REMINDERS_API) console.warn('mini-app e2e: reminder steps skipped (no api/src/modules/reminder yet: the reminders API is not merged)');
if (!APPROVALS_API) console.warn('mini-app e2e: approval steps skipped (no api/src/modules/approval yet: the approvals API is not merged)');

function ensureH5Build(): void {
  if (existsSync(H5_INDEX)) return;
  execSync('npm run build:h5 -w miniapp', { cwd: REPO_ROOT, stdio: 'inherit', timeout: 300_000 });
  if (!existsSync(H5_INDEX)) throw new Error('the H5 build did not produce miniapp/dist/h5/index.html');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `miniapp-${name}.png`), fullPage: true });
}

/** Signs in on the sign-in page by tapping a demo user (the flow in the sandbox and in development). */
async function signInAs(page: Page, base: string, name: string, start = '/app/#/pages/search/index', screenshot?: string): Promise<void> {
  await page.goto(`${base}${start}`);
  const who = page.locator('.demo-user', { hasText: name }).first();
  await who.waitFor();
  if (screenshot) await shot(page, screenshot);
  await who.click();
}

describeBrowser('mini-app (H5) in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ensureH5Build();
    t = await startTestApp({}, { crm: true });
    base = await t.listen();
    browser = await launchBrowser();
  }, 360_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the build at /app (and /app redirects to /app/)', async () => {
    const res = await t.http.get('/app/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div id="app">');
    expect((await t.http.get('/app')).status).toBe(301);
    expect((await t.http.get('/app/../package.json')).status).not.toBe(200);
  });

  it('is a production build (a build made with NODE_ENV set carried React Refresh hooks: $RefreshReg$ is not defined, a blank /app)', () => {
    const dir = path.join(path.dirname(H5_INDEX), 'js');
    const scripts = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const dev = scripts.filter((f) => /\$RefreshReg\$|\$RefreshSig\$/.test(readFileSync(path.join(dir, f), 'utf8')));
    expect(dev).toEqual([]);
  });

  it('demo-rep1: sign in → search "zs" → customer 360 → log a visit with next step 明天上午 → visible through the API', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    await signInAs(page, base, '刘洋', undefined, '0-sign-in');
    await page.locator('.section-title', { hasText: '最近客户' }).waitFor();
    await shot(page, '0-search-empty-recent');
    const search = page.locator('.search-input input');
    await search.waitFor();
    await search.fill('zs');
    const hit = page.locator('.customer-item', { hasText: '张三' }).first();
    await hit.waitFor({ timeout: 15_000 });
    expect(await hit.textContent()).toContain('负责人');
    await shot(page, '1-search-zs');

    await hit.click();
    await page.waitForURL(/pages\/customer\/detail\?id=[0-9a-f]{24}/);
    const customerId = /id=([0-9a-f]{24})/.exec(page.url())![1]!;
    await page.locator('.head-title', { hasText: '张三' }).waitFor();
    await page.locator('.section-title', { hasText: '跟进记录' }).waitFor();
    await shot(page, '2-customer-360');

    await page.locator('.action-visit').click();
    await page.waitForURL(/pages\/visit\/new/);
    const content = `E2E 拜访：演示新方案，客户关注价格 ${Date.now()}`;
    await page.locator('.visit-content textarea').fill(content);
    await page.locator('.next-choice', { hasText: '明天上午' }).click();
    await page.locator('.next-text input').fill('发送报价单');
    await page.locator('.due-at').waitFor();
    await shot(page, '3-visit-form');
    await page.locator('.submit-visit').click();

    // back on the 360 page, the new visit is on the timeline
    await page.waitForURL(/pages\/customer\/detail/, { timeout: 15_000 });
    await page.locator('.timeline-content', { hasText: content }).waitFor({ timeout: 15_000 });
    await shot(page, '4-customer-after-visit');

    const auth = await t.login('demo-rep1');
    const res = await t.http.get(`/api/v1/follow-ups?customerId=${customerId}`).set('authorization', auth);
    expect(res.status).toBe(200);
    const created = (res.body.items as Array<Record<string, unknown>>).find((f) => f.content === content) as
      { type: string; source: string; nextStep: { text: string; dueAt: string } } | undefined;
    expect(created).toBeDefined();
    expect(created!.type).toBe('visit');
    expect(created!.source).toBe('miniapp');
    expect(created!.nextStep.text).toBe('发送报价单');
    const now = wallClock(new Date(), 'Asia/Shanghai');
    const tomorrow = addDays(now.year, now.month, now.day, 1);
    expect(created!.nextStep.dueAt).toBe(zonedInstant(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, 'Asia/Shanghai').toISOString());

    if (REMINDERS_API) {
      const reminders = await t.http.get('/api/v1/reminders?box=upcoming').set('authorization', auth);
      expect(reminders.status).toBe(200);
      const scheduled = (reminders.body.items as Array<{ dueAt: string; text: string }>).find((r) => r.dueAt === created!.nextStep.dueAt);
      expect(scheduled).toBeDefined();
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the 360 page opened from a bot link asks to sign in first, then shows the customer', async () => {
    const auth = await t.login('demo-rep1');
    const list = await t.http.get('/api/v1/customers?q=zs').set('authorization', auth);
    const id = (list.body.items as Array<{ id: string }>)[0]!.id;
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await signInAs(page, base, '刘洋', `/app/#/pages/customer/detail?id=${id}`);
    await page.locator('.head-title').waitFor({ timeout: 15_000 });
    expect(page.url()).toContain(`pages/customer/detail?id=${id}`);
    await page.close();
  }, 60_000);

  it('新建客户: 查重, 仍然新建 and 保存 all show readable labels', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await signInAs(page, base, '刘洋');
    await page.locator('.section-title', { hasText: '最近客户' }).waitFor();
    await page.goto(`${base}/app/#/pages/customer/create`);
    await page.locator('.btn', { hasText: '查重' }).waitFor({ timeout: 15_000 });
    expect(await unreadableButtons(page)).toEqual([]);
    await page.locator('.input input').nth(1).fill('张三');
    await page.locator('.input input').nth(2).fill('13800138000');
    await page.locator('.chip').first().click();
    await page.locator('.btn', { hasText: '查重' }).click();
    await page.locator('.card-title', { hasText: '可能重复' }).waitFor({ timeout: 15_000 });
    await page.locator('.btn', { hasText: '仍然新建' }).waitFor();
    await shot(page, '8-create-duplicate');
    const unreadable = await unreadableButtons(page);
    expect(unreadable).toEqual([]);
    await page.close();
  }, 60_000);

  it('定位签到 in H5 asks the browser (WGS-84) and stores the check-in in GCJ-02', async () => {
    const gps = { latitude: 31.2304, longitude: 121.4737 }; // 人民广场, as a phone's GPS reports it
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, permissions: ['geolocation'], geolocation: gps });
    const auth = await t.login('demo-rep1');
    const list = await t.http.get('/api/v1/customers?q=zs&owner=me').set('authorization', auth);
    const customerId = (list.body.items as Array<{ id: string }>)[0]!.id;
    await signInAs(page, base, '刘洋', `/app/#/pages/visit/new?customerId=${customerId}`);
    const checkIn = page.locator('.btn', { hasText: '定位签到' });
    await checkIn.waitFor({ timeout: 15_000 });
    await checkIn.click();
    await page.locator('.location-note', { hasText: '已定位' }).waitFor({ timeout: 15_000 });
    const content = `E2E 签到拜访 ${Date.now()}`;
    await page.locator('.visit-content textarea').fill(content);
    expect(await unreadableButtons(page)).toEqual([]); // 保存 looked disabled
    await shot(page, '9-visit-located');
    await page.locator('.submit-visit').click();
    let made: { content: string; location?: { lat: number; lng: number } } | undefined;
    for (let i = 0; i < 50 && !made; i++) {
      const res = await t.http.get(`/api/v1/follow-ups?customerId=${customerId}`).set('authorization', auth);
      made = (res.body.items as Array<{ content: string; location?: { lat: number; lng: number } }>).find((f) => f.content === content);
      if (!made) await new Promise((r) => setTimeout(r, 300));
    }
    expect(made).toBeDefined();
    const expected = wgs84ToGcj02({ lat: gps.latitude, lng: gps.longitude });
    expect(made?.location?.lat).toBeCloseTo(expected.lat, 5);
    expect(made?.location?.lng).toBeCloseTo(expected.lng, 5);
    await page.close();
  }, 60_000);

  (REMINDERS_API ? it : it.skip)(
    'my reminders: counts in tabs, newest overdue first, grouped by kind, 写跟进, multi-select 完成',
    async () => {
      const rep1 = (await t.conn.model<User>('User').findOne({ 'identities.wecom': 'demo-rep1' }).lean())!;
      const auth = await t.login('demo-rep1');
      const mine = (await t.http.get('/api/v1/customers?limit=20').set('authorization', auth)).body.items as Array<{
        id: string;
        name: string;
        status: string;
      }>;
      const [a, b, c] = mine.filter((x) => x.status === 'owned');
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
      const made = async (key: string, kind: 'next-step' | 'cold-customer', customer: { id: string; name: string }, text: string, dueAt: Date) =>
        String(
          (
            await t.conn.model<Reminder>('Reminder').create({
              dedupeKey: `e2e:${key}:${Date.now()}`,
              kind,
              userId: rep1._id,
              dueAt,
              status: 'sent',
              title: kind === 'next-step' ? `跟进提醒：${customer.name}` : `久未跟进：${customer.name}`,
              text,
              customerId: customer.id,
            })
          )._id,
        );
      const old = await made('old', 'next-step', a!, 'E2E 很久以前的下一步', hoursAgo(24 * 9));
      const recent = await made('recent', 'next-step', b!, 'E2E 刚逾期的下一步', hoursAgo(2));
      const cold = await made('cold', 'cold-customer', c!, 'E2E 客户冷却', hoursAgo(24 * 2));
      const counts = async () => (await t.http.get('/api/v1/reminders?box=overdue').set('authorization', auth)).body.counts as { overdue: number };
      const before = (await counts()).overdue;

      const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
      await signInAs(page, base, '刘洋', '/app/#/pages/reminders/index');
      await page.locator('.tab', { hasText: '已逾期' }).click();
      // the tab carries the count
      await page.locator('.tab', { hasText: `已逾期 ${before > 99 ? '99+' : before}` }).waitFor({ timeout: 15_000 });
      // grouped by kind, and in 下一步 the most recently overdue comes first
      await page.locator('.group-title', { hasText: '下一步' }).waitFor();
      await page.locator('.group-title', { hasText: '客户冷却' }).waitFor();
      const steps = await page.locator('[data-group="next-step"] .reminder').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      expect(steps.indexOf(recent)).toBeGreaterThanOrEqual(0);
      expect(steps.indexOf(recent)).toBeLessThan(steps.indexOf(old));
      expect(await page.locator(`[data-id="${recent}"] .due`).textContent()).toBe('逾期 2小时');
      await shot(page, '5-reminders-overdue');
      expect(await unreadableButtons(page)).toEqual([]);

      // 多选 → two of them → 完成所选（2）
      await page.locator('.select-toggle').click();
      await page.locator(`[data-id="${old}"] .check`).click();
      await page.locator(`[data-id="${cold}"] .check`).click();
      await page.locator('.bulk-complete', { hasText: '完成所选（2）' }).waitFor();
      await shot(page, '5b-reminders-multiselect');
      expect(await unreadableButtons(page)).toEqual([]);
      await page.locator('.bulk-complete').click();
      await page.locator(`[data-id="${old}"]`).waitFor({ state: 'detached', timeout: 15_000 });
      await page.locator(`[data-id="${cold}"]`).waitFor({ state: 'detached' });
      await page.locator('.tab', { hasText: `已逾期 ${before - 2 > 99 ? '99+' : before - 2}` }).waitFor();
      for (const id of [old, cold]) expect((await t.conn.model<Reminder>('Reminder').findById(id).lean())!.status).toBe('done');
      expect((await t.conn.model<Reminder>('Reminder').findById(recent).lean())!.status).toBe('sent');
      expect((await counts()).overdue).toBe(before - 2);

      // 写跟进 opens the visit form on that customer
      await page.locator(`[data-id="${recent}"] .action-log`).click();
      await page.waitForURL(new RegExp(`pages/visit/new\\?customerId=${b!.id}`));
      await page.close();
    },
    90_000,
  );

  (REMINDERS_API ? it : it.skip)(
    'the manager view: team reminders name the rep and offer 提醒他',
    async () => {
      const manager = (await t.conn.model<User>('User').findOne({ 'identities.wecom': 'demo-manager' }).lean())!;
      const rep1 = (await t.conn.model<User>('User').findOne({ 'identities.wecom': 'demo-rep1' }).lean())!;
      const team = await t.conn.model<Reminder>('Reminder').create({
        dedupeKey: `e2e:team:${Date.now()}`,
        kind: 'stalled-opportunity',
        userId: manager._id,
        aboutUserId: rep1._id,
        dueAt: new Date(Date.now() - 3600_000),
        status: 'sent',
        title: 'E2E 团队商机停滞：智慧园区二期（刘洋）',
        text: '已在“方案报价”阶段超过 8 天，负责人 刘洋 尚未推进',
      });
      const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
      await signInAs(page, base, '张伟', '/app/#/pages/manager/index');
      const row = page.locator('.team-reminder', { hasText: 'E2E 团队商机停滞' });
      await row.waitFor({ timeout: 15_000 });
      expect(await row.textContent()).toContain('负责人 刘洋');
      expect(await row.locator('.action-done').count()).toBe(0);
      await shot(page, '8-manager-team-reminders');
      expect(await unreadableButtons(page)).toEqual([]);
      await row.locator('.action-nudge', { hasText: '提醒他' }).click();
      await row.waitFor({ state: 'detached', timeout: 15_000 });
      expect(await t.conn.model<Reminder>('Reminder').findById(team._id).lean()).toMatchObject({ status: 'done', outcome: '已提醒 刘洋' });
      expect(
        await t.conn
          .model<Reminder>('Reminder')
          .findOne({ dedupeKey: `nudge:${String(team._id)}` })
          .lean(),
      ).toMatchObject({ userId: rep1._id });
      await page.close();
    },
    60_000,
  );

  (hasModule('report') ? it : it.skip)(
    'the manager dashboard: figures, funnel with conversion, ranking, overdue by rep; a stage opens its deals',
    async () => {
      const rep1 = await t.login('demo-rep1');
      const zs = (await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1)).body.items.find((c: { name: string }) => c.name === '张三');
      await t.http
        .post('/api/v1/opportunities')
        .set('authorization', rep1)
        .send({ customerId: zs.id, name: 'E2E 看板商机', amountFen: 12_000_000 })
        .expect(201);
      const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
      await signInAs(page, base, '张伟', '/app/#/pages/manager/index');
      await page.locator('.funnel-stage').first().waitFor({ timeout: 15_000 });
      expect(await page.locator('.dash-tile').count()).toBe(6);
      expect(await page.locator('.funnel-conv').count()).toBeGreaterThan(0);
      expect(await page.locator('.rank-row').count()).toBeGreaterThan(0);
      expect(
        await page
          .locator('.funnel-fill')
          .first()
          .evaluate((el) => el.getBoundingClientRect().width),
      ).toBeGreaterThan(0);
      await shot(page, '9-manager-dashboard');
      expect(await unreadableButtons(page)).toEqual([]);
      await page.locator('.funnel-stage').first().click();
      await page.waitForURL(/pages\/manager\/list\?kind=drill/);
      const row = page.locator('.drill-row', { hasText: 'E2E 看板商机' });
      await row.waitFor({ timeout: 15_000 });
      await shot(page, '9b-manager-dashboard-list');
      await row.click();
      await page.waitForURL(new RegExp(`pages/customer/detail\\?id=${zs.id}`));
      await page.close();
    },
    90_000,
  );

  (APPROVALS_API ? it : it.skip)(
    'demo-manager approves a pending approval',
    async () => {
      const manager = await t.login('demo-manager');
      const todo = await t.http.get('/api/v1/approvals?box=todo').set('authorization', manager);
      expect(todo.status).toBe(200);
      let pending = (todo.body.items as Array<{ id: string; title: string }>)[0];
      if (!pending) {
        // submit a draft contract of demo-rep1 for approval
        const rep = await t.login('demo-rep1');
        const drafts = await t.http.get('/api/v1/contracts?status=draft').set('authorization', rep);
        const draft = (drafts.body.items as Array<{ id: string }>)[0];
        expect(draft).toBeDefined();
        expect((await t.http.post(`/api/v1/contracts/${draft!.id}/submit`).set('authorization', rep).send({})).status).toBeLessThan(300);
        pending = ((await t.http.get('/api/v1/approvals?box=todo').set('authorization', manager)).body.items as Array<{ id: string; title: string }>)[0];
      }
      expect(pending).toBeDefined();
      const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
      await signInAs(page, base, '张伟', '/app/#/pages/approvals/index');
      await page.locator('.approval-item').first().waitFor({ timeout: 15_000 });
      await shot(page, '6-approvals-todo');
      await page.locator('.approval-item', { hasText: pending!.title }).first().click();
      await page.locator('.action-reject').waitFor();
      await shot(page, '6b-approval-detail');
      expect(await unreadableButtons(page)).toEqual([]); // 驳回 was an empty red box (disabled="false")
      await page.locator('.action-approve').click();
      await page.locator('.step .status', { hasText: '已同意' }).first().waitFor({ timeout: 15_000 });
      await shot(page, '7-approval-approved');
      const after = await t.http.get(`/api/v1/approvals/${pending!.id}`).set('authorization', manager);
      expect(after.body.history.some((h: { action: string }) => h.action === 'approve')).toBe(true);
      await page.close();
    },
    90_000,
  );

  (APPROVALS_API ? it : it.skip)(
    'demo-rep1: 我发起的 shows the rejection, 重新提交 with a note lists what changed, 撤回 takes it back; demo-manager: 我已审批 shows 我已驳回',
    async () => {
      const rep = await t.login('demo-rep1');
      const customers = await t.http.get('/api/v1/customers?limit=1').set('authorization', rep);
      const c = await t.http
        .post('/api/v1/contracts')
        .set('authorization', rep)
        .send({ customerId: customers.body.items[0].id, number: `HT-MINE-${Date.now()}`, title: '重提合同', amountFen: 150_000_00, discountPercent: 18 });
      expect(c.status).toBe(201);
      const first = await t.http.post(`/api/v1/contracts/${c.body.id}/submit`).set('authorization', rep).send({ comment: '首次报价' });
      expect(first.status).toBe(201);
      const manager = await t.login('demo-manager');
      const rejected = await t.http
        .post(`/api/v1/approvals/${first.body.id}/decision`)
        .set('authorization', manager)
        .send({ decision: 'reject', comment: '折扣过高' });
      expect(rejected.body.status).toBe('rejected');
      expect((await t.http.patch(`/api/v1/contracts/${c.body.id}`).set('authorization', rep).send({ discountPercent: 12 })).status).toBe(200);

      const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
      await signInAs(page, base, '刘洋', '/app/#/pages/approvals/index');
      await page.locator('.tab', { hasText: '我发起的' }).click();
      const item = page.locator('.approval-item', { hasText: first.body.title as string }).first();
      await item.locator('.approval-where', { hasText: '张伟 驳回：折扣过高' }).waitFor({ timeout: 15_000 });
      await shot(page, '8-approvals-mine');
      expect(await unreadableButtons(page)).toEqual([]);
      await item.locator('.action-resubmit').click();
      await page.waitForURL(/pages\/approvals\/detail\?id=[0-9a-f]{24}&resubmit=1/);
      await page.locator('.approval-rejection', { hasText: '张伟 驳回：折扣过高' }).waitFor();
      await page.locator('.approval-note', { hasText: '首次报价' }).waitFor();
      await page.locator('.step-reason', { hasText: '折扣 18% > 15%' }).waitFor();
      await page.locator('.resubmit-note textarea').fill('折扣已降到 12%');
      await shot(page, '8b-approval-rejected-resubmit');
      await page.locator('.resubmit-form .action-resubmit').click();

      // the new approval: what changed since the rejection, the current step in words, steps not reached 未开始
      await page.locator('.approval-resubmission', { hasText: '改动：折扣 18%→12%；申请说明 首次报价→折扣已降到 12%' }).waitFor({ timeout: 15_000 });
      await page.locator('.approval-resubmission', { hasText: '上次 张伟 驳回「折扣过高」' }).waitFor();
      await page.locator('.step-current:visible', { hasText: '当前步骤' }).waitFor();
      // (the page it came from stays in the stack, hidden: only the visible page counts)
      await page.locator('.step:visible', { hasText: '未开始' }).first().waitFor();
      const steps = await page.locator('.step:visible').allTextContents();
      expect(steps.join('\n')).not.toContain('待处理');
      expect(steps.join('\n')).not.toContain('财务'); // 12% no longer needs finance
      await shot(page, '8c-approval-resubmitted');
      await page.locator('.action-withdraw:visible').click();
      await page.locator('.approval-status:visible', { hasText: '已撤回' }).waitFor({ timeout: 15_000 });
      await shot(page, '8d-approval-withdrawn');
      const mine = await t.http.get('/api/v1/approvals?box=mine').set('authorization', rep);
      const again = (mine.body.items as Array<{ previousId: string | null; status: string }>).find((x) => x.previousId === first.body.id);
      expect(again?.status).toBe('withdrawn');
      await page.close();

      const mgr = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
      await signInAs(mgr, base, '张伟', '/app/#/pages/approvals/index');
      await mgr.locator('.tab', { hasText: '我已审批' }).click();
      await mgr
        .locator('.approval-item', { hasText: first.body.title as string })
        .first()
        .locator('.my-decision', { hasText: '我已驳回' })
        .waitFor({ timeout: 15_000 });
      await shot(mgr, '9-approvals-done-mine');
      await mgr.close();
    },
    90_000,
  );
});
