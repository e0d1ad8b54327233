/** A stand-in for @tarojs/taro in Jest: storage in memory, UI calls recorded. */
const storage = new Map<string, unknown>();
export const calls: Array<{ api: string; args: unknown }> = [];
const record =
  (api: string) =>
  (args?: unknown): Promise<unknown> => {
    calls.push({ api, args });
    return Promise.resolve({});
  };

const Taro = {
  request: record('request'),
  getStorageSync: (k: string) => storage.get(k) ?? '',
  setStorageSync: (k: string, v: unknown) => void storage.set(k, v),
  removeStorageSync: (k: string) => void storage.delete(k),
  showToast: record('showToast'),
  navigateTo: record('navigateTo'),
  redirectTo: record('redirectTo'),
  navigateBack: record('navigateBack'),
  makePhoneCall: record('makePhoneCall'),
  setClipboardData: record('setClipboardData'),
  getLocation: record('getLocation'),
  onNetworkStatusChange: () => undefined,
  getCurrentPages: () => [] as Array<{ route?: string; options?: Record<string, string> }>,
};

export const useRouter = () => ({ params: {} as Record<string, string> });
export const useDidShow = () => undefined;
export default Taro;
