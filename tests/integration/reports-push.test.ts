import { Types } from 'mongoose';
import pino from 'pino';
import { ReportPush } from '@crm/bot';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/*
 * The reports in chat through the fake WeCom API: 业绩 / 团队 answer with a card of the numbers and a link to the
 * workbench; on Monday from 09:00 every manager gets the weekly card and, when there is something to say, one
 * alert card (quiet reps, new deals down week on week), once each even with two workers running at the same time.
 */
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T08:30'); // a Monday
let fake: FakeWeComServer;
let t: TestApp;
const uid = (login: string) => t.seeded.org.users.get(login)!;
type Tc = {
  task_id: string;
  main_title: { title: string; desc?: string };
  horizontal_content_list?: Array<{ keyname: string; value: string }>;
  jump_list?: Array<{ url: string }>;
};
const cards = (login: string) =>
  fake
    .to(login)
    .filter((m) => m.msgtype === 'template_card')
    .map((m) => m.body.template_card as Tc);

beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { now: () => clock });
  // east's new deals: 6 in the week before last, 2 last week (−67 %); rep2 logged a follow-up on Friday, rep1 nothing
  const customer = new Types.ObjectId();
  const east = t.seeded.org.departments.get('east')!;
  const deal = (n: number, at: Date, owner: string) => ({
    _id: new Types.ObjectId(),
    customerId: customer,
    name: `周报商机${n}`,
    amountFen: 1_000_000,
    stage: 'initial',
    stageEnteredAt: at,
    stageHistory: [{ stage: 'initial', enteredAt: at, byId: null }],
    lostReason: null,
    closedAt: null,
    ownerId: uid(owner),
    departmentId: east,
    sharedWith: [],
    createdAt: at,
    updatedAt: at,
  });
  await t.conn.collection('customers').insertOne({
    _id: customer,
    name: '周报客户',
    source: '官网',
    tier: 'B',
    status: 'owned',
    ownerId: uid('demo-rep2'),
    departmentId: east,
    sharedWith: [],
    createdAt: bj('2026-11-10T10:00'),
    lastFollowUpAt: null,
  });
  await t.conn
    .collection('opportunities')
    .insertMany([
      ...[0, 1, 2, 3, 4, 5].map((i) => deal(i, bj(`2026-11-1${i}T10:00`), 'demo-rep2')),
      deal(6, bj('2026-11-17T10:00'), 'demo-rep1'),
      deal(7, bj('2026-11-18T10:00'), 'demo-rep2'),
    ]);
  await t.conn.collection('follow_ups').insertOne({
    _id: new Types.ObjectId(),
    customerId: customer,
    authorId: uid('demo-rep2'),
    type: 'call',
    content: '电话',
    happenedAt: bj('2026-11-20T15:00'),
    source: 'bot',
    ownerId: uid('demo-rep2'),
    departmentId: east,
    sharedWith: [],
    createdAt: bj('2026-11-20T15:00'),
  });
  await t.services.reports.rollups.rebuild();
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const push = () =>
  new ReportPush(t.conn, {
    services: t.services,
    notifier: t.bot.notifier,
    policy: t.config.reminders,
    businessTz: t.config.businessTz,
    logger: pino({ level: 'silent' }),
    now: () => clock,
  });

describe('业绩 / 团队 in chat', () => {
  it.each([
    ['demo-rep2', '业绩', '本月业绩', '上月'],
    ['demo-rep2', '本周', '本周业绩', '上周'],
    ['demo-manager', '团队', '团队本月', '上月'],
    ['demo-manager', '本周团队', '团队本周', '上周'],
  ])('%s: %s → a card with the numbers and 打开工作台', async (login, text, title, previous) => {
    const before = cards(login).length;
    const packet = sealedPost(textXml(login, text));
    await t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body).expect(200);
    await t.bot.inFlight.drain();
    const card = cards(login).slice(before).at(-1)!;
    expect(card.main_title.title).toContain(title);
    expect(JSON.stringify(card)).toContain(previous); // compared with the period before of the same length
    expect(JSON.stringify(card)).toContain('/console/');
    expect(JSON.stringify(card)).toContain('打开工作台');
  });
});

describe('weekly card and alerts', () => {
  it('nothing before 09:00', async () => {
    expect(await push().runDue()).toEqual({ weekly: 0, alerts: 0 });
  });

  it('from 09:00: one weekly card and one alert per manager, even with two workers at once', async () => {
    clock = bj('2026-11-23T09:05');
    const before = cards('demo-manager').length;
    const [a, b] = await Promise.all([push().runDue(), push().runDue()]);
    const leaders = (await t.services.org.activeLeaders()).length;
    expect(a.weekly + b.weekly).toBe(leaders);
    const mine = cards('demo-manager').slice(before);
    expect(mine.filter((c) => c.main_title.title.startsWith('团队周报')).length).toBe(1);
    const alerts = mine.filter((c) => c.main_title.title === '团队提醒');
    expect(alerts.length).toBe(1);
    const text = JSON.stringify(alerts[0]);
    // rep1 logged nothing for 3 working days; rep2 did (Friday); east's new deals 6 → 2
    expect(text).toContain('刘洋');
    expect(text).not.toContain('陈静');
    expect(text).toMatch(/上周 2 个，比前一周 6 个少 67%/);
    // a later run the same day sends nothing again
    clock = bj('2026-11-23T11:00');
    expect(await push().runDue()).toEqual({ weekly: 0, alerts: 0 });
  });

  it('the weekly card names last week and the top of the ranking', async () => {
    const weekly = cards('demo-manager').find((c) => c.main_title.title.startsWith('团队周报'))!;
    expect(weekly.main_title.title).toContain('11月16日–11月22日');
    expect(JSON.stringify(weekly)).toContain('第一名');
  });

  it('Tuesday: alerts only (no weekly card), once', async () => {
    clock = bj('2026-11-24T09:30');
    const [a, b] = await Promise.all([push().runDue(), push().runDue()]);
    expect(a.weekly + b.weekly).toBe(0);
    expect(a.alerts + b.alerts).toBeGreaterThan(0);
    expect(await push().runDue()).toEqual({ weekly: 0, alerts: 0 });
  });
});
