import Taro from '@tarojs/taro';
import { wgs84ToGcj02 } from '../lib/geo';

/** Taro UI calls the pages need (navigation, phone, clipboard, location, network), in one place. */
export const ROUTES = {
  search: '/pages/search/index',
  login: '/pages/login/index',
  customer: (id: string) => `/pages/customer/detail?id=${encodeURIComponent(id)}`,
  createCustomer: '/pages/customer/create',
  visit: (customerId: string, nextStepOnly = false) => `/pages/visit/new?customerId=${encodeURIComponent(customerId)}${nextStepOnly ? '&focus=next' : ''}`,
  reminders: '/pages/reminders/index',
  approvals: '/pages/approvals/index',
  approval: (id: string) => `/pages/approvals/detail?id=${encodeURIComponent(id)}`,
  manager: '/pages/manager/index',
  /** The list behind a dashboard figure (`listQuery` in the dashboard adapter builds the query). */
  managerList: (query: string) => `/pages/manager/list?${query}`,
};

export function go(url: string): void {
  void Taro.navigateTo({ url });
}

export function back(fallback: string = ROUTES.search): void {
  if (Taro.getCurrentPages().length > 1) void Taro.navigateBack();
  else void Taro.redirectTo({ url: fallback });
}

/** The current page's path with its query (to come back after signing in). */
export function currentUrl(): string {
  // H5 (hash router): the address is the truth; page objects there do not carry the query
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined' && window.location.hash.startsWith('#/pages/')) return window.location.hash.slice(1);
  const pages = Taro.getCurrentPages();
  const page = pages[pages.length - 1];
  if (!page?.route) return ROUTES.search;
  const query = Object.entries((page as { options?: Record<string, string> }).options ?? {})
    .filter(([k]) => k !== '$taroTimestamp')
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const route = page.route.startsWith('/') ? page.route : `/${page.route}`;
  return query ? `${route}?${query}` : route;
}

let redirecting = false;
export function goToSignIn(): void {
  if (redirecting) return;
  const here = currentUrl();
  if (here.startsWith(ROUTES.login)) return;
  redirecting = true;
  void Taro.redirectTo({ url: `${ROUTES.login}?back=${encodeURIComponent(here)}` }).finally(() => {
    redirecting = false;
  });
}

export function call(phone: string): void {
  void Taro.makePhoneCall({ phoneNumber: phone }).catch(() => undefined);
}

export function copy(text: string): void {
  void Taro.setClipboardData({ data: text }).then(() => Taro.showToast({ title: '已复制', icon: 'none' }));
}

export type LocationResult = { ok: true; lat: number; lng: number } | { ok: false; reason: 'denied' | 'unavailable'; message: string };

/**
 * The device location in GCJ-02; a refused permission is an answer, not an error. Mini-programs give GCJ-02
 * directly; a browser (H5, also WeCom's OAuth web view) only WGS-84, which Taro's H5 runtime insists on, so
 * H5 asks for that and converts.
 */
export async function locate(): Promise<LocationResult> {
  try {
    if (process.env.TARO_ENV === 'h5') {
      const res = await Taro.getLocation({ type: 'wgs84' });
      const p = wgs84ToGcj02({ lat: res.latitude, lng: res.longitude });
      return { ok: true, lat: p.lat, lng: p.lng };
    }
    const res = await Taro.getLocation({ type: 'gcj02' });
    return { ok: true, lat: res.latitude, lng: res.longitude };
  } catch (err) {
    const msg = String((err as { errMsg?: string; message?: string })?.errMsg ?? (err as Error)?.message ?? '');
    if (/deny|denied|auth|permission|拒绝|授权/i.test(msg))
      return { ok: false, reason: 'denied', message: '未获得定位权限：可在设置中允许定位，或手动填写地址' };
    return { ok: false, reason: 'unavailable', message: '暂时无法定位：请手动填写地址' };
  }
}

/** Calls back whenever the network comes back. */
export function onOnline(cb: () => void): void {
  Taro.onNetworkStatusChange((res) => {
    if (res.isConnected) cb();
  });
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') window.addEventListener('online', cb);
}

export function toastText(title: string): void {
  void Taro.showToast({ title, icon: 'none', duration: 2500 });
}

export function toastOk(title: string): void {
  void Taro.showToast({ title, icon: 'success', duration: 1500 });
}
