import type http from 'node:http';
import { FakeHttpServer } from './fake-http-server';
import type { FakeDirectory } from './fake-directory';
import { randomBytes } from 'node:crypto';
import { FakeExternalContacts } from './fake-wecom-external-contacts';

/**
 * A local stand-in for WeCom's server API (the edge we do not own), speaking its documented HTTP API:
 * gettoken, message/send, message/update_template_card. It behaves like WeCom where it matters:
 * tokens expire, an error can be injected once (40014, -1 ...), a member's messages beyond 30 a minute
 * or 1,000 an hour are silently dropped (and counted), a reused task_id answers 42014, and a
 * response_code works once. Sign-in: `miniprogram/jscode2session` (wx.qy.login codes) and `auth/getuserinfo`
 * (OAuth2 codes) redeem codes that work once and expire after five minutes (40029 invalid code otherwise).
 * Web sign-in (网页登录): `GET /wwlogin/sso/login` shows the QR page; its 模拟扫码 link (`/wwlogin/sso/fake-scan`) plays
 * the member `qrScanner` scanning it, redirecting to the app's redirect_uri with an OAuth code and the state.
 */
export interface Delivered {
  touser: string;
  msgtype: string;
  body: Record<string, unknown>;
  at: number;
}

export class FakeWeComServer extends FakeHttpServer {
  readonly delivered: Delivered[] = [];
  readonly updates: Array<{ userids: string[]; response_code: string; template_card: Record<string, unknown>; at: number }> = [];
  readonly calls: Array<{ path: string; at: number }> = [];
  dropped = 0;
  /** errcodes to answer instead of the next API calls (not gettoken), one each. */
  readonly failNext: number[] = [];
  tokenTtlSeconds = 7200;
  now: () => number = () => Date.now();
  /** Every API call (not gettoken) is answered this much later: a slow or struggling platform. */
  delayMs = 0;
  /**
   * Holds one message/send this many ms after its body has arrived (0 or undefined: none); the message is then
   * delivered even if the caller has gone meanwhile, as WeCom completes a request it has received in full.
   */
  holdSend?: (body: Record<string, unknown>) => number | undefined;
  /** WeCom's per-member limits (a benchmark may lift them to measure something else). */
  memberLimits = { perMinute: 30, perHour: 1000 };
  /** The company directory served by department/list and user/list (directory sync tests), and the contact-sync secret it takes. */
  directory: FakeDirectory | null = null;
  contactSecret: string | null = null;
  /** Customer contact (客户联系): members' external contacts and groups, 在职 / 离职继承 (fake-wecom-external-contacts.ts). */
  readonly externalContacts = new FakeExternalContacts(() => this.now());

  private readonly tokens = new Map<string, number>();
  private readonly taskIds = new Set<string>();
  private readonly responseCodes = new Map<string, 'fresh' | 'used'>();
  private readonly sentTimes = new Map<string, number[]>();
  /** Sign-in codes (wx.qy.login and the OAuth2 redirect): single use, valid five minutes. */
  private readonly loginCodes = new Map<string, { userid: string | null; openid?: string; kind: 'miniprogram' | 'oauth'; expiresAt: number; used: boolean }>();
  static readonly CODE_TTL_MS = 5 * 60_000;
  /** Who scans the web sign-in QR code (a userid; null: someone outside the corp, who gets an openid only). */
  qrScanner: string | null = null;

  constructor(private readonly app: { corpId: string; secret: string; agentId: number }) {
    super();
  }

  /** A code as `wx.qy.login` would hand the mini-program for this member. */
  issueMiniProgramCode(userid: string): string {
    const code = `mp-${randomBytes(12).toString('hex')}`;
    this.loginCodes.set(code, { userid, kind: 'miniprogram', expiresAt: this.now() + FakeWeComServer.CODE_TTL_MS, used: false });
    return code;
  }

  /** A code as the OAuth2 redirect would append for this member (or, with `userid` null, for a non-member: openid only). */
  issueOAuthCode(userid: string | null): string {
    const code = `oa-${randomBytes(12).toString('hex')}`;
    this.loginCodes.set(code, {
      userid,
      openid: userid ? undefined : `o-${randomBytes(6).toString('hex')}`,
      kind: 'oauth',
      expiresAt: this.now() + FakeWeComServer.CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  private redeemCode(code: string, kind: 'miniprogram' | 'oauth') {
    const entry = this.loginCodes.get(code);
    if (!entry || entry.kind !== kind || entry.used || entry.expiresAt <= this.now()) return null;
    entry.used = true;
    return entry;
  }

  /** Makes every issued token invalid (as WeCom may do early). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Messages delivered to one member, in order. */
  to(user: string): Delivered[] {
    return this.delivered.filter((d) => d.touser === user);
  }

  protected async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.calls.push({ path: url.pathname, at: this.now() });
    const send = (body: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/wwlogin/sso/')) return this.webLogin(url, res);
    if (url.pathname === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpid') !== this.app.corpId) return send({ errcode: 40013, errmsg: 'invalid corpid' });
      const secret = url.searchParams.get('corpsecret');
      if (secret !== this.app.secret && (this.contactSecret === null || secret !== this.contactSecret))
        return send({ errcode: 40001, errmsg: 'invalid credential' });
      const token = randomBytes(16).toString('hex');
      this.tokens.set(token, this.now() + this.tokenTtlSeconds * 1000);
      return send({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.tokenTtlSeconds });
    }
    const token = url.searchParams.get('access_token') ?? '';
    const expiry = this.tokens.get(token);
    if (expiry === undefined) return send({ errcode: 40014, errmsg: 'invalid access_token' });
    if (expiry <= this.now()) return send({ errcode: 42001, errmsg: 'access_token expired' });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const injected = this.failNext.shift();
    if (injected !== undefined) return send({ errcode: injected, errmsg: 'injected by the fake' });
    const listed = this.directory && req.method === 'GET' ? this.directory.wecom(url.pathname, url.searchParams) : null;
    if (listed) return send(listed);
    if (url.pathname === '/cgi-bin/miniprogram/jscode2session' && req.method === 'GET') {
      const entry = this.redeemCode(url.searchParams.get('js_code') ?? '', 'miniprogram');
      if (!entry || url.searchParams.get('grant_type') !== 'authorization_code') return send({ errcode: 40029, errmsg: 'invalid code' });
      return send({ errcode: 0, errmsg: 'ok', corpid: this.app.corpId, userid: entry.userid, session_key: randomBytes(12).toString('base64') });
    }
    if (url.pathname === '/cgi-bin/auth/getuserinfo' && req.method === 'GET') {
      const entry = this.redeemCode(url.searchParams.get('code') ?? '', 'oauth');
      if (!entry) return send({ errcode: 40029, errmsg: 'invalid code' });
      return send(entry.userid ? { errcode: 0, errmsg: 'ok', userid: entry.userid } : { errcode: 0, errmsg: 'ok', openid: entry.openid });
    }
    if (req.method === 'GET') {
      const answer = this.externalContacts.get(url.pathname, url.searchParams);
      if (answer) return send(answer);
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send({ errcode: 47001, errmsg: 'data format error' });
    }
    const hold = url.pathname === '/cgi-bin/message/send' ? (this.holdSend?.(body) ?? 0) : 0;
    if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
    if (url.pathname === '/cgi-bin/message/send') return send(this.messageSend(body));
    if (url.pathname === '/cgi-bin/message/update_template_card') return send(this.updateCard(body));
    const contactAnswer = this.externalContacts.post(url.pathname, body);
    if (contactAnswer === 'lose') return void res.destroy(); // WeCom acted; the caller never hears back
    if (contactAnswer) return send(contactAnswer);
    res.statusCode = 404;
    send({ errcode: 404, errmsg: 'not found in fake' });
  }

  /** WeCom 网页登录 (login.work.weixin.qq.com): the QR page, and a scan by `qrScanner` that redirects back with a code. */
  private webLogin(url: URL, res: http.ServerResponse): void {
    const p = url.searchParams;
    const redirect = p.get('redirect_uri') ?? '';
    const page = (status: number, html: string) => {
      res.statusCode = status;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>企业微信登录</title></head><body>${html}</body></html>`);
    };
    if (url.pathname === '/wwlogin/sso/login') {
      if (
        p.get('login_type') !== 'CorpApp' ||
        p.get('appid') !== this.app.corpId ||
        p.get('agentid') !== String(this.app.agentId) ||
        !/^https?:\/\//.test(redirect)
      )
        return page(400, '<p id="fake-error">参数错误（appid / agentid / redirect_uri）</p>');
      const scan = `/wwlogin/sso/fake-scan?${new URLSearchParams({ redirect_uri: redirect, state: p.get('state') ?? '' })}`;
      return page(
        200,
        `<h1>企业微信扫码登录（测试替身）</h1><div style="width:160px;height:160px;background:#ddd">二维码</div><a id="fake-scan" href="${scan}">模拟扫码</a>`,
      );
    }
    if (url.pathname === '/wwlogin/sso/fake-scan') {
      const back = new URL(redirect);
      back.searchParams.set('code', this.issueOAuthCode(this.qrScanner));
      back.searchParams.set('state', p.get('state') ?? '');
      back.searchParams.set('appid', this.app.corpId);
      res.statusCode = 302;
      res.setHeader('location', back.toString());
      res.end();
      return;
    }
    page(404, 'not found in fake');
  }

  private messageSend(body: Record<string, unknown>) {
    if (body.agentid !== this.app.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    const touser = String(body.touser ?? '');
    if (!touser) return { errcode: 40031, errmsg: 'empty touser' };
    const msgtype = String(body.msgtype);
    let responseCode: string | undefined;
    if (msgtype === 'template_card') {
      const card = body.template_card as Record<string, unknown>;
      const taskId = String(card.task_id ?? '');
      if (!taskId || this.taskIds.has(taskId)) return { errcode: 42014, errmsg: 'taskid has existed or empty or exceed max len' };
      this.taskIds.add(taskId);
      responseCode = randomBytes(12).toString('hex');
      this.responseCodes.set(responseCode, 'fresh');
    }
    const msgid = randomBytes(8).toString('hex');
    for (const user of touser.split('|')) {
      const now = this.now();
      const times = (this.sentTimes.get(user) ?? []).filter((t) => t > now - 3_600_000);
      if (times.filter((t) => t > now - 60_000).length >= this.memberLimits.perMinute || times.length >= this.memberLimits.perHour) {
        this.dropped += 1; // WeCom answers success and drops silently
        continue;
      }
      times.push(now);
      this.sentTimes.set(user, times);
      this.delivered.push({ touser: user, msgtype, body, at: now });
    }
    return { errcode: 0, errmsg: 'ok', msgid, ...(responseCode ? { response_code: responseCode } : {}) };
  }

  private updateCard(body: Record<string, unknown>) {
    const code = String(body.response_code ?? '');
    if (this.responseCodes.get(code) !== 'fresh') return { errcode: 40004, errmsg: 'invalid or used response_code' };
    this.responseCodes.set(code, 'used');
    this.updates.push({ userids: body.userids as string[], response_code: code, template_card: body.template_card as Record<string, unknown>, at: this.now() });
    return { errcode: 0, errmsg: 'ok' };
  }

  /** A response code as a click callback would carry it (WeCom issues a new one with every click). */
  issueClickResponseCode(): string {
    const code = randomBytes(12).toString('hex');
    this.responseCodes.set(code, 'fresh');
    return code;
  }
}
