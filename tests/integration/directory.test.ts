import { buildSystem, silentLogger } from '@crm/server';
import { FakeDingTalkServer } from '../fakes/fake-dingtalk-server';
import { FakeDirectory } from '../fakes/fake-directory';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';
import { sealedPost, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';

/**
 * Directory sync from the fake WeCom (1,000 people, 60 departments, 5 levels) and the fake DingTalk: a dry
 * run first, the sync through the org service (audited), idempotent repeats, local edits kept, leavers
 * deactivated, an interrupted run resumed from its checkpoint, one sync at a time, and the synced people's
 * data scopes.
 */
jest.setTimeout(180_000); // a 1,000-person sync on the stand-in database takes a while

const SYSTEM = { requestId: 'test', channel: 'system' as const, actorId: null };
const CONTACT_SECRET = 'contact-sync-secret';

let wecom: FakeWeComServer;
let dir: FakeDirectory;
let t: TestApp;
const as = async (login: string) => ({ Authorization: await t.login(login) });
type UserRow = {
  _id: unknown;
  name: string;
  title?: string;
  roles: string[];
  dataScope: string;
  status: string;
  leaderId: unknown;
  departmentIds: unknown[];
  identities: { wecom?: string };
};
const synced = () =>
  t.conn
    .collection<UserRow>('users')
    .find({ 'identities.wecom': /^u\d{4}$/ })
    .toArray();
const userOf = (userid: string) => t.conn.collection<UserRow>('users').findOne({ 'identities.wecom': userid });
const auditCount = (filter: Record<string, unknown>) => t.conn.collection('audit_log').countDocuments(filter);

beforeAll(async () => {
  dir = new FakeDirectory();
  wecom = await new FakeWeComServer(WECOM_TEST_APP).start();
  wecom.directory = dir;
  wecom.contactSecret = CONTACT_SECRET;
  t = await startTestApp({ ...WECOM_TEST_ENV(wecom.baseUrl), DIRECTORY_SOURCE: 'wecom', DIRECTORY_WECOM_SECRET: CONTACT_SECRET });
}, 60_000);
afterAll(async () => {
  await t.close();
  await wecom.stop();
});

describe('the generated directory', () => {
  it('has 1,000 people in 60 departments on 5 levels, a leader per department', () => {
    expect(dir.people).toHaveLength(1000);
    expect(dir.departments).toHaveLength(60);
    expect(Math.max(...dir.departments.map((d) => dir.depth(d)))).toBe(4);
    expect(dir.departments.every((d) => d.leaders.length === 1)).toBe(true);
  });
});

describe('dry run, then the first sync', () => {
  it('only admins may run it', async () => {
    for (const login of ['demo-rep1', 'demo-manager']) {
      expect((await t.http.post('/api/v1/directory/dry-run').set(await as(login))).status).toBe(403);
      expect((await t.http.post('/api/v1/directory/sync').set(await as(login))).status).toBe(403);
    }
  });

  it('a dry run lists what would be new, and writes nothing', async () => {
    const res = await t.http.post('/api/v1/directory/dry-run').set(await as('demo-admin'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'dry-run', status: 'done', counts: { departments: { create: 60 }, people: { create: 1000, update: 0, leave: 0 } } });
    expect((res.body.people as Array<{ op: string }>).every((p) => p.op === 'create')).toBe(true);
    expect(await synced()).toHaveLength(0);
  });

  it('the sync copies the tree, the people and their leaders; leaders become managers; every change audited', async () => {
    const res = await t.http.post('/api/v1/directory/sync').set(await as('demo-admin'));
    expect(res.status).toBe(202);
    await t.services.directory.settled();
    const run = await t.http.get(`/api/v1/directory/runs/${res.body.id}`).set(await as('demo-admin'));
    expect(run.body).toMatchObject({ kind: 'sync', status: 'done', phase: 'done', checkpoint: 1000, counts: { people: { create: 1000 } } });
    const users = await synced();
    expect(users).toHaveLength(1000);
    expect(users.every((u) => u.status === 'active' && u.departmentIds.length >= 1)).toBe(true);
    const deps = await t.conn
      .collection<{ ancestorIds: unknown[]; externalIds: { wecom?: string }; leaderIds: unknown[] }>('departments')
      .find({ 'externalIds.wecom': /^\d+$/ })
      .toArray();
    expect(deps).toHaveLength(60);
    expect(Math.max(...deps.map((d) => d.ancestorIds.length))).toBe(4);
    expect(deps.every((d) => d.leaderIds.length === 1)).toBe(true);
    // a team member: a rep with the default scope, led by the team's leader
    const team = dir.departments.find((d) => dir.depth(d) === 4)!;
    const member = dir.membersOf(team.id).find((p) => p.userid !== team.leaders[0] && p.departments[0] === team.id)!;
    const m = (await userOf(member.userid))!;
    const lead = (await userOf(team.leaders[0]!))!;
    expect(m).toMatchObject({ roles: ['rep'], dataScope: 'own', name: member.name, title: '销售代表' });
    expect(String(m.leaderId)).toBe(String(lead._id));
    expect(lead).toMatchObject({ roles: ['manager'], dataScope: 'department_and_children' });
    expect(await auditCount({ action: 'user.create', channel: 'system', note: '通讯录同步（wecom）' })).toBe(1000);
    expect(await auditCount({ action: 'department.create', channel: 'system' })).toBe(60);
  });

  it('a second sync changes nothing and writes no audit entry for people', async () => {
    const before = await auditCount({ action: { $in: ['user.update', 'user.create', 'department.update'] } });
    const run = await t.services.directory.syncOnce(SYSTEM, 'schedule');
    expect(run!.counts.people).toEqual({ create: 0, update: 0, same: 1000, leave: 0 });
    expect(await auditCount({ action: { $in: ['user.update', 'user.create', 'department.update'] } })).toBe(before);
  });

  it('a synced manager sees their own department tree only; a synced rep only themself', async () => {
    const region = dir.departments.find((d) => dir.depth(d) === 1)!;
    const manager = (await userOf(region.leaders[0]!))!;
    const token = `Bearer ${t.services.tokens.issue(String(manager._id)).token}`;
    const seen = new Set<string>();
    for (let cursor: string | null = null, n = 0; n < 20; n++) {
      const res: { status: number; body: { items: unknown[]; nextCursor: string | null } } = await t.http
        .get(`/api/v1/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
        .set({ Authorization: token });
      expect(res.status).toBe(200);
      for (const u of res.body.items as Array<{ identities: { wecom: string | null } }>) seen.add(u.identities.wecom ?? '');
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    const inRegion = (p: { departments: number[] }) => p.departments.some((d) => [d, ...ancestors(d)].includes(region.id));
    const expected = dir.people.filter(inRegion).map((p) => p.userid);
    expect(seen.size).toBeGreaterThan(100);
    expect([...seen].every((u) => expected.includes(u))).toBe(true);
    const otherRegion = dir.departments.find((d) => dir.depth(d) === 1 && d.id !== region.id)!;
    expect(seen.has(otherRegion.leaders[0]!)).toBe(false);
  });
});

function ancestors(id: number): number[] {
  const out: number[] = [];
  for (let d = dir.dept(id); d.parentId; d = dir.dept(d.parentId)) out.push(d.parentId);
  return out;
}

describe('changes on the platform', () => {
  it('keeps an admin’s roles and scope, overwrites platform-owned fields', async () => {
    const admin = await as('demo-admin');
    const p = dir.people[500]!;
    const u = (await userOf(p.userid))!;
    const patched = await t.http
      .patch(`/api/v1/users/${String(u._id)}`)
      .set(admin)
      .send({ roles: ['manager'], dataScope: 'department', title: '本地改的职务' });
    expect(patched.status).toBe(200);
    dir.update(p.userid, { name: '改名后', mobile: '13700001111' });
    const dry = await t.http.post('/api/v1/directory/dry-run').set(admin);
    expect(dry.body.people).toEqual([{ key: p.userid, name: '改名后', op: 'update', fields: expect.arrayContaining(['name', 'mobile', 'title']) }]);
    await t.services.directory.syncOnce(SYSTEM, 'event');
    expect(await userOf(p.userid)).toMatchObject({ name: '改名后', mobile: '13700001111', title: p.title, roles: ['manager'], dataScope: 'department' });
    const audit = await t.http.get(`/api/v1/audit?entityType=user&entityId=${String(u._id)}`).set(admin);
    expect((audit.body.items as Array<{ channel: string; changes: Record<string, unknown> }>)[0]).toMatchObject({
      channel: 'system',
      changes: { name: { after: '改名后' } },
    });
  });

  it('deactivates people who left or were disabled, through the org service (reports handed to the next leader)', async () => {
    const team = dir.departments.find((d) => dir.depth(d) === 4 && dir.membersOf(d.id).length > 3)!;
    const leaderUserid = team.leaders[0]!;
    const leader = (await userOf(leaderUserid))!;
    const report = dir.membersOf(team.id).find((p) => p.directLeader === leaderUserid)!;
    const disabled = dir.people.find(
      (p) => p.status === 1 && p.userid !== leaderUserid && p.userid !== report.userid && !dir.departments.some((d) => d.leaders.includes(p.userid)),
    )!;
    dir.leave(leaderUserid);
    dir.disable(disabled.userid);
    const dry = await t.http.post('/api/v1/directory/dry-run').set(await as('demo-admin'));
    expect(dry.body.counts.people.leave).toBe(2);
    const run = (await t.services.directory.syncOnce(SYSTEM, 'schedule'))!;
    expect(run.status).toBe('done');
    expect((await userOf(leaderUserid))!.status).toBe('resigned');
    expect((await userOf(disabled.userid))!.status).toBe('resigned');
    expect(await auditCount({ action: 'user.deactivate', entityId: String(leader._id), channel: 'system' })).toBe(1);
    // the report no longer reports to the leaver
    expect(String((await userOf(report.userid))!.leaderId)).not.toBe(String(leader._id));
    // the leavers are recorded with their manager, for the manager's digest until a hand-over is done
    expect(run.leavers.map((l) => String(l.userId)).sort()).toEqual([String(leader._id), String((await userOf(disabled.userid))!._id)].sort());
    const flagged = run.leavers.find((l) => String(l.userId) === String(leader._id))!;
    expect(flagged.managerId).not.toBeNull();
    expect((await t.services.directory.leaversFor(flagged.managerId!)).map((l) => l.name)).toContain(leader.name);
    // a second sync leaves them alone
    expect((await t.services.directory.syncOnce(SYSTEM, 'schedule'))!.counts.people.leave).toBe(0);
  });

  it('an interrupted sync resumes from its checkpoint: nobody twice, nobody missed', async () => {
    const team = dir.departments[30]!;
    for (let i = 0; i < 120; i++) dir.hire(`n${String(i).padStart(4, '0')}`, `新人${i}`, team.id);
    let batches = 0;
    await expect(
      t.services.directory.syncOnce(SYSTEM, 'schedule', {
        onBatch: () => {
          if (++batches === 3) throw new Error('process killed'); // after 150 of ~1,120 people
        },
      }),
    ).rejects.toThrow('process killed');
    const stopped = await t.conn.collection('directory_runs').findOne({ kind: 'sync' }, { sort: { _id: -1 } });
    expect(stopped).toMatchObject({ status: 'failed', phase: 'people', checkpoint: 150 });
    const resumed = (await t.services.directory.syncOnce(SYSTEM, 'schedule'))!;
    expect(String(resumed._id)).toBe(String(stopped!._id));
    expect(resumed).toMatchObject({ status: 'done', resumed: 1 });
    const hired = await t.conn.collection('users').countDocuments({ 'identities.wecom': /^n\d{4}$/, status: 'active' });
    expect(hired).toBe(120);
    expect(await auditCount({ action: 'user.create', 'changes.name.after': /^新人/ })).toBe(120);
  });

  it('a WeCom change_contact callback (member left) is acknowledged and starts a sync that deactivates them', async () => {
    const leaver = dir.people.find((p) => p.status === 1 && !dir.departments.some((d) => d.leaders.includes(p.userid)))!;
    dir.leave(leaver.userid);
    const cdata = (v: string) => `<![CDATA[${v}]]>`;
    const inner = `<xml><ToUserName>${cdata(WECOM_TEST_APP.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('change_contact')}</Event><ChangeType>${cdata('delete_user')}</ChangeType><UserID>${cdata(leaver.userid)}</UserID></xml>`;
    const packet = sealedPost(inner);
    const res = await t.http.post('/bot/wecom/callback').query(packet.query).set('Content-Type', 'text/xml').send(packet.body);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await t.services.directory.settled();
    expect((await userOf(leaver.userid))!.status).toBe('resigned');
    const run = await t.conn.collection('directory_runs').findOne({ kind: 'sync' }, { sort: { _id: -1 } });
    expect(run).toMatchObject({ trigger: 'event', status: 'done', counts: { people: { leave: 1 } } });
  });

  it('two servers never sync at once: the second finds the lease taken', async () => {
    const other = buildSystem(t.config, { connection: t.conn, databaseKind: TEST_DB_KIND, logger: silentLogger() });
    const [a, b] = await Promise.all([t.services.directory.syncOnce(SYSTEM, 'schedule'), other.services.directory.syncOnce(SYSTEM, 'schedule')]);
    expect([a, b].filter((r) => r === null)).toHaveLength(1);
    expect([a, b].find((r) => r !== null)!.status).toBe('done');
    await other.stop();
  });
});

describe('DingTalk', () => {
  it('syncs the same way from the v2 department and user APIs (leaders from the department managers)', async () => {
    const DING = { clientId: 'dingsync', clientSecret: 'dingsyncsecret', robotCode: 'dingsyncrobot' };
    const ding = await new FakeDingTalkServer(DING).start();
    const small = new FakeDirectory({ people: 240, seed: 7 });
    ding.directory = small;
    const d = await startTestApp({
      DINGTALK_CLIENT_ID: DING.clientId,
      DINGTALK_CLIENT_SECRET: DING.clientSecret,
      DINGTALK_ROBOT_CODE: DING.robotCode,
      DINGTALK_API_BASE: ding.baseUrl,
      DINGTALK_OAPI_BASE: ding.baseUrl,
      DIRECTORY_SOURCE: 'dingtalk',
      DIRECTORY_DEPARTMENTS: '2', // one region's tree only
    });
    try {
      const run = (await d.services.directory.syncOnce(SYSTEM, 'manual'))!;
      const region = small.dept(2);
      const inRegion = small.people.filter((p) => p.departments.some((x) => x === 2 || ancestorsIn(small, x).includes(2)));
      expect(run.counts.departments.create).toBe(small.departments.filter((x) => x.id === 2 || ancestorsIn(small, x.id).includes(2)).length);
      expect(run.counts.people.create).toBe(inRegion.length);
      const users = await d.conn
        .collection<UserRow & { identities: { dingtalk?: string } }>('users')
        .find({ 'identities.dingtalk': /^u\d{4}$/ })
        .toArray();
      expect(users).toHaveLength(inRegion.length);
      const head = users.find((u) => u.identities.dingtalk === region.leaders[0])!;
      expect(head.roles).toEqual(['manager']);
      const member = users.find((u) => u.identities.dingtalk !== region.leaders[0] && small.person(u.identities.dingtalk!).departments[0] === 2);
      if (member) expect(String(member.leaderId)).toBe(String(head._id));
    } finally {
      await d.close();
      await ding.stop();
    }
  });
});

function ancestorsIn(d: FakeDirectory, id: number): number[] {
  const out: number[] = [];
  for (let x = d.dept(id); x.parentId; x = d.dept(x.parentId)) out.push(x.parentId);
  return out;
}
