/**
 * Load generator in its own process (so it does not share the server's event loop): POSTs the given
 * requests in a cycle for a while with N connections and prints autocannon's result as JSON.
 * Usage: tsx bench/load/post-load.ts <plan.json>   plan: { url, connections, durationSec, requests: [{ path, body }] }
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  url: string;
  connections: number;
  durationSec: number;
  /** Requests per second across all connections (open loop); absent = as fast as the server answers. */
  overallRate?: number;
  requests: Array<{ path: string; body: string }>;
};
let next = 0;
autocannon(
  {
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSec,
    ...(plan.overallRate ? { overallRate: plan.overallRate } : {}),
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    requests: [
      {
        setupRequest: (req) => {
          const r = plan.requests[next++ % plan.requests.length]!;
          return { ...req, path: r.path, body: r.body };
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    process.stdout.write(
      JSON.stringify({
        sent: next,
        requestsAverage: result.requests.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p97_5: result.latency.p97_5,
        p99: result.latency.p99,
        max: result.latency.max,
        errors: result.errors,
        non2xx: result.non2xx,
        ok: result['2xx'],
      }),
    );
  },
);
