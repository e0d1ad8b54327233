import { silentLogger } from '@crm/server';
import { orgChangeOf } from '../../bot/src/channels/dingtalk/dingtalk-event';
import { DingTalkStreamTransport } from '../../bot/src/channels/dingtalk/dingtalk-stream.transport';
import { FakeDingTalkServer, type CallbackDelivery } from '../fakes/fake-dingtalk-server';
import { FakeDirectory } from '../fakes/fake-directory';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * DingTalk org events (通讯录事件: user_add_org, user_modify_org, user_leave_org, org_dept_create / modify / remove)
 * start a directory sync, as WeCom's change_contact does: pushed encrypted to /bot/dingtalk/callback (HTTP mode,
 * from the fake DingTalk) or arriving as EVENT frames on the stream socket.
 */
jest.setTimeout(120_000);

const APP = { clientId: 'dingorgapp', clientSecret: 'dingorgsecret', robotCode: 'dingorgrobot' };
const TOKEN = 'ddOrgToken';
const AES = 'o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus';
const SYSTEM = { requestId: 'test', channel: 'system' as const, actorId: null };

describe('orgChangeOf', () => {
  it('maps the six org events (HTTP and stream shapes) and nothing else', () => {
    expect(orgChangeOf(undefined, { EventType: 'user_leave_org', UserId: ['u0007'], CorpId: 'ding1' })).toEqual({
      changeType: 'user_leave_org',
      userid: 'u0007',
    });
    expect(orgChangeOf(undefined, { EventType: 'org_dept_remove', DeptId: [12] })).toEqual({ changeType: 'org_dept_remove', departmentId: '12' });
    expect(orgChangeOf('user_add_org', { userId: ['u0100'] })).toEqual({ changeType: 'user_add_org', userid: 'u0100' });
    for (const t of ['user_modify_org', 'org_dept_create', 'org_dept_modify']) expect(orgChangeOf(t, null)).toEqual({ changeType: t });
    expect(orgChangeOf(undefined, { EventType: 'check_url' })).toBeNull();
    expect(orgChangeOf('chat_update_title', {})).toBeNull();
    expect(orgChangeOf(undefined, 'success')).toBeNull();
  });
});

describe('stream mode', () => {
  it('an EVENT frame with an org change is handed to the directory sync and acknowledged; other events only acknowledged', () => {
    const changes: unknown[] = [];
    const transport = new DingTalkStreamTransport({} as never, APP, silentLogger(), (c) => changes.push(c));
    const frame = (eventType: string, data: unknown) => ({ headers: { eventType, eventId: 'e1', messageId: 'm1' } as never, data: JSON.stringify(data) });
    expect(transport.onEvent(frame('user_leave_org', { userId: ['u0003'] }))).toEqual({ status: 'SUCCESS' });
    expect(transport.onEvent(frame('chat_update_title', {}))).toEqual({ status: 'SUCCESS' });
    expect(transport.onEvent({ headers: { eventType: 'org_dept_create' } as never, data: 'not json' })).toEqual({ status: 'SUCCESS' });
    expect(changes).toEqual([{ changeType: 'user_leave_org', userid: 'u0003' }, { changeType: 'org_dept_create' }]);
  });
});

describe('HTTP mode against the fake DingTalk', () => {
  let ding: FakeDingTalkServer;
  let dir: FakeDirectory;
  let t: TestApp;
  const deliver: CallbackDelivery = async ({ query, headers, body }) => {
    const res = await t.http.post('/bot/dingtalk/callback').query(query).set(headers).send(body);
    return { status: res.status, body: res.body as unknown };
  };
  const userOf = (userid: string) => t.conn.collection<{ status: string }>('users').findOne({ 'identities.dingtalk': userid });
  const lastRun = () => t.conn.collection('directory_runs').findOne({ kind: 'sync' }, { sort: { _id: -1 } });

  beforeAll(async () => {
    ding = await new FakeDingTalkServer({ ...APP, callback: { token: TOKEN, aesKey: AES } }).start();
    dir = new FakeDirectory({ people: 40, seed: 11 });
    ding.directory = dir;
    t = await startTestApp({
      DINGTALK_CLIENT_ID: APP.clientId,
      DINGTALK_CLIENT_SECRET: APP.clientSecret,
      DINGTALK_ROBOT_CODE: APP.robotCode,
      DINGTALK_API_BASE: ding.baseUrl,
      DINGTALK_OAPI_BASE: ding.baseUrl,
      DINGTALK_MODE: 'http',
      DINGTALK_TOKEN: TOKEN,
      DINGTALK_AES_KEY: AES,
      DIRECTORY_SOURCE: 'dingtalk',
    });
    expect((await t.services.directory.syncOnce(SYSTEM, 'manual'))!.status).toBe('done');
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await ding.stop();
  });

  it('user_leave_org is answered success and starts a sync that deactivates the leaver', async () => {
    const leaver = dir.people.find((p) => p.status === 1 && !dir.dept(1).leaders.includes(p.userid))!;
    expect((await userOf(leaver.userid))!.status).toBe('active');
    dir.leave(leaver.userid);
    const push = { EventType: 'user_leave_org', TimeStamp: String(Date.now()), UserId: [leaver.userid], CorpId: 'dingcorp' };
    expect(await ding.pushEvent(deliver, JSON.stringify(push))).toEqual({ status: 200, ok: true });
    await t.services.directory.settled();
    expect((await userOf(leaver.userid))!.status).toBe('resigned');
    expect(await lastRun()).toMatchObject({ trigger: 'event', status: 'done', counts: { people: { leave: 1 } } });
  });

  it('user_add_org brings the new member in; a department event syncs too (nothing to change: no one added or left)', async () => {
    const team = dir.departments[10]!;
    dir.hire('n0001', '新同事', team.id);
    expect(await ding.pushEvent(deliver, JSON.stringify({ EventType: 'user_add_org', UserId: ['n0001'] }))).toEqual({ status: 200, ok: true });
    await t.services.directory.settled();
    expect((await userOf('n0001'))!.status).toBe('active');
    const before = await t.conn.collection('directory_runs').countDocuments({ kind: 'sync', trigger: 'event' });
    expect(await ding.pushEvent(deliver, JSON.stringify({ EventType: 'org_dept_modify', DeptId: [team.id] }))).toEqual({ status: 200, ok: true });
    await t.services.directory.settled();
    expect(await t.conn.collection('directory_runs').countDocuments({ kind: 'sync', trigger: 'event' })).toBe(before + 1);
    expect(await lastRun()).toMatchObject({ trigger: 'event', status: 'done', counts: { people: { create: 0, leave: 0 } } });
  });

  it('other events (check_url) start no sync', async () => {
    const before = await t.conn.collection('directory_runs').countDocuments({ kind: 'sync' });
    expect(await ding.pushEvent(deliver, '{"EventType":"check_url"}')).toEqual({ status: 200, ok: true });
    await t.services.directory.settled();
    expect(await t.conn.collection('directory_runs').countDocuments({ kind: 'sync' })).toBe(before);
  });
});
