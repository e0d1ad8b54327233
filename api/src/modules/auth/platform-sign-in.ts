/**
 * Server side of the mini-app's platform sign-ins: a single-use code from the client is exchanged with
 * the platform for the member's userid (never trusted from the client).
 *
 * - WeCom mini-program: `wx.qy.login` → `GET /cgi-bin/miniprogram/jscode2session` (token of the corp app).
 * - WeCom H5 (OAuth2 redirect): `GET /cgi-bin/auth/getuserinfo`.
 * - DingTalk: `dd.getAuthCode` → `POST {oapi}/topapi/v2/user/getuserinfo` with a legacy token from `GET {oapi}/gettoken`.
 *
 * Why not the bot's clients: the API never imports `bot/`, and those clients do not fit (WeCom's is
 * POST-only, DingTalk's speaks the v1.0 API with its own token). These are two small GET/POST clients with
 * the same token rules: cached until five minutes before expiry, one shared refresh, one retry when the
 * platform says the token is invalid.
 */
import { TokenCache } from '@crm/shared';
export type SignInFailure = 'invalid-code' | 'not-member' | 'platform';

export class PlatformSignInError extends Error {
  constructor(
    readonly failure: SignInFailure,
    readonly platform: 'wecom' | 'dingtalk',
    readonly errcode: number | string,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformSignInError';
  }
}

type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

interface Options {
  fetch?: FetchLike;
  now?: () => number;
  timeoutMs?: number;
}

type Body = { errcode?: number; errmsg?: string; [k: string]: unknown };

async function getJson(fetchImpl: FetchLike, url: string, timeoutMs: number, init: { method?: string; body?: unknown } = {}): Promise<Body> {
  const res = await fetchImpl(url, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const data = (await res.json().catch(() => ({}))) as Body;
  if (res.status >= 500) return { errcode: -1, errmsg: `HTTP ${res.status}` };
  return data ?? {};
}

const WECOM_TOKEN_INVALID = new Set([40014, 42001]);
const WECOM_INVALID_CODE = new Set([40029, 40163, 42003, 50001]);

export class WeComSignIn {
  private readonly fetch: FetchLike;
  private readonly tokens: TokenCache;
  private readonly timeoutMs: number;

  constructor(
    private readonly cfg: { corpId: string; secret: string; apiBase: string },
    opts: Options = {},
  ) {
    this.fetch = opts.fetch ?? (fetch as unknown as FetchLike);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.tokens = new TokenCache(async () => {
      const q = new URLSearchParams({ corpid: cfg.corpId, corpsecret: cfg.secret });
      const body = await getJson(this.fetch, `${cfg.apiBase}/cgi-bin/gettoken?${q}`, this.timeoutMs);
      if (body.errcode || typeof body.access_token !== 'string')
        throw new PlatformSignInError('platform', 'wecom', body.errcode ?? -1, `gettoken: ${body.errmsg}`);
      return { value: body.access_token, ttlSeconds: Number(body.expires_in ?? 7200) };
    }, opts.now ?? Date.now);
  }

  /** `wx.qy.login` code → userid. */
  async code2Session(code: string): Promise<{ userid: string; corpid: string | null }> {
    const body = await this.call('/cgi-bin/miniprogram/jscode2session', { js_code: code, grant_type: 'authorization_code' });
    if (typeof body.userid !== 'string' || !body.userid) throw new PlatformSignInError('not-member', 'wecom', 0, 'jscode2session returned no userid');
    return { userid: body.userid, corpid: typeof body.corpid === 'string' ? body.corpid : null };
  }

  /** OAuth2 redirect code → userid (non-members only have an openid: refused). */
  async oauthUser(code: string): Promise<{ userid: string }> {
    const body = await this.call('/cgi-bin/auth/getuserinfo', { code });
    const userid = body.userid ?? body.UserId;
    if (typeof userid !== 'string' || !userid) throw new PlatformSignInError('not-member', 'wecom', 0, 'not a member of the corp (openid only)');
    return { userid };
  }

  private async call(path: string, params: Record<string, string>): Promise<Body> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.get();
      const body = await getJson(this.fetch, `${this.cfg.apiBase}${path}?${new URLSearchParams({ access_token: token, ...params })}`, this.timeoutMs);
      const code = body.errcode ?? 0;
      if (code === 0) return body;
      if (WECOM_TOKEN_INVALID.has(code) && !refreshed) {
        this.tokens.drop(token);
        continue;
      }
      if (WECOM_INVALID_CODE.has(code)) throw new PlatformSignInError('invalid-code', 'wecom', code, `${path}: ${body.errmsg}`);
      throw new PlatformSignInError('platform', 'wecom', code, `${path}: ${body.errmsg}`);
    }
  }
}

const DINGTALK_TOKEN_INVALID = new Set([40014, 42001, 88]);
const DINGTALK_INVALID_CODE = new Set([40078, 40029]);

export class DingTalkSignIn {
  private readonly fetch: FetchLike;
  private readonly tokens: TokenCache;
  private readonly timeoutMs: number;

  constructor(
    private readonly cfg: { clientId: string; clientSecret: string; oapiBase: string },
    opts: Options = {},
  ) {
    this.fetch = opts.fetch ?? (fetch as unknown as FetchLike);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.tokens = new TokenCache(async () => {
      const q = new URLSearchParams({ appkey: cfg.clientId, appsecret: cfg.clientSecret });
      const body = await getJson(this.fetch, `${cfg.oapiBase}/gettoken?${q}`, this.timeoutMs);
      if (body.errcode || typeof body.access_token !== 'string')
        throw new PlatformSignInError('platform', 'dingtalk', body.errcode ?? -1, `gettoken: ${body.errmsg}`);
      return { value: body.access_token, ttlSeconds: Number(body.expires_in ?? 7200) };
    }, opts.now ?? Date.now);
  }

  /** `dd.getAuthCode` code → userid. */
  async userByAuthCode(authCode: string): Promise<{ userid: string; name: string | null }> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.get();
      const body = await getJson(this.fetch, `${this.cfg.oapiBase}/topapi/v2/user/getuserinfo?access_token=${encodeURIComponent(token)}`, this.timeoutMs, {
        method: 'POST',
        body: { code: authCode },
      });
      const code = body.errcode ?? 0;
      if (code === 0) {
        const result = (body.result ?? {}) as { userid?: unknown; name?: unknown };
        if (typeof result.userid !== 'string' || !result.userid) throw new PlatformSignInError('not-member', 'dingtalk', 0, 'getuserinfo returned no userid');
        return { userid: result.userid, name: typeof result.name === 'string' ? result.name : null };
      }
      if (DINGTALK_TOKEN_INVALID.has(code) && !refreshed) {
        this.tokens.drop(token);
        continue;
      }
      if (DINGTALK_INVALID_CODE.has(code)) throw new PlatformSignInError('invalid-code', 'dingtalk', code, `getuserinfo: ${body.errmsg}`);
      throw new PlatformSignInError('platform', 'dingtalk', code, `getuserinfo: ${body.errmsg}`);
    }
  }
}
