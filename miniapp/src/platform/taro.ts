import Taro from '@tarojs/taro';
import type { HttpTransport } from '../services/request';
import type { KeyValueStore } from '../services/storage';

/** The only file that calls Taro's network, storage and UI APIs for the services (pages use ui.ts). */
export const taroTransport: HttpTransport = async (req) => {
  const res = await Taro.request({
    url: req.url,
    method: req.method as 'GET',
    data: req.data as Record<string, unknown> | undefined,
    header: req.header,
    timeout: req.timeout,
    dataType: 'json',
  });
  return { statusCode: res.statusCode, data: res.data };
};

export const taroStore: KeyValueStore = {
  get<T>(key: string): T | null {
    try {
      const raw = Taro.getStorageSync(key) as string;
      return raw ? (JSON.parse(raw) as T) : null;
    } catch {
      return null;
    }
  },
  set(key, value) {
    Taro.setStorageSync(key, JSON.stringify(value));
  },
  remove(key) {
    Taro.removeStorageSync(key);
  },
};

export function toast(message: string): void {
  void Taro.showToast({ title: message.length > 28 ? `${message.slice(0, 27)}…` : message, icon: 'none', duration: 2500 });
}
