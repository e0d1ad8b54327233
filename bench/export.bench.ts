/**
 * Issue #17, export: a generated customer table (1,000,000 rows by default; BENCH_EXPORT_ROWS to change)
 * exported through the HTTP API as CSV and xlsx by the admin (every row in scope), read by a fast client;
 * then a slow client (one chunk every 200 ms) that hangs up after 10 s. Figures: rows/s, file size, the server
 * process's peak RSS and heap above its level before the export (the database is another process), and
 * whether the cursor stopped when the client went away.
 */
import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildServices, connectMongo } from '@crm/api';
import { createApp } from '../api/src/app';
import { seededRandom } from '../api/src/seed/demo-names';
import { generateCustomers } from '../api/src/seed/customers.seed';
import { seedOrg } from '../api/src/seed/org.seed';
import { openBenchDatabase } from './bench-db';

const env = process.env; // eslint-disable-line no-restricted-properties -- bench entry: its own knob
const ROWS = Number(env.BENCH_EXPORT_ROWS ?? 1_000_000);
const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Peak RSS while `fn` runs (sampled every 25 ms) and the peak live heap above its start: a full collection
 * before each heap sample (every second), so garbage not yet collected does not count.
 */
async function peakOf<T>(fn: () => Promise<T>): Promise<{ value: T; rssMb: number; heapMb: number; baseRssMb: number }> {
  gc();
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const fast = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 25);
  const live = setInterval(() => {
    gc();
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  }, 1_000);
  try {
    const value = await fn();
    return { value, rssMb: rss / MB, heapMb: (heap - base.heapUsed) / MB, baseRssMb: base.rss / MB };
  } finally {
    clearInterval(fast);
    clearInterval(live);
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  const benchEnv = await openBenchDatabase('crm_bench_export', log);
  try {
    const { config } = benchEnv;
    // patient driver settings: the stand-in on a busy machine misses the app's 2 s heartbeats during bulk loads
    const patient = await connectMongo(benchEnv.db.uri, { requestTimeoutMs: 30_000, operationTimeoutMs: 600_000 });
    const conn = patient.useDb(benchEnv.conn.db!.databaseName);
    const services = buildServices(conn, config);
    log(`database: ${benchEnv.db.description}`);
    if (benchEnv.db.kind === 'mongo-java-server')
      log('NOTE: stand-in figures (mongo-java-server, in memory), not MongoDB’s speed; memory figures are this Node process only.');
    const org = await seedOrg(services);
    const t0 = Date.now();
    let loaded = 0;
    for await (const batch of generateCustomers({ count: ROWS, org, rand: seededRandom(17), now: new Date(), poolShare: 0.1, chunk: 2_000 })) {
      await conn.collection('customers').insertMany(batch.customers, { ordered: false });
      loaded += batch.customers.length;
    }
    log(`loaded ${loaded.toLocaleString('en')} customers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const app = createApp({ config, logger: pino({ level: 'silent' }), connection: conn, databaseKind: benchEnv.db.kind, services });
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const login = await fetch(`${base}/api/v1/auth/dev-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'demo-admin' }),
      });
      const { token } = (await login.json()) as { token: string };
      const auth = { authorization: `Bearer ${token}` };

      log('| format | client | rows | file | time | rows/s | peak RSS (process) | peak live heap above start |');
      log('|---|---|---|---|---|---|---|---|');
      for (const format of ['csv', 'xlsx'] as const) {
        const m = await peakOf(async () => {
          const started = Date.now();
          const res = await fetch(`${base}/api/v1/exports/customers?format=${format}`, { headers: auth });
          let bytes = 0;
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
          return { bytes, seconds: (Date.now() - started) / 1000 };
        });
        const rows = loaded;
        log(
          `| ${format} | fast | ${rows.toLocaleString('en')} | ${(m.value.bytes / MB).toFixed(1)} MB | ${m.value.seconds.toFixed(1)} s | ${Math.round(rows / m.value.seconds).toLocaleString('en')} | ${m.rssMb.toFixed(0)} MB (${m.baseRssMb.toFixed(0)} before) | ${m.heapMb.toFixed(0)} MB |`,
        );
      }

      // a slow client that hangs up: memory stays flat while it dawdles, the cursor stops when it leaves
      const slow = await peakOf(async () => {
        const controller = new AbortController();
        const res = await fetch(`${base}/api/v1/exports/customers?format=xlsx`, { headers: auth, signal: controller.signal });
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const until = Date.now() + 10_000;
        let bytes = 0;
        while (Date.now() < until) {
          const { value, done } = await reader.read();
          if (done) break;
          bytes += value.length;
          await new Promise((r) => setTimeout(r, 200));
        }
        controller.abort();
        await reader.cancel().catch(() => undefined);
        return bytes;
      });
      // the export's audit entry says where it stopped
      let note: { rows: number } | null = null;
      for (let i = 0; i < 50 && !note; i++) {
        const entry = await conn.collection('audit_log').findOne({ action: 'export.aborted' });
        if (entry) note = JSON.parse(String(entry.note)) as { rows: number };
        else await new Promise((r) => setTimeout(r, 100));
      }
      log(
        `| xlsx | slow (a chunk per 200 ms), hangs up after 10 s | ${note ? note.rows.toLocaleString('en') : '?'} sent, then stopped | ${(slow.value / MB).toFixed(1)} MB | 10 s | — | ${slow.rssMb.toFixed(0)} MB | ${slow.heapMb.toFixed(0)} MB |`,
      );
      log(
        note
          ? `cursor stopped after the client left (audit export.aborted, ${note.rows.toLocaleString('en')} of ${loaded.toLocaleString('en')} rows)`
          : 'no export.aborted entry found',
      );
    } finally {
      server.close();
      await patient.close();
    }
  } finally {
    await benchEnv.close();
  }
}
