import { Types } from 'mongoose';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { TRANSFER_WINDOW_MS } from '../fakes/fake-wecom-external-contacts';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import { buildCustomer } from '../../api/src/seed/customers.seed';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';

/**
 * The hand-over's rules beside the 1,000-customer proof (handover.test.ts): who may start one, the split by
 * customer, 在职继承 with refusals and WeCom's 2-in-90-days limit going to the pool, the reminders following the
 * customers, a transfer WeCom never settles timing out, and a hand-over held by a live worker left alone.
 */
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
const now = () => clock;
let fake: FakeWeComServer;
let t: TestApp;
const auth: Record<string, string> = {};
const id: Record<string, string> = {};
const cust: Record<string, string> = {};
let seed = 7;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

/** Customers owned by `owner` in one province ("广东" / "上海" from the company name), each with a WeCom contact `ext`. */
async function customers(owner: string, specs: Array<{ name: string; city: '广州' | '上海'; ext?: string }>) {
  const docs: object[] = [];
  const contacts: object[] = [];
  for (const s of specs) {
    const built = buildCustomer(
      {
        name: s.name,
        company: `${s.city}${s.name}贸易有限公司`,
        owner,
        contacts: [{ name: `${s.name}联系人`, phones: [`13${String(1e9 + docs.length + Math.floor(rand() * 1e8)).slice(0, 9)}`] }],
      },
      t.seeded.org,
      new Date(clock.getTime() - 3600_000),
      rand,
    );
    docs.push(built.customer);
    contacts.push(...built.contacts.map((c) => ({ ...c, ...(s.ext ? { wecomExternalUserId: s.ext } : {}) })));
    cust[s.name] = String(built.customer._id);
  }
  await t.services.customers.insertSeedRecords(docs, contacts);
}

beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  fake.now = () => clock.getTime();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: false, now });
  for (const login of ['demo-admin', 'demo-manager', 'demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-partner']) {
    auth[login] = await t.login(login);
    id[login] = String(t.seeded.org.users.get(login));
  }
  // what the successors already serve: 陈静 (rep2) in 广东, 张伟 (manager) in 上海
  await customers(
    'demo-rep2',
    [1, 2, 3].map((i) => ({ name: `广东老客${i}`, city: '广州' as const })),
  );
  await customers(
    'demo-manager',
    [1, 2, 3].map((i) => ({ name: `上海老客${i}`, city: '上海' as const })),
  );
  // 刘洋 (rep1): 6 in 广东, 6 in 上海, each a WeCom customer of his
  const mine = [
    ...[0, 1, 2, 3, 4, 5].map((i) => ({ name: `粤客${i}`, city: '广州' as const, ext: `wm-g-${i}` })),
    ...[0, 1, 2, 3, 4, 5].map((i) => ({ name: `沪客${i}`, city: '上海' as const, ext: `wm-s-${i}` })),
  ];
  await customers('demo-rep1', mine);
  fake.externalContacts.addCustomers(
    'demo-rep1',
    mine.map((m) => m.ext),
  );
}, 120_000);
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const preview = (who: string, body: Record<string, unknown>) => t.http.post('/api/v1/handovers/preview').set('authorization', auth[who]!).send(body);

describe('who may hand over whom', () => {
  it.each([
    ['a rep', 403, 'demo-rep2', () => ({ fromUserId: id['demo-rep1'], successors: [id['demo-rep2']] }), 'FORBIDDEN'],
    ['a manager, someone outside their team', 404, 'demo-manager', () => ({ fromUserId: id['demo-rep3'], successors: [id['demo-rep1']] }), 'NOT_FOUND'],
    ['a manager, to a partner', 400, 'demo-manager', () => ({ fromUserId: id['demo-rep1'], successors: [id['demo-partner']] }), 'VALIDATION_FAILED'],
    ['a manager, to the leaver themself', 400, 'demo-manager', () => ({ fromUserId: id['demo-rep1'], successors: [id['demo-rep1']] }), 'VALIDATION_FAILED'],
    ['a manager, their own customers', 400, 'demo-manager', () => ({ fromUserId: id['demo-manager'], successors: [id['demo-rep1']] }), 'VALIDATION_FAILED'],
    ['a manager, their team', 200, 'demo-manager', () => ({ fromUserId: id['demo-rep1'], successors: [id['demo-rep2']] }), null],
    ['an admin, anyone', 200, 'demo-admin', () => ({ fromUserId: id['demo-rep3'], successors: [id['demo-rep1']] }), null],
  ])('%s → %i', async (_case, status, who, body, code) => {
    const res = await preview(who, { kind: 'in-service', split: 'even', ...body() });
    expect(res.status).toBe(status);
    if (code) expect(res.body.error.code).toBe(code);
  });
});

describe('在职继承 by customer, refusals and the 2-in-90-days limit to the pool', () => {
  let handoverId = '';
  let reminderId: Types.ObjectId;

  it('the preview proposes each customer to the successor who serves its province', async () => {
    const res = await preview('demo-manager', {
      fromUserId: id['demo-rep1'],
      kind: 'in-service',
      successors: [id['demo-rep2'], id['demo-manager']],
      split: 'by-customer',
    }).expect(200);
    const to = new Map(res.body.customers.map((c: { name: string; successorId: string }) => [c.name, c.successorId]));
    for (let i = 0; i < 6; i += 1) {
      expect(to.get(`粤客${i}`)).toBe(id['demo-rep2']);
      expect(to.get(`沪客${i}`)).toBe(id['demo-manager']);
    }
    expect(res.body.totals).toMatchObject({ customers: 12, externalContacts: 12, groupChats: 0 });
  });

  it('runs with one edit of the split; the reminders about moved customers follow them; the rep stays active', async () => {
    // a next step of 刘洋 about 粤客0: a scheduled reminder of his
    const f = await t.http
      .post('/api/v1/follow-ups')
      .set('authorization', auth['demo-rep1']!)
      .send({ customerId: cust['粤客0'], type: 'call', content: '电话沟通', nextStep: { text: '发报价', dueAt: bj('2026-11-25T10:00').toISOString() } })
      .expect(201);
    reminderId = (await t.conn
      .model<Reminder>('Reminder')
      .findOne({ followUpId: new Types.ObjectId(f.body.id as string) })
      .lean())!._id;
    // WeCom: two customers will refuse; one was already moved twice in the last 90 days (WeCom refuses a third)
    const ec = fake.externalContacts;
    ec.refusing.add('wm-g-1').add('wm-s-1');
    for (const days of [60, 30])
      ec.transfers.push({
        externalUserId: 'wm-s-2',
        handover: 'x',
        takeover: 'demo-rep1',
        kind: 'in-service',
        at: clock.getTime() - days * 86_400_000,
        status: 1,
        takeoverTime: 0,
      });

    const res = await t.http
      .post('/api/v1/handovers')
      .set('authorization', auth['demo-manager']!)
      .send({
        fromUserId: id['demo-rep1'],
        kind: 'in-service',
        successors: [id['demo-rep2'], id['demo-manager']],
        split: 'by-customer',
        assignments: [{ customerId: cust['沪客5'], successorId: id['demo-rep2'] }],
        onRefused: 'pool',
        transferMessage: '您好，刘洋调岗，后续由同事继续为您服务。',
      })
      .expect(202);
    handoverId = res.body.id;
    await t.services.handovers.runDue();
    const h = (await t.http.get(`/api/v1/handovers/${handoverId}`).set('authorization', auth['demo-manager']!).expect(200)).body;
    expect(h).toMatchObject({ status: 'waiting', phase: 'poll' });
    expect(h.progress.wecom).toMatchObject({ total: 12, waiting: 11, failed: 1 });
    expect(h.progress.reminders.moved).toBe(1);
    expect((await t.conn.model<Reminder>('Reminder').findById(reminderId).lean())!.userId).toEqual(new Types.ObjectId(id['demo-rep2']));
    expect((await t.services.org.findUserById(id['demo-rep1']!))!.status).toBe('active');
    expect(fake.externalContacts.messages).toEqual(['您好，刘洋调岗，后续由同事继续为您服务。', '您好，刘洋调岗，后续由同事继续为您服务。']);
    const owners = await t.conn
      .collection('customers')
      .find({ _id: { $in: [cust['沪客5'], cust['沪客0'], cust['粤客0']].map((x) => new Types.ObjectId(x)) } })
      .toArray();
    expect(Object.fromEntries(owners.map((c) => [c.name, String(c.ownerId)]))).toEqual({
      沪客5: id['demo-rep2'],
      沪客0: id['demo-manager'],
      粤客0: id['demo-rep2'],
    });
    const failed = (
      await t.http.get(`/api/v1/handovers/${handoverId}/items?type=external&wecom=failed`).set('authorization', auth['demo-manager']!).expect(200)
    ).body.items;
    expect(failed).toEqual([expect.objectContaining({ externalUserId: 'wm-s-2', errcode: 40128, note: expect.stringContaining('2 次') })]);
  });

  it('after 24 h: the refused and the limited customers go to the pool with the reason; the rest stay with the successors', async () => {
    clock = new Date(clock.getTime() + 2 * 3600_000);
    await t.services.handovers.runDue();
    clock = new Date(clock.getTime() + TRANSFER_WINDOW_MS);
    await t.services.handovers.runDue();
    const h = (await t.http.get(`/api/v1/handovers/${handoverId}`).set('authorization', auth['demo-manager']!).expect(200)).body;
    expect(h).toMatchObject({ status: 'done', progress: { wecom: { accepted: 9, refused: 2, failed: 1 }, reconciled: { toPool: 3, toSuccessor: 0 } } });
    const pooled = await t.conn
      .collection('customers')
      .find({ status: 'pool' }, { projection: { name: 1, ownerId: 1 } })
      .toArray();
    expect(pooled.map((c) => c.name).sort()).toEqual(['沪客1', '沪客2', '粤客1']);
    expect(pooled.every((c) => c.ownerId === null)).toBe(true);
    const releases = await t.conn.collection('audit_log').find({ action: 'customer.release' }).toArray();
    expect(releases).toHaveLength(3);
    expect(releases.map((r) => r.note as string).sort()).toEqual([
      '交接：企业微信转接未完成（客户 90 天内已被转接 2 次（达到上限）），退回公海',
      '交接：企业微信转接未完成（客户拒绝），退回公海',
      '交接：企业微信转接未完成（客户拒绝），退回公海',
    ]);
    expect(await t.conn.collection('customers').countDocuments({ ownerId: new Types.ObjectId(id['demo-rep1']) })).toBe(0);
    // the list: the manager sees the hand-over they started; a rep may not list
    const list = await t.http.get('/api/v1/handovers').set('authorization', auth['demo-manager']!).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(handoverId);
    await t.http.get('/api/v1/handovers').set('authorization', auth['demo-rep2']!).expect(403);
  });
});

describe('a transfer WeCom never settles, and a hand-over held by a live worker', () => {
  it('is left alone while another worker holds it, resumed once its lease ran out, and times out after the window', async () => {
    await customers('demo-rep3', [{ name: '南方客户', city: '广州', ext: 'wm-n-0' }]);
    fake.externalContacts.addCustomers('demo-rep3', ['wm-n-0']);
    fake.externalContacts.frozen = true;
    const res = await t.http
      .post('/api/v1/handovers')
      .set('authorization', auth['demo-admin']!)
      .send({ fromUserId: id['demo-rep3'], kind: 'in-service', successors: [id['demo-rep1']], split: 'all-to-one', onRefused: 'successor-with-note' })
      .expect(202);
    const hid = new Types.ObjectId(res.body.id as string);
    // another worker holds it (it is advancing it right now)
    await t.conn.collection('handovers').updateOne({ _id: hid }, { $set: { lease: { holder: 'other', until: new Date(clock.getTime() + 60_000) } } });
    expect(await t.services.handovers.runDue('me')).toBe(0);
    clock = new Date(clock.getTime() + 61_000); // it died: its lease runs out
    expect(await t.services.handovers.runDue('me')).toBe(1);
    expect(await t.conn.collection('handovers').findOne({ _id: hid })).toMatchObject({ status: 'waiting', phase: 'poll', lease: { holder: null } });
    clock = new Date(clock.getTime() + t.config.handover.timeoutMs);
    await t.services.handovers.runDue('me');
    const h = (await t.http.get(`/api/v1/handovers/${res.body.id}`).set('authorization', auth['demo-admin']!).expect(200)).body;
    expect(h).toMatchObject({ status: 'done', progress: { wecom: { timedOut: 1, waiting: 0 }, reconciled: { toSuccessor: 1 } } });
    expect(h.report.refused).toEqual([expect.objectContaining({ name: '南方客户', outcome: 'successor', reason: expect.stringContaining('超过 24 小时') })]);
    const owner = await t.conn.collection('customers').findOne({ _id: new Types.ObjectId(cust['南方客户']) });
    expect(String(owner!.ownerId)).toBe(id['demo-rep1']);
    fake.externalContacts.frozen = false;
  });
});

describe('WeCom refuses to list the rep’s customers (the app may not call 客户联系)', () => {
  it('moves the CRM side, leaves the WeCom side out and says so, instead of retrying forever', async () => {
    const res = await t.http
      .post('/api/v1/handovers')
      .set('authorization', auth['demo-admin']!)
      .send({ fromUserId: id['demo-rep2'], kind: 'in-service', successors: [id['demo-rep3']], split: 'all-to-one', onRefused: 'pool' })
      .expect(202);
    fake.failNext.push(48002, 48002); // externalcontact/list and groupchat/list: "API forbidden"
    await t.services.handovers.runDue();
    const h = (await t.http.get(`/api/v1/handovers/${res.body.id}`).set('authorization', auth['demo-admin']!).expect(200)).body;
    expect(h).toMatchObject({ status: 'done', wecomUnavailable: 48002, progress: { wecom: { total: 0 } } });
    expect(h.progress.customers.moved).toBe(h.progress.customers.total);
    expect(await t.conn.collection('customers').countDocuments({ ownerId: new Types.ObjectId(id['demo-rep2']) })).toBe(0);
    const audit = await t.conn.collection('audit_log').findOne({ action: 'handover.wecom-unavailable', entityId: res.body.id });
    expect(audit!.note).toContain('错误 48002');
  });
});
