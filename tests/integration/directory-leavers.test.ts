import { digestMarkdown } from '../../bot/src/reminders/reminder-cards';
import { safeTextSource } from '@crm/shared';
import { FakeDirectory } from '../fakes/fake-directory';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/**
 * A person the directory sync deactivates: their manager is told once in chat (with the link that starts the
 * hand-over), and their morning digest lists 离职人员待交接 while the leaver still owns customers (read from the
 * customers, so a hand-over or a transfer takes the line away).
 */
jest.setTimeout(120_000);

const SYSTEM = { requestId: 'test', channel: 'system' as const, actorId: null };
const CONTACT_SECRET = 'contact-sync-secret';

let wecom: FakeWeComServer;
let dir: FakeDirectory;
let t: TestApp;
type UserRow = { _id: import('mongoose').Types.ObjectId; name: string; status: string; leaderId: import('mongoose').Types.ObjectId | null };
const userOf = (userid: string) => t.conn.collection<UserRow>('users').findOne({ 'identities.wecom': userid });
const bearer = (id: unknown) => `Bearer ${t.services.tokens.issue(String(id)).token}`;
const digestText = async (managerId: UserRow['_id']) =>
  safeTextSource(digestMarkdown('经理', await t.services.reminders.digestContent(managerId, null), { tz: 'Asia/Shanghai', now: new Date(), appUrl: (p) => p }));
const noticesTo = (userid: string) => wecom.delivered.filter((d) => d.touser === userid && JSON.stringify(d.body).includes('待交接'));

beforeAll(async () => {
  dir = new FakeDirectory({ people: 40, seed: 5 });
  wecom = await new FakeWeComServer(WECOM_TEST_APP).start();
  wecom.directory = dir;
  wecom.contactSecret = CONTACT_SECRET;
  t = await startTestApp({ ...WECOM_TEST_ENV(wecom.baseUrl), DIRECTORY_SOURCE: 'wecom', DIRECTORY_WECOM_SECRET: CONTACT_SECRET });
  expect((await t.services.directory.syncOnce(SYSTEM, 'manual'))!.status).toBe('done');
}, 60_000);
afterAll(async () => {
  await t.close();
  await wecom.stop();
});

/** A synced person with a leader in the CRM, and customers they own. */
async function repWithCustomers(n: number, skip: string[] = []) {
  const candidates = dir.people.filter((x) => x.status === 1 && !skip.includes(x.userid));
  let found: { p: (typeof candidates)[number]; rep: UserRow } | null = null;
  for (const p of candidates) {
    const u = await userOf(p.userid);
    if (u?.status === 'active' && u.leaderId) {
      found = { p, rep: u };
      break;
    }
  }
  const { p, rep } = found!;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await t.http
      .post('/api/v1/customers')
      .set('Authorization', bearer(rep._id))
      .send({ source: '展会', name: `${p.name}客户${i}`, company: `${p.userid}商贸${i}有限公司`, tier: 'C', contacts: [] });
    expect(res.status).toBe(201);
    ids.push(res.body.id as string);
  }
  const manager = (await t.conn.collection<UserRow & { identities: { wecom: string } }>('users').findOne({ _id: rep.leaderId! }))!;
  return { p, rep, ids, manager };
}

it('a leaver: one chat notice to the manager, and 离职人员待交接 in their digest until a hand-over moves the customers', async () => {
  const { p, rep, manager } = await repWithCustomers(2);
  dir.leave(p.userid);
  const run = (await t.services.directory.syncOnce(SYSTEM, 'schedule'))!;
  expect(run.counts.people.leave).toBe(1);
  expect((await userOf(p.userid))!.status).toBe('resigned');
  await t.bot.inFlight.drain();

  const notices = noticesTo(manager.identities.wecom);
  expect(notices).toHaveLength(1);
  expect(JSON.stringify(notices[0]!.body)).toContain(`${p.name}已从企业微信离职，名下 2 个客户待交接`);
  expect(JSON.stringify(notices[0]!.body)).toContain(`/console/org?user=${String(rep._id)}`);
  expect(await t.conn.collection('audit_log').countDocuments({ action: 'directory.leaver-notice', entityId: String(rep._id) })).toBe(1);

  const content = await t.services.reminders.digestContent(manager._id, null);
  expect(content.pendingHandovers).toEqual([{ userId: String(rep._id), name: p.name, customers: 2 }]);
  const text = await digestText(manager._id);
  expect(text).toContain(`离职人员待交接：${p.name}（客户 2 个）`);
  expect(text).toContain(`/console/org?user=${String(rep._id)}`);

  // another sync (and a resumed one) tells nobody again
  await t.services.directory.syncOnce(SYSTEM, 'schedule');
  await t.bot.inFlight.drain();
  expect(noticesTo(manager.identities.wecom)).toHaveLength(1);

  // the hand-over (离职继承) moves the customers: the line is gone
  const admin = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-admin'))!;
  const started = await t.http
    .post('/api/v1/handovers')
    .set('Authorization', bearer(admin._id))
    .send({ fromUserId: String(rep._id), kind: 'resigned', successors: [String(manager._id)], split: 'all-to-one', onRefused: 'successor-with-note' });
  expect(started.status).toBe(202);
  await t.services.handovers.runDue();
  expect(await t.conn.collection('customers').countDocuments({ ownerId: rep._id })).toBe(0);
  expect((await t.services.reminders.digestContent(manager._id, null)).pendingHandovers).toEqual([]);
  expect(await digestText(manager._id)).not.toContain('离职人员待交接');
});

it('a transfer of the leaver’s customers (instead of a hand-over) takes the line away too', async () => {
  const { p, ids, manager } = await repWithCustomers(
    1,
    dir.people.filter((x) => x.status !== 1).map((x) => x.userid),
  );
  dir.leave(p.userid);
  await t.services.directory.syncOnce(SYSTEM, 'schedule');
  expect(await digestText(manager._id)).toContain(`离职人员待交接：${p.name}（客户 1 个）`);
  const admin = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-admin'))!;
  const res = await t.http
    .post(`/api/v1/customers/${ids[0]}/transfer`)
    .set('Authorization', bearer(admin._id))
    .send({ ownerId: String(manager._id), reason: '离职交接' });
  expect(res.status).toBe(200);
  expect(await digestText(manager._id)).not.toContain(`离职人员待交接：${p.name}`);
});
