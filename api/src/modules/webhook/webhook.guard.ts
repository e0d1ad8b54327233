import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard of outbound webhooks. A URL is accepted only when it is `https` and every address its host
 * resolves to is a public unicast address (not loopback, private, link-local, carrier-grade NAT, unique local,
 * multicast, reserved, an IPv4-mapped private address…). With `allowPrivate` (development, tests: config
 * WEBHOOK_ALLOW_PRIVATE) `http` and any address are allowed. The sender connects to the address checked here
 * (the connection is pinned to it), so a DNS answer that changes between the check and the connection
 * (DNS rebinding) cannot reach the internal network.
 */
export interface ResolvedTarget {
  url: URL;
  /** The checked address the connection must use. */
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export class WebhookTargetRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'scheme' | 'url' | 'private-address' | 'unresolvable',
  ) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

/** Public unicast only: every other ipaddr.js range (private, loopback, linkLocal, uniqueLocal, carrierGradeNat, reserved…) is refused. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 (::ffff:10.0.0.1) becomes the IPv4 address
  return parsed.range() === 'unicast';
}

export async function checkWebhookTarget(raw: string, opts: { allowPrivate: boolean; resolve?: Resolver }): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetRefused('URL 格式不正确', 'url');
  }
  if (url.username || url.password) throw new WebhookTargetRefused('URL 不能包含用户名或密码', 'url');
  if (url.protocol !== 'https:' && !(opts.allowPrivate && url.protocol === 'http:')) throw new WebhookTargetRefused('只允许 https 地址', 'scheme');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (opts.resolve ?? systemResolver)(host);
    } catch {
      throw new WebhookTargetRefused(`无法解析域名 ${host}`, 'unresolvable');
    }
  }
  if (!addresses.length) throw new WebhookTargetRefused(`无法解析域名 ${host}`, 'unresolvable');
  if (!opts.allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) throw new WebhookTargetRefused(`不允许回调内网或保留地址（${host} → ${bad.address}）`, 'private-address');
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
