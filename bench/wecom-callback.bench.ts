/**
 * Issue #4 target: encrypted WeCom callbacks under 100 concurrent connections: acknowledgements per
 * second and p99 ack latency (target < 50 ms), next to a bare Koa endpoint in the same run; afterwards
 * every distinct event must have been handled exactly once (none lost, none doubled).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Koa from 'koa';
import pino from 'pino';
import { loadConfig } from '@crm/config';
import { createApp } from '../api/src/app';
import { seedOrg } from '../api/src/seed/org.seed';
import { createBot } from '../bot/src';
import { inboundModel } from '../bot/src/core/inbound.model';
import { FakeWeComServer } from '../tests/fakes/fake-wecom-server';
import { sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../tests/helpers/wecom-packets';
import { openBenchDatabase } from './bench-db';

const CONNECTIONS = 100;
const DURATION_S = 10;
const USERS = ['demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-manager', 'demo-director'];

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function fire(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function run(log: (line: string) => void): Promise<void> {
  const env = await openBenchDatabase('crm_bench_wecom', log);
  const fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  fake.memberLimits = { perMinute: Number.MAX_SAFE_INTEGER, perHour: Number.MAX_SAFE_INTEGER };
  try {
    log(`database: ${env.db.description}`);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...WECOM_TEST_ENV(fake.baseUrl) });
    await seedOrg(env.services);
    // the per-member budget is lifted here: this measures acknowledgement, not WeCom's send limits
    const bot = createBot({ conn: env.conn, services: env.services, logger: pino({ level: 'silent' }), config, wecomBudget: [{ limit: 1e9, ms: 1000 }] });
    await inboundModel(env.conn).createIndexes();
    const app = createApp({
      config,
      logger: pino({ level: 'silent' }),
      connection: env.conn,
      databaseKind: env.db.kind,
      services: env.services,
      extraRouters: bot.routers,
    });
    const crm = await listen(app.callback());
    const bare = new Koa();
    bare.use((ctx) => {
      ctx.status = 200;
      ctx.body = '';
    });
    const baseline = await listen(bare.callback());

    // Pre-sealed packets, each a distinct message; every 10th is sent twice (a WeCom retry).
    const packets: Array<{ path: string; body: string }> = [];
    const total = 60_000;
    for (let i = 0; i < total; i++) {
      const p = sealedPost(textXml(USERS[i % USERS.length]!, '帮助', String(9_000_000_000_000 + i)));
      const path = `/bot/wecom/callback?${new URLSearchParams(p.query).toString()}`;
      packets.push({ path, body: p.body });
      if (i % 10 === 0) packets.push({ path, body: p.body });
    }
    let next = 0;
    const target = (url: string, count: boolean): autocannon.Options => ({
      url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      requests: [
        {
          setupRequest: (req) => {
            const i = next++ % packets.length;
            return { ...req, path: count ? packets[i]!.path : '/', body: packets[i]!.body };
          },
        },
      ],
    });

    const base = await fire(target(baseline.url, false));
    next = 0;
    const started = Date.now();
    const res = await fire(target(crm.url, true));
    const acked = res['2xx'];
    log(`acknowledged ${acked} callbacks in ${DURATION_S} s; waiting for the bot to finish handling them…`);
    await bot.inFlight.drain();
    const handledSeconds = (Date.now() - started) / 1000;

    const attemptedPackets = Math.min(next, packets.length);
    const distinct = new Set(packets.slice(0, attemptedPackets).map((p) => p.path)).size;
    const recorded = await inboundModel(env.conn).countDocuments();
    log('| endpoint | req/s (mean) | p50 ms | p99 ms | non-2xx |');
    log('|---|---|---|---|---|');
    log(`| bare Koa 200 | ${Math.round(base.requests.average)} | ${base.latency.p50} | ${base.latency.p99} | ${base.non2xx} |`);
    log(`| WeCom callback (verify + decrypt + parse + ack) | ${Math.round(res.requests.average)} | ${res.latency.p50} | ${res.latency.p99} | ${res.non2xx} |`);
    log(
      `ratio callback / bare: throughput ${(res.requests.average / base.requests.average).toFixed(2)}, p99 ${(res.latency.p99 / Math.max(1, base.latency.p99)).toFixed(2)}; target p99 < 50 ms: ${res.latency.p99 < 50 ? 'met' : 'NOT met'}`,
    );
    log(
      `events: ${attemptedPackets} deliveries (${attemptedPackets - distinct} of them retries) → ${recorded} recorded once, ${fake.delivered.length} replies sent; lost ${Math.max(0, distinct - recorded)}, doubled ${Math.max(0, fake.delivered.length - recorded)}; all handled ${handledSeconds.toFixed(1)} s after the load started`,
    );
    await crm.close();
    await baseline.close();
  } finally {
    await fake.stop();
    await env.close();
  }
}
