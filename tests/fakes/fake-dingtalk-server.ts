import type http from 'node:http';
import { FakeHttpServer } from './fake-http-server';
import type { FakeDirectory } from './fake-directory';
import { createHmac, randomBytes } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/** How the fake reaches the app's callback URL (tests pass a supertest call; nothing binds a port). */
export type CallbackDelivery = (req: {
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}) => Promise<{ status: number; body: unknown }>;

/**
 * A local stand-in for DingTalk's v1.0 API (the edge we do not own): app access tokens that expire,
 * robot 1:1 messages (identical content to the same user on the same day is dropped, as DingTalk does,
 * and counted), interactive cards created, delivered and updated by outTrackId. Also the legacy oapi sign-in:
 * `GET /gettoken` and `POST /topapi/v2/user/getuserinfo` with dd.getAuthCode codes (single use, five minutes;
 * 40078 otherwise). And work notifications (`topapi/message/corpconversation/asyncsend_v2`), which, like
 * DingTalk's, answer success with a task id even when they then drop the message: identical content to
 * the same person on the same day, or more than 500 to one person in a day. In HTTP mode it also pushes to the app:
 * signed robot messages and encrypted card-click callbacks (`pushRobotMessage`, `pushCardClick`), checking the answer.
 * 扫码登录 (browser OAuth): `GET /oauth2/auth` shows the QR page; its 模拟扫码 link plays `qrScanner` scanning it and
 * redirects back with an authCode; `POST /v1.0/oauth2/userAccessToken` redeems it once, `GET /v1.0/contact/users/me`
 * answers the unionId, `POST /topapi/user/getbyunionid` the userid (60121 for someone outside the corp).
 */
export class FakeDingTalkServer extends FakeHttpServer {
  readonly messages: Array<{ userId: string; msgKey: string; param: Record<string, string>; at: number }> = [];
  readonly cards = new Map<
    string,
    { userId: string; cardParamMap: Record<string, string>; updates: number; callbackType: string; callbackRouteKey: string | null }
  >();
  droppedAsDuplicate = 0;
  readonly failNext: number[] = [];
  /** Work notifications delivered, and those accepted but dropped (repeats, over the daily limit). */
  readonly notices: Array<{
    userId: string;
    agentId: number;
    msg: { msgtype: string; markdown?: { title: string; text: string } };
    taskId: number;
    at: number;
  }> = [];
  noticesDropped = 0;
  /** errcodes the next topapi calls answer with (e.g. -1 system busy, 143103 rate limited). */
  readonly failNextTopapi: number[] = [];
  /** The company directory served by topapi/v2 department/get, department/listsub and user/list (directory sync tests). */
  directory: FakeDirectory | null = null;
  private nextTaskId = 1;
  now: () => number = () => Date.now();
  private readonly tokens = new Map<string, number>();
  private readonly seenToday = new Set<string>();
  /** Legacy (oapi) access tokens, for topapi calls. */
  private readonly legacyTokens = new Map<string, number>();
  /** dd.getAuthCode codes: single use, valid five minutes. */
  private readonly authCodes = new Map<string, { userid: string; expiresAt: number; used: boolean }>();
  static readonly CODE_TTL_MS = 5 * 60_000;
  /** Who scans the 扫码登录 QR code: a member's userid, or `{ unionId }` of a DingTalk user outside the corp. */
  qrScanner: string | { unionId: string } | null = null;
  /** OAuth codes of the browser sign-in (single use, five minutes) and the user tokens they gave. */
  private readonly oauthCodes = new Map<string, { unionId: string; expiresAt: number; used: boolean }>();
  private readonly userTokens = new Map<string, { unionId: string; expiresAt: number }>();
  private readonly unionIds = new Map<string, string>();

  /** A code as `dd.getAuthCode` would hand the mini-app for this member. */
  issueAuthCode(userid: string): string {
    const code = `dd-${randomBytes(12).toString('hex')}`;
    this.authCodes.set(code, { userid, expiresAt: this.now() + FakeDingTalkServer.CODE_TTL_MS, used: false });
    return code;
  }

  constructor(
    private readonly app: {
      clientId: string;
      clientSecret: string;
      robotCode: string;
      agentId?: number;
      /** HTTP mode: the event subscription's token and aes_key (pushes are encrypted with them, owner key = the AppKey). */
      callback?: { token: string; aesKey: string };
    },
  ) {
    super();
  }

  /**
   * HTTP mode, a robot message: POSTed as JSON with the `timestamp` and `sign` headers
   * (Base64(HmacSHA256(AppSecret, timestamp + "\n" + AppSecret))).
   */
  async pushRobotMessage(deliver: CallbackDelivery, message: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const timestamp = String(this.now());
    const sign = createHmac('sha256', this.app.clientSecret).update(`${timestamp}\n${this.app.clientSecret}`).digest('base64');
    return deliver({ query: {}, headers: { timestamp, sign }, body: message });
  }

  /**
   * HTTP mode, a tap on a card created with `callbackType: 'HTTP'`: the card platform's callback
   * (`{ type: 'actionCallback', outTrackId, userId, content }`) pushed encrypted like any event
   * (`?signature&timestamp&nonce`, body `{ encrypt }`). `ok` is true when the answer is the encrypted `success`
   * (DingTalk counts anything else as a failed push and pushes it again).
   */
  async pushCardClick(deliver: CallbackDelivery, click: { userId: string; outTrackId: string; key: string }): Promise<{ status: number; ok: boolean }> {
    const card = this.cards.get(click.outTrackId);
    if (!card || card.callbackType !== 'HTTP') throw new Error(`card ${click.outTrackId} does not call back over HTTP: a tap would never arrive`);
    const payload = {
      type: 'actionCallback',
      corpId: 'dingfakecorp',
      userId: click.userId,
      userIdType: 1,
      outTrackId: click.outTrackId,
      spaceType: 'IM_ROBOT',
      content: JSON.stringify({ cardPrivateData: { actionIds: ['button'], params: { key: click.key } } }),
    };
    return this.pushEvent(deliver, JSON.stringify(payload));
  }

  /** An encrypted event push (check_url, card callbacks), answered as DingTalk expects it. */
  async pushEvent(deliver: CallbackDelivery, json: string): Promise<{ status: number; ok: boolean }> {
    const { token, aesKey } = this.app.callback ?? {};
    if (!token || !aesKey) throw new Error('the fake has no HTTP callback secrets');
    const timestamp = String(this.now());
    const nonce = randomBytes(4).toString('hex');
    const sealed = encrypt(aesKey, json, this.app.clientId);
    const res = await deliver({
      query: { signature: getSignature(token, timestamp, nonce, sealed), timestamp, nonce },
      headers: {},
      body: { encrypt: sealed },
    });
    const answer = res.body as { msg_signature?: string; timeStamp?: string; nonce?: string; encrypt?: string };
    let ok = false;
    if (res.status === 200 && answer?.encrypt && answer.msg_signature === getSignature(token, String(answer.timeStamp), String(answer.nonce), answer.encrypt)) {
      ok = decrypt(aesKey, answer.encrypt).message === 'success';
    }
    return { status: res.status, ok };
  }

  /** Custom group robots: access_token → its SEC secret. */
  readonly groupRobots = new Map<string, string>();
  readonly groupMessages: Array<{ token: string; body: Record<string, unknown> }> = [];

  private groupRobotSend(url: URL, body: Record<string, unknown>) {
    const token = url.searchParams.get('access_token') ?? '';
    const secret = this.groupRobots.get(token);
    if (!secret) return { errcode: 300001, errmsg: 'token is not exist' };
    const timestamp = url.searchParams.get('timestamp') ?? '';
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    if (url.searchParams.get('sign') !== expected || Math.abs(this.now() - Number(timestamp)) > 3_600_000) return { errcode: 310000, errmsg: 'sign not match' };
    this.groupMessages.push({ token, body });
    return { errcode: 0, errmsg: 'ok' };
  }

  private workNotice(url: URL, body: Record<string, unknown>) {
    if (!((this.legacyTokens.get(url.searchParams.get('access_token') ?? '') ?? 0) > this.now())) return { errcode: 88, errmsg: '不合法的access_token' };
    const injected = this.failNextTopapi.shift();
    if (injected !== undefined) return { errcode: injected, errmsg: 'injected by the fake' };
    if (this.app.agentId === undefined || Number(body.agent_id) !== this.app.agentId) return { errcode: 400002, errmsg: '无效的agent_id' };
    const msg = body.msg as { msgtype?: string; markdown?: { title?: string; text?: string } } | undefined;
    if (!msg?.msgtype || (msg.msgtype === 'markdown' && (!msg.markdown?.title || !msg.markdown?.text))) return { errcode: 40035, errmsg: '缺少参数 msg' };
    const users = String(body.userid_list ?? '')
      .split(',')
      .filter(Boolean);
    if (!users.length || users.length > 100) return { errcode: 40035, errmsg: 'userid_list 为空或超过 100 个' };
    const taskId = this.nextTaskId++;
    const day = new Date(this.now()).toISOString().slice(0, 10);
    for (const userId of users) {
      const key = `notice|${userId}|${day}|${JSON.stringify(msg)}`;
      const today = this.notices.filter((n) => n.userId === userId && new Date(n.at).toISOString().slice(0, 10) === day).length;
      if (this.seenToday.has(key) || today >= 500) {
        this.noticesDropped += 1;
        continue;
      }
      this.seenToday.add(key);
      this.notices.push({ userId, agentId: Number(body.agent_id), msg: msg as { msgtype: string }, taskId, at: this.now() });
    }
    return { errcode: 0, errmsg: 'ok', task_id: taskId, request_id: randomBytes(6).toString('hex') };
  }

  to(userId: string) {
    return this.messages.filter((m) => m.userId === userId);
  }

  /** 扫码登录: the QR page, the scan, the code → user token → unionId → userid exchange. */
  private webLogin(
    req: http.IncomingMessage,
    url: URL,
    body: Record<string, unknown>,
    res: http.ServerResponse,
    send: (status: number, payload: unknown) => void,
  ): void {
    const p = url.searchParams;
    const path = url.pathname;
    if (path === '/oauth2/auth') {
      const redirect = p.get('redirect_uri') ?? '';
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (p.get('client_id') !== this.app.clientId || p.get('response_type') !== 'code' || !/^https?:\/\//.test(redirect)) {
        res.statusCode = 400;
        res.end('<!doctype html><p id="fake-error">参数错误（client_id / response_type / redirect_uri）</p>');
        return;
      }
      const scan = `/oauth2/fake-scan?${new URLSearchParams({ redirect_uri: redirect, state: p.get('state') ?? '' })}`;
      res.end(
        `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>钉钉登录</title></head><body><h1>钉钉扫码登录（测试替身）</h1><a id="fake-scan" href="${scan}">模拟扫码</a></body></html>`,
      );
      return;
    }
    if (path === '/oauth2/fake-scan') {
      const back = new URL(p.get('redirect_uri') ?? '');
      const code = this.issueOAuthCode(this.qrScanner ?? { unionId: 'nobody' });
      back.searchParams.set('authCode', code);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      res.statusCode = 302;
      res.setHeader('location', back.toString());
      res.end();
      return;
    }
    if (path === '/v1.0/oauth2/userAccessToken' && req.method === 'POST') {
      if (body.clientId !== this.app.clientId || body.clientSecret !== this.app.clientSecret)
        return send(400, { code: 'invalidClientIdOrSecret', message: 'bad credentials' });
      const entry = this.oauthCodes.get(String(body.code ?? ''));
      if (body.grantType !== 'authorization_code' || !entry || entry.used || entry.expiresAt <= this.now())
        return send(400, { code: 'invalidAuthCode', message: '不合法的临时授权码' });
      entry.used = true;
      const token = randomBytes(16).toString('hex');
      this.userTokens.set(token, { unionId: entry.unionId, expiresAt: this.now() + 7200_000 });
      return send(200, { accessToken: token, refreshToken: randomBytes(8).toString('hex'), expireIn: 7200, corpId: 'dingcorp' });
    }
    if (path === '/v1.0/contact/users/me' && req.method === 'GET') {
      const user = this.userTokens.get(String(req.headers['x-acs-dingtalk-access-token'] ?? ''));
      if (!user || user.expiresAt <= this.now()) return send(401, { code: 'InvalidAuthentication', message: 'token invalid or expired' });
      return send(200, { nick: user.unionId, unionId: user.unionId, openId: `o-${user.unionId}` });
    }
    if (path === '/topapi/user/getbyunionid' && req.method === 'POST') {
      if (!((this.legacyTokens.get(p.get('access_token') ?? '') ?? 0) > this.now())) return send(200, { errcode: 88, errmsg: '不合法的access_token' });
      const userid = this.unionIds.get(String(body.unionid ?? ''));
      if (!userid) return send(200, { errcode: 60121, errmsg: '找不到该用户' });
      return send(200, { errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid } });
    }
    send(404, { code: 'NotFound', message: `no ${req.method} ${path} in fake` });
  }

  /** A code as the 扫码登录 redirect would carry for this member (userid) or for a DingTalk user outside the corp. */
  issueOAuthCode(who: string | { unionId: string }): string {
    const unionId = typeof who === 'string' ? `union-${who}` : who.unionId;
    if (typeof who === 'string') this.unionIds.set(unionId, who);
    const code = `qr-${randomBytes(12).toString('hex')}`;
    this.oauthCodes.set(code, { unionId, expiresAt: this.now() + FakeDingTalkServer.CODE_TTL_MS, used: false });
    return code;
  }

  expireTokens(): void {
    this.tokens.clear();
    this.legacyTokens.clear();
  }

  protected async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const send = (status: number, payload: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(payload));
    };
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    if (path.startsWith('/oauth2/') || path === '/v1.0/oauth2/userAccessToken' || path === '/v1.0/contact/users/me' || path === '/topapi/user/getbyunionid')
      return this.webLogin(req, url, body, res, send);
    if (path === '/robot/send') return send(200, this.groupRobotSend(url, body));
    if (path === '/gettoken' && req.method === 'GET') {
      if (url.searchParams.get('appkey') !== this.app.clientId || url.searchParams.get('appsecret') !== this.app.clientSecret)
        return send(200, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
      const token = randomBytes(16).toString('hex');
      this.legacyTokens.set(token, this.now() + 7200_000);
      return send(200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (path === '/topapi/v2/user/getuserinfo' && req.method === 'POST') {
      if (!((this.legacyTokens.get(url.searchParams.get('access_token') ?? '') ?? 0) > this.now()))
        return send(200, { errcode: 88, errmsg: '不合法的access_token' });
      const entry = this.authCodes.get(String(body.code ?? ''));
      if (!entry || entry.used || entry.expiresAt <= this.now()) return send(200, { errcode: 40078, errmsg: '不存在的临时授权码' });
      entry.used = true;
      return send(200, {
        errcode: 0,
        errmsg: 'ok',
        result: { userid: entry.userid, name: entry.userid, unionid: `u-${entry.userid}`, sys: false, sys_level: 0 },
      });
    }
    if (this.directory && (path.startsWith('/topapi/v2/department/') || path === '/topapi/v2/user/list') && req.method === 'POST') {
      if (!((this.legacyTokens.get(url.searchParams.get('access_token') ?? '') ?? 0) > this.now()))
        return send(200, { errcode: 88, errmsg: '不合法的access_token' });
      return send(200, this.directory.dingtalk(path, body));
    }
    if (path === '/topapi/message/corpconversation/asyncsend_v2' && req.method === 'POST') return send(200, this.workNotice(url, body));
    if (path === '/v1.0/oauth2/accessToken') {
      if (body.appKey !== this.app.clientId || body.appSecret !== this.app.clientSecret)
        return send(400, { code: 'invalidClientIdOrSecret', message: 'bad credentials' });
      const token = randomBytes(16).toString('hex');
      this.tokens.set(token, this.now() + 7200_000);
      return send(200, { accessToken: token, expireIn: 7200 });
    }
    const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
    if (!((this.tokens.get(token) ?? 0) > this.now())) return send(401, { code: 'InvalidAuthentication', message: 'token invalid or expired' });
    const injected = this.failNext.shift();
    if (injected) return send(injected, { code: injected === 429 ? 'Throttling' : 'ServiceUnavailable', message: 'injected by the fake' });
    if (path === '/v1.0/robot/oToMessages/batchSend' && req.method === 'POST') {
      if (body.robotCode !== this.app.robotCode) return send(400, { code: 'invalidRobotCode', message: 'robotCode' });
      const param = JSON.parse(String(body.msgParam)) as Record<string, string>;
      for (const userId of body.userIds as string[]) {
        const day = new Date(this.now()).toISOString().slice(0, 10);
        const key = `${userId}|${day}|${body.msgKey}|${JSON.stringify(param)}`;
        if (this.seenToday.has(key)) {
          this.droppedAsDuplicate += 1;
          continue;
        }
        this.seenToday.add(key);
        this.messages.push({ userId, msgKey: String(body.msgKey), param, at: this.now() });
      }
      return send(200, { processQueryKey: randomBytes(8).toString('hex'), invalidStaffIdList: [], flowControlledStaffIdList: [] });
    }
    if (path === '/v1.0/card/instances/createAndDeliver' && req.method === 'POST') {
      const outTrackId = String(body.outTrackId);
      if (this.cards.has(outTrackId)) return send(400, { code: 'outTrackIdExists', message: 'duplicate outTrackId' });
      const cardData = body.cardData as { cardParamMap: Record<string, string> };
      for (const v of Object.values(cardData.cardParamMap))
        if (typeof v !== 'string') return send(400, { code: 'invalidParam', message: 'cardParamMap values must be strings' });
      const callbackType = String(body.callbackType ?? 'STREAM');
      const callbackRouteKey = typeof body.callbackRouteKey === 'string' ? body.callbackRouteKey : null;
      if (callbackType === 'HTTP' && !callbackRouteKey) return send(400, { code: 'invalidParam', message: 'callbackRouteKey is required for HTTP callbacks' });
      this.cards.set(outTrackId, { userId: String(body.userId), cardParamMap: cardData.cardParamMap, updates: 0, callbackType, callbackRouteKey });
      return send(200, { success: true, result: { outTrackId, deliverResults: [{ success: true }] } });
    }
    if (path === '/v1.0/card/instances' && req.method === 'PUT') {
      const card = this.cards.get(String(body.outTrackId));
      if (!card) return send(400, { code: 'cardNotFound', message: 'unknown outTrackId' });
      card.cardParamMap = { ...card.cardParamMap, ...(body.cardData as { cardParamMap: Record<string, string> }).cardParamMap };
      card.updates += 1;
      return send(200, { success: true });
    }
    send(404, { code: 'NotFound', message: `no ${req.method} ${path} in fake` });
  }
}
