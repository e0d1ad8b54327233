import type { PlatformCode } from '../services/session';

/**
 * A fresh sign-in code from the platform we run in, without asking the user:
 * - WeCom mini-program (qywx, or weapp opened inside WeCom): `wx.qy.login` → code for jscode2session;
 * - DingTalk mini-program (dd): `dd.getAuthCode` → authCode;
 * - H5 back from WeCom's OAuth2 redirect: the `code` in the address (used once, then removed from it).
 * Null anywhere else (plain browser, sandbox): the sign-in page offers the demo users.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const wx: any;
declare const dd: any;

export function platformCode(): Promise<PlatformCode | null> {
  const env = process.env.TARO_ENV;
  if ((env === 'qywx' || env === 'weapp') && typeof wx !== 'undefined' && wx.qy && typeof wx.qy.login === 'function') {
    return new Promise((resolve, reject) => {
      wx.qy.login({
        success: (res: { code?: string }) => resolve(res.code ? { kind: 'wecom-miniprogram', code: res.code } : null),
        fail: (err: unknown) => reject(err),
      });
    });
  }
  if (env === 'dd' && typeof dd !== 'undefined' && typeof dd.getAuthCode === 'function') {
    return new Promise((resolve, reject) => {
      dd.getAuthCode({
        success: (res: { authCode?: string }) => resolve(res.authCode ? { kind: 'dingtalk', authCode: res.authCode } : null),
        fail: (err: unknown) => reject(err),
      });
    });
  }
  if (env === 'h5' && typeof window !== 'undefined') {
    const url = new URL(window.location.href);
    const code = url.searchParams.get('code');
    if (code && url.searchParams.get('state') === OAUTH_STATE) {
      url.searchParams.delete('code');
      url.searchParams.delete('state');
      window.history.replaceState(null, '', url.toString()); // single use: never sent twice
      return Promise.resolve({ kind: 'wecom-oauth', code });
    }
  }
  return Promise.resolve(null);
}

export const OAUTH_STATE = 'crmapp';

/** Inside WeCom's browser (H5): the UA says wxwork. */
export function inWeComBrowser(): boolean {
  return process.env.TARO_ENV === 'h5' && typeof navigator !== 'undefined' && /wxwork/i.test(navigator.userAgent);
}

/** The WeCom OAuth2 address that comes back to this page with `?code=…&state=crmapp` (snsapi_base: silent). */
export function wecomOAuthUrl(corpId: string, agentId: number, back: string): string {
  const q = new URLSearchParams({
    appid: corpId,
    redirect_uri: back,
    response_type: 'code',
    scope: 'snsapi_base',
    state: OAUTH_STATE,
    agentid: String(agentId),
  });
  return `https://open.weixin.qq.com/connect/oauth2/authorize?${q.toString()}#wechat_redirect`;
}
