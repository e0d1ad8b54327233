/**
 * Open-loop load generator in its own process: sends the plan's requests at a fixed rate over a pool of
 * keep-alive connections, whatever the server's answers do (so a slow server does not slow the load),
 * and times each request from the moment it was due, not from when a connection freed up (no
 * coordinated omission: a stall shows in the figures as the queue it causes).
 * Usage: tsx bench/load/open-loop.ts <plan.json>
 *   plan: { url, connections, durationSec, rate, requests: [{ path, body }] }
 * Prints JSON: { sent, ok, non2xx, errors, achievedRate, p50, p90, p99, max } (latencies in ms).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  url: string;
  connections: number;
  durationSec: number;
  rate: number;
  requests: Array<{ path: string; body: string }>;
};
const target = new URL(plan.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.connections, maxFreeSockets: plan.connections });
const latencies: number[] = [];
let sent = 0;
let ok = 0;
let non2xx = 0;
let errors = 0;
let outstanding = 0;

function fire(dueNs: bigint): void {
  const r = plan.requests[sent++ % plan.requests.length]!;
  outstanding += 1;
  const req = http.request(
    {
      host: target.hostname,
      port: target.port,
      path: r.path,
      method: 'POST',
      agent,
      headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(r.body) },
    },
    (res) => {
      res.resume();
      res.on('end', () => {
        outstanding -= 1;
        latencies.push(Number(process.hrtime.bigint() - dueNs) / 1e6);
        if (res.statusCode! >= 200 && res.statusCode! < 300) ok += 1;
        else non2xx += 1;
      });
    },
  );
  req.on('error', () => {
    outstanding -= 1;
    errors += 1;
  });
  req.end(r.body);
}

const start = process.hrtime.bigint();
const intervalNs = BigInt(Math.round(1e9 / plan.rate));
const total = Math.round(plan.rate * plan.durationSec);
let scheduled = 0;
const tick = () => {
  const now = process.hrtime.bigint();
  // everything due by now goes out, each stamped with its own due time
  while (scheduled < total && start + BigInt(scheduled) * intervalNs <= now) {
    fire(start + BigInt(scheduled) * intervalNs);
    scheduled += 1;
  }
  if (scheduled < total) setTimeout(tick, 1);
  else finish();
};
const finish = () => {
  if (outstanding > 0) return void setTimeout(finish, 5);
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]! * 10) / 10;
  process.stdout.write(
    JSON.stringify({ sent, ok, non2xx, errors, achievedRate: Math.round(ok / elapsedS), p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100) }),
  );
  agent.destroy();
};
tick();
