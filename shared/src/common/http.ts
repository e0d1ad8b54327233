import axios, { type AxiosInstance } from 'axios';

/** The client `platformHttp` makes (an axios instance), for workspaces that do not depend on axios themselves. */
export type PlatformHttp = AxiosInstance;

export interface PlatformHttpOptions {
  /** The platform's API base (tests point it at a fake server); absent for full URLs (a group robot's webhook). */
  baseURL?: string;
  timeoutMs?: number;
}

/**
 * The one HTTP client for every platform call (WeCom, DingTalk; the bot's clients and the API's sign-in):
 * axios, as the platforms' SDKs are. JSON in and out, a timeout on every call, every HTTP status answered
 * (the callers read the platform's own errcode), and no proxy taken from the environment (`HTTP_PROXY`
 * would otherwise silently reroute calls that carry secrets and tokens).
 */
export function platformHttp(opts: PlatformHttpOptions = {}): PlatformHttp {
  return axios.create({
    baseURL: opts.baseURL,
    timeout: opts.timeoutMs ?? 10_000,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    responseType: 'json',
    validateStatus: () => true,
    proxy: false,
  });
}
