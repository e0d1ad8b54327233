import type { FakeDingTalkServer } from '../fakes/fake-dingtalk-server';
import type { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startPlatformApp } from '../helpers/platform-app';
import type { TestApp } from '../helpers/test-app';
import { WECOM_TEST_APP } from '../helpers/wecom-packets';

/**
 * The workbench's QR-code sign-ins, server side, round trip against the fake platforms: the API builds the platform's
 * login URL (state passed through), the fake's page is "scanned" by a member and redirects back with a single-use
 * code, and the code ends in the same bearer token as every other sign-in. People outside the corp are refused.
 */
const DING = { clientId: 'dingconsole', clientSecret: 'dingconsolesecret', robotCode: 'dingconsolerobot' };

let wecom: FakeWeComServer;
let ding: FakeDingTalkServer;
let t: TestApp;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, wecom, ding, close } = await startPlatformApp(DING, { loginPages: true }));
});
afterAll(() => close());

const STATE = 'st4te-Of-this-tab_01';

/** The browser's part: open the platform page the API named, follow its 模拟扫码 link, read where it sends us back. */
async function scan(loginUrl: string): Promise<URL> {
  const page = await fetch(loginUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const href = /id="fake-scan" href="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const res = await fetch(new URL(href, loginUrl), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function me(token: string) {
  return t.http.get('/api/v1/me').set('authorization', `Bearer ${token}`);
}

it('the sign-in page learns which QR sign-ins exist', async () => {
  const res = await t.http.get('/api/v1/auth/options');
  expect(res.body.qrLogin).toEqual({ wecom: true, dingtalk: true });
});

it('the state must look like a random value (no free text reflected into the platform URL)', async () => {
  expect((await t.http.get('/api/v1/auth/web-login').query({ platform: 'wecom', state: '<script>' })).status).toBe(400);
  expect((await t.http.get('/api/v1/auth/web-login').query({ platform: 'qq', state: STATE })).status).toBe(400);
});

describe('WeCom 网页登录 (QR code)', () => {
  it('login URL → scan → code → our token for that member, audited; the code works once', async () => {
    const res = await t.http.get('/api/v1/auth/web-login').set('Host', 'crm.example.com').query({ platform: 'wecom', state: STATE });
    expect(res.status).toBe(200);
    const url = new URL(res.body.url as string);
    expect(url.origin + url.pathname).toBe(`${wecom.baseUrl}/wwlogin/sso/login`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      login_type: 'CorpApp',
      appid: WECOM_TEST_APP.corpId,
      agentid: String(WECOM_TEST_APP.agentId),
      redirect_uri: 'http://crm.example.com/console/login/callback/wecom',
      state: STATE,
    });

    wecom.qrScanner = 'demo-manager';
    const back = await scan(res.body.url as string);
    expect(back.pathname).toBe('/console/login/callback/wecom');
    expect(back.searchParams.get('state')).toBe(STATE);
    const code = back.searchParams.get('code')!;
    const signIn = await t.http.post('/api/v1/auth/wecom-qr').send({ code });
    expect(signIn.status).toBe(200);
    expect(signIn.body.user).toMatchObject({ name: '张伟', identities: { wecom: 'demo-manager' } });
    const who = await me(signIn.body.token as string);
    expect(who.body.scope.type).toBe('department_and_children');
    expect(await t.conn.collection('audit_log').findOne({ action: 'auth.wecom-qr' })).toMatchObject({ actorName: '张伟' });

    const again = await t.http.post('/api/v1/auth/wecom-qr').send({ code });
    expect(again.status).toBe(401);
  });

  it('someone outside the corp (openid only) is refused', async () => {
    wecom.qrScanner = null;
    const { body } = await t.http.get('/api/v1/auth/web-login').query({ platform: 'wecom', state: STATE });
    const back = await scan(body.url as string);
    const res = await t.http.post('/api/v1/auth/wecom-qr').send({ code: back.searchParams.get('code') });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('你不是本企业的成员，无法登录');
  });

  it('inside the WeCom client: the OAuth2 page with snsapi_base, back to the oauth callback', async () => {
    const { body } = await t.http.get('/api/v1/auth/web-login').set('Host', 'crm.example.com').query({ platform: 'wecom-oauth', state: STATE });
    const url = new URL(body.url as string);
    expect(url.host).toBe('open.weixin.qq.com');
    expect(url.searchParams.get('scope')).toBe('snsapi_base');
    expect(url.searchParams.get('redirect_uri')).toBe('http://crm.example.com/console/login/callback/wecom-oauth');
    expect(url.hash).toBe('#wechat_redirect');
  });
});

describe('DingTalk 扫码登录', () => {
  it('login URL → scan → authCode → user token → unionId → userid → our token, audited', async () => {
    const res = await t.http.get('/api/v1/auth/web-login').set('Host', 'crm.example.com').query({ platform: 'dingtalk', state: STATE });
    const url = new URL(res.body.url as string);
    expect(url.origin + url.pathname).toBe(`${ding.baseUrl}/oauth2/auth`);
    expect(url.searchParams.get('client_id')).toBe(DING.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe('http://crm.example.com/console/login/callback/dingtalk');

    ding.qrScanner = 'demo-rep3';
    const back = await scan(res.body.url as string);
    expect(back.searchParams.get('state')).toBe(STATE);
    const signIn = await t.http.post('/api/v1/auth/dingtalk-qr').send({ authCode: back.searchParams.get('authCode') });
    expect(signIn.status).toBe(200);
    expect(signIn.body.user.name).toBe('黄磊');
    expect((await me(signIn.body.token as string)).body.scope.type).toBe('own');
    expect(await t.conn.collection('audit_log').findOne({ action: 'auth.dingtalk-qr' })).toMatchObject({ actorName: '黄磊' });

    const again = await t.http.post('/api/v1/auth/dingtalk-qr').send({ authCode: back.searchParams.get('authCode') });
    expect(again.status).toBe(401);
  });

  it('a DingTalk user outside the corp (60121) is refused; a resigned member too', async () => {
    ding.qrScanner = { unionId: 'stranger' };
    const { body } = await t.http.get('/api/v1/auth/web-login').query({ platform: 'dingtalk', state: STATE });
    const back = await scan(body.url as string);
    const res = await t.http.post('/api/v1/auth/dingtalk-qr').send({ authCode: back.searchParams.get('authCode') });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('你不是本企业的成员，无法登录');

    ding.qrScanner = 'nobody-here';
    const back2 = await scan(body.url as string);
    const unknown = await t.http.post('/api/v1/auth/dingtalk-qr').send({ authCode: back2.searchParams.get('authCode') });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.message).toBe('你还没有开通 CRM 账号或已离职，请联系管理员');
  });
});
