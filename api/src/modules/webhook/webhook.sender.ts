import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedTarget } from './webhook.guard';

export interface SendResult {
  /** HTTP status, or null when no answer came (timeout, refused connection). */
  status: number | null;
  /** The answer's first `capBytes` bytes (as text). */
  response: string;
  error: string | null;
  latencyMs: number;
}

/** How a delivery leaves the process (a port: tests may swap it; the default is `postPinned`). */
export type WebhookTransport = (
  target: ResolvedTarget,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; capBytes: number },
) => Promise<SendResult>;

/**
 * POSTs to the checked address only: the socket's DNS lookup answers the address the guard approved, while the
 * Host header and TLS (SNI, certificate name) keep the URL's host name. Redirects are not followed; the whole
 * attempt (connect, send, answer) is bounded by `timeoutMs`; only `capBytes` of the answer are read.
 */
export const postPinned: WebhookTransport = (target, body, headers, opts) =>
  new Promise<SendResult>((resolve) => {
    const started = performance.now();
    const done = (r: Omit<SendResult, 'latencyMs'>) => resolve({ ...r, latencyMs: Math.round(performance.now() - started) });
    const pinned: LookupFunction = (_host, options, cb) => {
      if ((options as { all?: boolean }).all)
        (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
      else cb(null, target.address, target.family);
    };
    const mod = target.url.protocol === 'https:' ? https : http;
    let settled = false;
    const req = mod.request(
      target.url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'chat-crm-webhooks/1', ...headers },
        lookup: pinned,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size >= opts.capBytes) return;
          chunks.push(c);
          size += c.length;
          if (size >= opts.capBytes) res.destroy(); // capped: the rest is never read
        });
        const finish = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          done({ status: res.statusCode ?? null, response: Buffer.concat(chunks).subarray(0, opts.capBytes).toString('utf8'), error: null });
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      req.destroy();
      done({ status: null, response: '', error: `timeout after ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done({ status: null, response: '', error: err.message });
    });
    req.end(body);
  });
