import { Types } from 'mongoose';
import { buildSystem, silentLogger, type System } from '@crm/server';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { TRANSFER_WINDOW_MS } from '../fakes/fake-wecom-external-contacts';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import { buildCustomer } from '../../api/src/seed/customers.seed';

/**
 * The proof of issue 18's hand-over: 1,000 customers of a leaving rep through the fake WeCom server, 5 % of the
 * customers refusing, and one restart mid-way (WeCom acted on a transfer call whose answer never came back; the
 * system is stopped and a new one is built on the same database). Every customer ends with exactly one owner,
 * every refusal is reconciled, no transfer is asked twice (the fake counts calls per external contact).
 */
const N = 1000;
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
const now = () => clock;
let fake: FakeWeComServer;
let t: TestApp;
let admin: string;
const ids = { rep1: '', rep2: '', rep3: '' };
const externalOf = (i: number) => `wm-c-${String(i).padStart(4, '0')}`;
const refusing = (i: number) => i % 20 === 7; // 50 of 1,000

beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  fake.now = () => clock.getTime();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl), { crm: false, now });
  admin = await t.login('demo-admin');
  const org = t.seeded.org;
  ids.rep1 = String(org.users.get('demo-rep1'));
  ids.rep2 = String(org.users.get('demo-rep2'));
  ids.rep3 = String(org.users.get('demo-rep3'));
  const customers: object[] = [];
  const contacts: object[] = [];
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < N; i += 1) {
    const built = buildCustomer(
      {
        name: `客户${i}`,
        company: `交接测试${i}有限公司`,
        owner: 'demo-rep1',
        contacts: [{ name: `联系人${i}`, phones: [`1390000${String(i).padStart(4, '0')}`] }],
      },
      org,
      new Date(clock.getTime() - (N - i) * 60_000),
      rand,
    );
    customers.push(built.customer);
    contacts.push(...built.contacts.map((c) => ({ ...c, wecomExternalUserId: externalOf(i) })));
  }
  await t.services.customers.insertSeedRecords(customers, contacts);
  // the rep's WeCom: the 1,000 customers' contacts, 10 contacts the CRM does not know, 3 customer groups
  const ec = fake.externalContacts;
  ec.addCustomers('demo-rep1', [...Array.from({ length: N }, (_, i) => externalOf(i)), ...Array.from({ length: 10 }, (_, i) => `wm-x-${i}`)]);
  ec.addGroupChats('demo-rep1', ['wr-1', 'wr-2', 'wr-3']);
  for (let i = 0; i < N; i += 1) if (refusing(i)) ec.refusing.add(externalOf(i));
  ec.resigned.add('demo-rep1'); // left in WeCom's admin already (离职继承 needs it)
}, 120_000);
afterAll(async () => {
  await t.close();
  await fake.stop();
});

describe('hand-over of 1,000 customers (离职继承) with 5 % refusals and a restart mid-way', () => {
  let handoverId = '';
  let second: System;

  it('the preview lists what hangs on the rep and an even split', async () => {
    const res = await t.http
      .post('/api/v1/handovers/preview')
      .set('authorization', admin)
      .send({ fromUserId: ids.rep1, kind: 'resigned', successors: [ids.rep2, ids.rep3], split: 'even' })
      .expect(200);
    expect(res.body.totals).toMatchObject({ customers: N, contacts: N, externalContacts: N + 10, groupChats: 3 });
    expect(res.body.successors.map((s: { customers: number }) => s.customers)).toEqual([500, 500]);
    expect(res.body.wecom.enabled).toBe(true);
    // gone from WeCom's directory (externalcontact/list: 60111): its customers come from get_unassigned_list
    expect(fake.calls.some((c) => c.path === '/cgi-bin/externalcontact/get_unassigned_list')).toBe(true);
    const unknown = res.body.wecom.externalContacts.filter((e: { customerId: string | null }) => e.customerId === null);
    expect(unknown).toHaveLength(10);
    expect(new Set(unknown.map((e: { successorId: string }) => e.successorId))).toEqual(new Set([ids.rep2]));
  }, 60_000);

  it('runs: CRM owners move, WeCom transfers go out 100 per call; the 4th call’s answer is lost and the run stops', async () => {
    const res = await t.http
      .post('/api/v1/handovers')
      .set('authorization', admin)
      .send({ fromUserId: ids.rep1, kind: 'resigned', successors: [ids.rep2, ids.rep3], split: 'even', onRefused: 'successor-with-note' })
      .expect(202);
    handoverId = res.body.id;
    expect(res.body).toMatchObject({ status: 'queued', phase: 'crm', progress: { customers: { total: N, moved: 0 } } });
    await t.http
      .post('/api/v1/handovers')
      .set('authorization', admin)
      .send({ fromUserId: ids.rep1, kind: 'resigned', successors: [ids.rep2], split: 'all-to-one', onRefused: 'pool' })
      .expect(409)
      .expect((r) => expect(r.body.error.code).toBe('HANDOVER_RUNNING'));

    fake.externalContacts.loseAnswerOfTransferCall = 4; // WeCom takes the 4th call's customers; we never hear back
    await t.services.handovers.runDue('worker-1');
    const h = (await t.http.get(`/api/v1/handovers/${handoverId}`).set('authorization', admin).expect(200)).body;
    expect(h).toMatchObject({ phase: 'wecom', status: 'running', progress: { customers: { moved: N, skipped: 0 } } });
    expect(h.error).toBeTruthy();
    expect(h.progress.wecom).toMatchObject({ total: N + 10, requested: 400 }); // 3 answered calls and the lost one
    expect(fake.externalContacts.transferRequests).toBe(4);
    // the CRM side is done: the leaver owns nothing and is deactivated
    expect(await t.conn.collection('customers').countDocuments({ ownerId: new Types.ObjectId(ids.rep1) })).toBe(0);
    expect((await t.services.org.findUserById(ids.rep1))!.status).toBe('resigned');
  }, 120_000);

  it('a new system on the same database resumes: the lost call is reconciled with transfer_result, never sent again', async () => {
    await t.system.stop();
    second = buildSystem(t.config, { connection: t.conn, databaseKind: TEST_DB_KIND, logger: silentLogger(), now });
    clock = new Date(clock.getTime() + t.config.handover.retryMs);
    expect(await second.services.handovers.runDue('worker-2')).toBe(1);
    const doc = await t.conn.collection('handovers').findOne({ _id: new Types.ObjectId(handoverId) });
    expect(doc).toMatchObject({ status: 'waiting', phase: 'poll', error: null });
    // 1,010 external contacts: 6 calls for 李娜's... no: 510 to 陈静 (with the 10 unknown) and 500 to 黄磊 → 11 calls
    expect(fake.externalContacts.transferRequests).toBe(11);
    const counts = [...fake.externalContacts.transferCalls.values()];
    expect(counts).toHaveLength(N + 10);
    expect(counts.every((n) => n === 1)).toBe(true);
    expect(fake.externalContacts.groupTransfers.map((g) => g.chatId).sort()).toEqual(['wr-1', 'wr-2', 'wr-3']);
    // progress went to the starter and the successors
    expect(fake.to('demo-admin').some((d) => d.msgtype === 'markdown' && JSON.stringify(d.body).includes('离职继承进行中'))).toBe(true);
    expect(fake.to('demo-rep2').some((d) => JSON.stringify(d.body).includes('你接手了'))).toBe(true);
  }, 120_000);

  it('polls transfer_result: refusals come in, then WeCom completes the rest after 24 h; refusals are reconciled', async () => {
    clock = new Date(clock.getTime() + 2 * 3600_000); // the refusals (an hour after the request)
    await second.services.handovers.runDue('worker-2');
    let h = (await t.http.get(`/api/v1/handovers/${handoverId}`).set('authorization', admin).expect(200)).body;
    expect(h.status).toBe('waiting');
    expect(h.progress.wecom).toMatchObject({ refused: 50, accepted: 0, waiting: N + 10 - 50 });

    clock = new Date(clock.getTime() + TRANSFER_WINDOW_MS); // WeCom takes the rest over
    await second.services.handovers.runDue('worker-2');
    h = (await t.http.get(`/api/v1/handovers/${handoverId}`).set('authorization', admin).expect(200)).body;
    expect(h).toMatchObject({ status: 'done', phase: 'done' });
    expect(h.progress).toMatchObject({
      customers: { total: N, moved: N, skipped: 0 },
      wecom: { total: N + 10, accepted: N + 10 - 50, refused: 50, failed: 0, timedOut: 0, waiting: 0 },
      groupChats: { total: 3, transferred: 3, failed: 0 },
      reconciled: { toSuccessor: 50, toPool: 0 },
    });
    expect(h.report.refused).toHaveLength(50);
    expect(h.report.perSuccessor.map((s: { customers: number }) => s.customers)).toEqual([500, 500]);
  }, 120_000);

  it('every customer has exactly one owner, the one the split named; every refusal carries its note; nothing doubled', async () => {
    const customers = await t.conn
      .collection('customers')
      .find({}, { projection: { ownerId: 1, status: 1, name: 1 } })
      .toArray();
    expect(customers).toHaveLength(N);
    const owners = new Map<string, number>();
    for (const c of customers) {
      expect(c.status).toBe('owned');
      owners.set(String(c.ownerId), (owners.get(String(c.ownerId)) ?? 0) + 1);
    }
    expect(Object.fromEntries(owners)).toEqual({ [ids.rep2]: 500, [ids.rep3]: 500 });
    // the records followed (contacts copy the owner)
    expect(await t.conn.collection('contacts').countDocuments({ ownerId: new Types.ObjectId(ids.rep1) })).toBe(0);
    // one transfer audit per customer, one note per refusal
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'customer.transfer' })).toBe(N);
    const notes = await t.conn.collection('audit_log').find({ action: 'customer.handover-note' }).toArray();
    expect(notes).toHaveLength(50);
    const refusedNames = new Set(
      Array.from({ length: N }, (_, i) => i)
        .filter(refusing)
        .map((i) => `客户${i}`),
    );
    const byId = new Map(customers.map((c) => [String(c._id), c.name as string]));
    expect(new Set(notes.map((n) => byId.get(n.entityId as string)))).toEqual(refusedNames);
    expect(notes[0]!.note).toContain('客户拒绝');
    // WeCom's side: the successors hold the accepted ones, the refusing customers stayed with the leaver
    const ec = fake.externalContacts;
    expect((ec.contacts.get('demo-rep2')?.size ?? 0) + (ec.contacts.get('demo-rep3')?.size ?? 0)).toBe(N + 10 - 50);
    expect(ec.contacts.get('demo-rep1')?.size).toBe(50);
    expect([...ec.transferCalls.values()].every((n) => n === 1)).toBe(true);
    // every step audited
    const actions = await t.conn.collection('audit_log').distinct('action', { entityType: 'handover', entityId: handoverId });
    expect(actions.sort()).toEqual(['handover.finish', 'handover.group-transfer', 'handover.start', 'handover.wecom-reconcile', 'handover.wecom-transfer']);
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'handover.wecom-transfer', entityId: handoverId })).toBe(10);
  }, 120_000);

  it('the report card goes to the starter and each successor, once', async () => {
    await second.services.handovers.runDue('worker-2'); // nothing due: no second report
    const reports = fake.to('demo-admin').filter((d) => d.msgtype === 'template_card');
    expect(reports).toHaveLength(1);
    const card = reports[0]!.body.template_card as { main_title: { title: string }; horizontal_content_list: Array<{ keyname: string; value: string }> };
    expect(card.main_title.title).toBe('离职继承完成：刘洋');
    expect(card.horizontal_content_list).toEqual(
      expect.arrayContaining([
        { keyname: '企业微信', value: `${N + 10 - 50} 个已接替` },
        { keyname: '未接替', value: '50 个（仍归接替人 50）' },
      ]),
    );
    for (const s of ['demo-rep2', 'demo-rep3']) expect(fake.to(s).filter((d) => d.msgtype === 'template_card')).toHaveLength(1);
    await second.stop();
  });
});
