import Router from '@koa/router';
import { DATA_SCOPE_LABELS, PERMISSIONS, can, devLoginBody, dingTalkAuthCodeBody, platformCodeBody } from '@crm/shared';
import { z } from 'zod';
import type { AppContext, AppMiddleware, AppState } from '../../context';
import { AppError, CommonErrorCode } from '../../errors/app-error';
import { isLoopbackAddress, loopbackOnly } from '../../middleware/loopback-only';
import { validate } from '../../middleware/validate';
import type { AuditService } from '../audit/audit.service';
import { toUserDto } from '../org/org.dto';
import type { OrgService } from '../org/org.service';
import { PlatformSignInError, type DingTalkSignIn, type WeComSignIn } from './platform-sign-in';
import type { TokenService } from './token.service';
import { responds } from '../openapi/responds';
import { authOptionsDtoSchema, meDtoSchema, signInDtoSchema, webLoginDtoSchema, webLoginQuery } from './auth.dto-schema';

export interface AuthRoutesDeps {
  devLogin: boolean;
  /** Dev login for callers on other machines too (DEV_LOGIN_REMOTE); by default loopback only. */
  devLoginRemote?: boolean;
  tokens: TokenService;
  org: OrgService;
  audit: AuditService;
  authenticated: AppMiddleware;
  /** WeCom sign-in (mini-program and H5 OAuth); null when WeCom is not configured. */
  wecom?: { client: WeComSignIn; corpId: string; agentId: number; loginBase?: string } | null;
  /** DingTalk sign-in; null when DingTalk is not configured. */
  dingtalk?: { client: DingTalkSignIn; clientId?: string; loginBase?: string } | null;
}

type SignInPath = 'wecom-miniprogram' | 'wecom-oauth' | 'dingtalk' | 'wecom-qr' | 'dingtalk-qr';
type SignInAction = `auth.${SignInPath}`;

export function authRoutes(deps: AuthRoutesDeps): Router<AppState> {
  const router = new Router<AppState>();

  const devLoginRemote = deps.devLoginRemote ?? false;
  /** Whether this caller may use dev login: on, and from this machine unless DEV_LOGIN_REMOTE. */
  const devLoginFor = (ctx: AppContext) => deps.devLogin && (devLoginRemote || isLoopbackAddress(ctx.req.socket.remoteAddress));

  /**
   * Development sign-in by WeCom userid. Off unless DEV_LOGIN is on (default only with the embedded database,
   * never in production), and only for callers on this machine unless DEV_LOGIN_REMOTE is on.
   */
  router.post(
    '/auth/dev-login',
    responds(200, signInDtoSchema, { errors: ['NOT_FOUND', 'UNAUTHENTICATED'] }),
    loopbackOnly(devLoginRemote),
    validate({ body: devLoginBody }),
    async (ctx) => {
      if (!deps.devLogin) throw new AppError(404, CommonErrorCode.NOT_FOUND, '开发登录未开启（DEV_LOGIN=off）');
      const { login } = ctx.state.input.body as z.infer<typeof devLoginBody>;
      const user = await deps.org.findActiveUserByPlatformId('wecom', login);
      if (!user) throw new AppError(401, CommonErrorCode.UNAUTHENTICATED, `没有在职用户 ${login}`);
      const { token, expiresAt } = deps.tokens.issue(String(user._id));
      ctx.state.meta.actorId = user._id;
      ctx.state.meta.actorName = user.name;
      await deps.audit.record(ctx.state.meta, { action: 'auth.dev-login', entityType: 'user', entityId: user._id, actorName: user.name });
      ctx.body = { token, expiresAt, user: toUserDto(user.toObject()) };
    },
  );

  /** What the mini-app's sign-in page needs to know (public: no secrets). */
  router.get('/auth/options', responds(200, authOptionsDtoSchema), async (ctx) => {
    const devLogin = devLoginFor(ctx);
    const demoUsers = devLogin ? (await deps.org.weComLogins(50)).map((u) => ({ login: u.login, name: u.name, title: u.title })) : [];
    ctx.body = {
      devLogin,
      demoUsers,
      wecomOAuth: deps.wecom ? { corpId: deps.wecom.corpId, agentId: deps.wecom.agentId } : null,
      dingtalk: Boolean(deps.dingtalk),
      qrLogin: { wecom: Boolean(deps.wecom?.loginBase), dingtalk: Boolean(deps.dingtalk?.loginBase && deps.dingtalk.clientId) },
    };
  });

  /**
   * The workbench's platform sign-in page: where to send the browser. `wecom` is WeCom's 网页登录 (QR code),
   * `wecom-oauth` the OAuth2 page inside the WeCom client, `dingtalk` DingTalk's OAuth page (扫码登录 outside the
   * client, approved without a scan inside it). The platform redirects back to /console/login/callback/<platform>
   * with a single-use code and the caller's `state` (which the page checks against what it stored).
   */
  router.get('/auth/web-login', responds(200, webLoginDtoSchema, { errors: ['NOT_FOUND'] }), validate({ query: webLoginQuery }), (ctx) => {
    const { platform, state } = ctx.state.input.query as z.infer<typeof webLoginQuery>;
    // this server as the browser reached it (behind a proxy: X-Forwarded-Proto / -Host); the platform accepts it only on
    // the app's trusted domain (WeCom 可信域名, DingTalk 回调域名)
    const back = (p: string) => `${ctx.protocol}://${ctx.host}/console/login/callback/${p}`;
    if (platform === 'dingtalk') {
      const d = deps.dingtalk;
      if (!d?.loginBase || !d.clientId) throw new AppError(404, CommonErrorCode.NOT_FOUND, '未配置钉钉，无法扫码登录');
      const q = new URLSearchParams({
        redirect_uri: back('dingtalk'),
        response_type: 'code',
        client_id: d.clientId,
        scope: 'openid',
        state,
        prompt: 'consent',
      });
      ctx.body = { url: `${d.loginBase}/oauth2/auth?${q}` };
      return;
    }
    const w = deps.wecom;
    if (!w?.loginBase) throw new AppError(404, CommonErrorCode.NOT_FOUND, '未配置企业微信，无法用企业微信登录');
    if (platform === 'wecom-oauth') {
      const q = new URLSearchParams({
        appid: w.corpId,
        redirect_uri: back('wecom-oauth'),
        response_type: 'code',
        scope: 'snsapi_base',
        state,
        agentid: String(w.agentId),
      });
      ctx.body = { url: `https://open.weixin.qq.com/connect/oauth2/authorize?${q}#wechat_redirect` };
      return;
    }
    const q = new URLSearchParams({ login_type: 'CorpApp', appid: w.corpId, agentid: String(w.agentId), redirect_uri: back('wecom'), state });
    ctx.body = { url: `${w.loginBase}/wwlogin/sso/login?${q}` };
  });

  /** Exchanges a platform userid for our token: active users only, every outcome audited. */
  const finishSignIn = async (ctx: AppContext, action: SignInAction, platform: 'wecom' | 'dingtalk', exchange: () => Promise<string>) => {
    let platformUserId: string;
    try {
      platformUserId = await exchange();
    } catch (err) {
      if (!(err instanceof PlatformSignInError)) throw err;
      ctx.state.log.warn({ platform, errcode: err.errcode, failure: err.failure, msg: err.message }, 'platform sign-in refused');
      if (err.failure === 'invalid-code') throw new AppError(401, CommonErrorCode.UNAUTHENTICATED, '登录码无效或已过期，请重新进入应用');
      if (err.failure === 'not-member') throw new AppError(403, CommonErrorCode.FORBIDDEN, '你不是本企业的成员，无法登录');
      throw new AppError(502, 'PLATFORM_UNAVAILABLE', platform === 'wecom' ? '企业微信暂时无法验证身份，请稍后再试' : '钉钉暂时无法验证身份，请稍后再试', {
        expose: true,
      });
    }
    const user = await deps.org.findActiveUserByPlatformId(platform, platformUserId);
    if (!user) {
      await deps.audit.record(ctx.state.meta, {
        action: `${action}.refused`,
        entityType: 'user',
        entityId: `${platform}:${platformUserId}`,
        actorName: platformUserId,
      });
      throw new AppError(403, CommonErrorCode.FORBIDDEN, '你还没有开通 CRM 账号或已离职，请联系管理员');
    }
    const { token, expiresAt } = deps.tokens.issue(String(user._id));
    ctx.state.meta.actorId = user._id;
    ctx.state.meta.actorName = user.name;
    await deps.audit.record(ctx.state.meta, { action, entityType: 'user', entityId: user._id, actorName: user.name });
    ctx.body = { token, expiresAt, user: toUserDto(user.toObject()) };
  };

  /**
   * The platform sign-ins: a code from the platform's client → the platform's API → userid → our token. One table,
   * one route each (the platform not configured: 404 in Chinese).
   */
  const wecomOnly = () => {
    if (!deps.wecom) throw new AppError(404, CommonErrorCode.NOT_FOUND, '未配置企业微信，无法用企业微信登录');
    return deps.wecom.client;
  };
  const dingtalkOnly = () => {
    if (!deps.dingtalk) throw new AppError(404, CommonErrorCode.NOT_FOUND, '未配置钉钉，无法用钉钉登录');
    return deps.dingtalk.client;
  };
  const platformSignIns: Array<{
    path: SignInPath;
    platform: 'wecom' | 'dingtalk';
    body: typeof platformCodeBody | typeof dingTalkAuthCodeBody;
    userid: (body: { code?: string; authCode?: string }) => Promise<string>;
  }> = [
    // WeCom mini-program: wx.qy.login code → jscode2session
    { path: 'wecom-miniprogram', platform: 'wecom', body: platformCodeBody, userid: async (b) => (await wecomOnly().code2Session(b.code!)).userid },
    // WeCom H5: the OAuth2 redirect's code → auth/getuserinfo
    { path: 'wecom-oauth', platform: 'wecom', body: platformCodeBody, userid: async (b) => (await wecomOnly().oauthUser(b.code!)).userid },
    // the workbench's WeCom 网页登录 (QR code): the redirect's code → auth/getuserinfo
    { path: 'wecom-qr', platform: 'wecom', body: platformCodeBody, userid: async (b) => (await wecomOnly().oauthUser(b.code!)).userid },
    // the workbench's DingTalk 扫码登录: authCode → user token → unionId → getbyunionid
    { path: 'dingtalk-qr', platform: 'dingtalk', body: dingTalkAuthCodeBody, userid: async (b) => (await dingtalkOnly().userByOAuthCode(b.authCode!)).userid },
    // DingTalk: dd.getAuthCode → topapi/v2/user/getuserinfo
    { path: 'dingtalk', platform: 'dingtalk', body: dingTalkAuthCodeBody, userid: async (b) => (await dingtalkOnly().userByAuthCode(b.authCode!)).userid },
  ];
  for (const signIn of platformSignIns) {
    router.post(
      `/auth/${signIn.path}`,
      responds(200, signInDtoSchema, { errors: ['NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'PLATFORM_UNAVAILABLE'] }),
      validate({ body: signIn.body }),
      async (ctx) => {
        const body = ctx.state.input.body as { code?: string; authCode?: string };
        await finishSignIn(ctx, `auth.${signIn.path}`, signIn.platform, () => signIn.userid(body));
      },
    );
  }

  router.get('/me', responds(200, meDtoSchema), deps.authenticated, (ctx) => {
    const { user, viewer } = ctx.state.actor!;
    ctx.body = {
      user: toUserDto(user.toObject()),
      roles: user.roles,
      scope: { type: viewer.scope, label: DATA_SCOPE_LABELS[viewer.scope] },
      permissions: PERMISSIONS.filter((p) => can(user.roles, p)),
    };
  });

  return router;
}
