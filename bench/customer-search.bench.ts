/**
 * Issue #3 target: with 100,000 customers, search by pinyin initials, name prefix and phone suffix through
 * the HTTP API, next to the same query through the bare MongoDB driver; ratio API / driver ≤ 1.5.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../api/src/app';
import { LIST_PROJECTION } from '../api/src/modules/customer/customer.service';
import { seededRandom } from '../api/src/seed/demo-names';
import { generateCustomers } from '../api/src/seed/customers.seed';
import { seedOrg } from '../api/src/seed/org.seed';
import { measure, openBenchDatabase } from './bench-db';

const CUSTOMERS = 100_000;
const RUNS = 30;
const WARMUP = 3;

export async function run(log: (line: string) => void): Promise<void> {
  const env = await openBenchDatabase('crm_bench_search', log);
  try {
    const { services, conn, config } = env;
    log(`database: ${env.db.description}`);
    if (env.db.kind === 'mongo-java-server')
      log("NOTE: figures on the mongo-java-server stand-in are not MongoDB's speed (it ignores non-unique indexes: every search is a scan).");

    const org = await seedOrg(services);
    const t0 = Date.now();
    let loaded = 0;
    let sampleMobile = '';
    for await (const batch of generateCustomers({ count: CUSTOMERS, org, rand: seededRandom(7), now: new Date(), poolShare: 0.1, chunk: 5_000 })) {
      await conn.collection('customers').insertMany(batch.customers, { ordered: false });
      await conn.collection('contacts').insertMany(batch.contacts, { ordered: false });
      loaded += batch.customers.length;
      sampleMobile ||= batch.contacts.find((c) => c.mobiles.length)!.mobiles[0]!;
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    log(
      `loaded ${loaded.toLocaleString('en')} customers with contacts in ${loadSeconds.toFixed(1)} s (${Math.round(loaded / loadSeconds).toLocaleString('en')} customers/s)`,
    );

    const app = createApp({ config, logger: pino({ level: 'silent' }), connection: conn, databaseKind: env.db.kind, services });
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
      const admin = await services.org.findActiveUserByPlatformId('wecom', 'demo-admin');
      const actor = { user: admin!, viewer: await services.org.resolveViewer(admin!) };
      const queries: Array<[string, string]> = [
        ['pinyin initials', 'zs'],
        ['name prefix', '张'],
        ['phone suffix', sampleMobile.slice(-4)],
      ];
      const rows: string[] = [];
      for (const [label, q] of queries) {
        let apiCount = 0;
        const api = await measure(RUNS, WARMUP, async () => {
          const res = await fetch(`${base}/api/v1/customers?q=${encodeURIComponent(q)}&limit=20`, { headers: { authorization: `Bearer ${token}` } });
          if (res.status !== 200) throw new Error(`API answered ${res.status}`);
          apiCount = ((await res.json()) as { items: unknown[] }).items.length;
        });
        // exactly the filter, projection, sort and limit the API issues
        const filter = services.customers.listFilter(actor, { q });
        let driverCount = 0;
        const driver = await measure(RUNS, WARMUP, async () => {
          const docs = await conn.db!.collection('customers').find(filter, { projection: LIST_PROJECTION }).sort({ _id: -1 }).limit(21).toArray();
          driverCount = Math.min(docs.length, 20);
        });
        if (apiCount !== driverCount) throw new Error(`API returned ${apiCount} rows, driver ${driverCount}: not the same query`);
        rows.push(
          `| ${label} (\`${q}\`) | ${apiCount} | ${api.p50.toFixed(1)} / ${api.p95.toFixed(1)} | ${driver.p50.toFixed(1)} / ${driver.p95.toFixed(1)} | ${(api.p50 / driver.p50).toFixed(2)} / ${(api.p95 / driver.p95).toFixed(2)} |`,
        );
      }
      log(`customer search over ${loaded.toLocaleString('en')} customers, ${RUNS} runs each after ${WARMUP} warm-ups, as demo-admin (scope all), limit 20:`);
      log('| query | rows | API p50 / p95 ms | driver p50 / p95 ms | ratio API/driver p50 / p95 (target ≤ 1.5) |');
      log('|---|---|---|---|---|');
      for (const r of rows) log(r);
    } finally {
      server.close();
    }
  } finally {
    await env.close();
  }
}
