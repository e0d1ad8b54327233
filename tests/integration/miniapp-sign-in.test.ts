import type { FakeDingTalkServer } from '../fakes/fake-dingtalk-server';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startPlatformApp } from '../helpers/platform-app';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { WECOM_TEST_APP } from '../helpers/wecom-packets';

/**
 * The mini-app's sign-ins, server side, against the fake platform servers: WeCom mini-program
 * (wx.qy.login → jscode2session), WeCom H5 (OAuth2 → auth/getuserinfo), DingTalk (dd.getAuthCode →
 * topapi/v2/user/getuserinfo). All end in the API's bearer token; unknown or resigned users get 403.
 */
const DING = { clientId: 'dingminiapp', clientSecret: 'dingminisecret', robotCode: 'dingminirobot' };

let wecom: FakeWeComServer;
let ding: FakeDingTalkServer;
let t: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, wecom, ding, close } = await startPlatformApp(DING));
});
afterAll(() => close());

async function me(token: string) {
  return t.http.get('/api/v1/me').set('authorization', `Bearer ${token}`);
}

describe('WeCom mini-program: wx.qy.login code → jscode2session', () => {
  it('signs a member in with the same bearer token as the API, and audits it', async () => {
    const code = wecom.issueMiniProgramCode('demo-rep1');
    const res = await t.http.post('/api/v1/auth/wecom-miniprogram').set('X-Client', 'miniapp').send({ code });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: '刘洋', identities: { wecom: 'demo-rep1' } });
    expect(res.body.session_key).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('session_key');
    expect((await me(res.body.token)).body.user.name).toBe('刘洋');
    const entry = await t.conn.collection('audit_log').findOne({ action: 'auth.wecom-miniprogram' });
    expect(entry).toMatchObject({ actorName: '刘洋', channel: 'miniapp' });
  });

  it('a code works once (40029 on reuse → 401)', async () => {
    const code = wecom.issueMiniProgramCode('demo-rep2');
    expect((await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code })).status).toBe(200);
    const again = await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code });
    expect(again.status).toBe(401);
    expect(again.body.error.message).toBe('登录码无效或已过期，请重新进入应用');
  });

  it('a code expires after five minutes', async () => {
    const code = wecom.issueMiniProgramCode('demo-rep1');
    const realNow = wecom.now;
    wecom.now = () => Date.now() + FakeWeComServer.CODE_TTL_MS + 1000;
    try {
      // the fake's clock also expires its tokens: the client refreshes once and then meets the expired code
      expect((await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code })).status).toBe(401);
    } finally {
      wecom.now = realNow;
    }
  });

  it('an unknown member gets 403 in Chinese and an audit entry', async () => {
    const code = wecom.issueMiniProgramCode('stranger-001');
    const res = await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('你还没有开通 CRM 账号或已离职，请联系管理员');
    expect(res.body.token).toBeUndefined();
    expect(await t.conn.collection('audit_log').findOne({ action: 'auth.wecom-miniprogram.refused', entityId: 'wecom:stranger-001' })).not.toBeNull();
  });

  it('a resigned user is refused', async () => {
    const admin = await t.login('demo-admin');
    const users = await t.http.get('/api/v1/users').set('authorization', admin);
    const rep3 = (users.body.items as Array<{ id: string; identities: { wecom?: string } }>).find((u) => u.identities.wecom === 'demo-rep3')!;
    expect((await t.http.post(`/api/v1/users/${rep3.id}/deactivate`).set('authorization', admin).send({})).status).toBe(200);
    const res = await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code: wecom.issueMiniProgramCode('demo-rep3') });
    expect(res.status).toBe(403);
  });

  it('refreshes an invalidated access token once', async () => {
    wecom.expireTokens();
    const res = await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code: wecom.issueMiniProgramCode('demo-manager') });
    expect(res.status).toBe(200);
    expect(res.body.user.name).toBe('张伟');
  });

  it('validates the body', async () => {
    const res = await t.http.post('/api/v1/auth/wecom-miniprogram').send({ code: '' });
    expect(res.status).toBe(400);
  });
});

describe('WeCom H5: OAuth2 code → auth/getuserinfo', () => {
  it('signs a member in', async () => {
    const res = await t.http.post('/api/v1/auth/wecom-oauth').send({ code: wecom.issueOAuthCode('demo-manager') });
    expect(res.status).toBe(200);
    expect(res.body.user.name).toBe('张伟');
    expect((await me(res.body.token)).status).toBe(200);
  });

  it('a non-member (openid only) is refused with 403', async () => {
    const res = await t.http.post('/api/v1/auth/wecom-oauth').send({ code: wecom.issueOAuthCode(null) });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('你不是本企业的成员，无法登录');
  });

  it('a mini-program code is not an OAuth code', async () => {
    const res = await t.http.post('/api/v1/auth/wecom-oauth').send({ code: wecom.issueMiniProgramCode('demo-rep1') });
    expect(res.status).toBe(401);
  });

  it('the sign-in page learns the OAuth parameters (no secrets)', async () => {
    const res = await t.http.get('/api/v1/auth/options');
    expect(res.status).toBe(200);
    expect(res.body.wecomOAuth).toEqual({ corpId: WECOM_TEST_APP.corpId, agentId: WECOM_TEST_APP.agentId });
    expect(res.body.dingtalk).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(WECOM_TEST_APP.secret);
    expect((res.body.demoUsers as Array<{ login: string }>).map((u) => u.login)).toContain('demo-rep1');
  });
});

describe('DingTalk: dd.getAuthCode → topapi/v2/user/getuserinfo', () => {
  it('signs a member in, once per code', async () => {
    const authCode = ding.issueAuthCode('demo-rep2');
    const res = await t.http.post('/api/v1/auth/dingtalk').send({ authCode });
    expect(res.status).toBe(200);
    expect(res.body.user.name).toBe('陈静');
    expect((await me(res.body.token)).body.user.name).toBe('陈静');
    const again = await t.http.post('/api/v1/auth/dingtalk').send({ authCode });
    expect(again.status).toBe(401);
  });

  it('an unknown DingTalk user gets 403', async () => {
    const res = await t.http.post('/api/v1/auth/dingtalk').send({ authCode: ding.issueAuthCode('ding-stranger') });
    expect(res.status).toBe(403);
    expect(await t.conn.collection('audit_log').findOne({ action: 'auth.dingtalk.refused' })).not.toBeNull();
  });

  it('refreshes the legacy token when DingTalk says it is invalid', async () => {
    ding.expireTokens();
    const res = await t.http.post('/api/v1/auth/dingtalk').send({ authCode: ding.issueAuthCode('demo-rep1') });
    expect(res.status).toBe(200);
  });
});

describe('without a platform configured', () => {
  it('the endpoints answer 404 in Chinese', async () => {
    const plain = await startTestApp();
    try {
      const res = await plain.http.post('/api/v1/auth/wecom-miniprogram').send({ code: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('未配置企业微信');
      expect((await plain.http.post('/api/v1/auth/dingtalk').send({ authCode: 'x' })).status).toBe(404);
      expect((await plain.http.get('/api/v1/auth/options')).body).toMatchObject({ devLogin: true, wecomOAuth: null, dingtalk: false });
    } finally {
      await plain.close();
    }
  });
});
