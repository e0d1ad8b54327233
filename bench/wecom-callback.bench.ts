/**
 * Issue #4 target: encrypted WeCom callbacks under 100 concurrent connections: acknowledgements per
 * second and p99 ack latency (target < 50 ms), next to a bare Koa endpoint in the same run; afterwards
 * every distinct event must have been handled exactly once (none lost, none doubled).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
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
const STEADY_RATE = 200;
const USERS = ['demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-manager', 'demo-director'];

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

interface LoadResult {
  sent: number;
  requestsAverage: number;
  p50: number;
  p99: number;
  non2xx: number;
  ok: number;
}

/** Runs the load generator in a separate process. */
function load(planFile: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(__dirname, 'load', 'post-load.ts'), planFile],
      { maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`load generator failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
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
    const bot = createBot({
      conn: env.conn,
      services: env.services,
      logger: pino({ level: 'silent' }),
      config,
      wecomBudget: [{ limit: 1e9, ms: 1000 }],
    });
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
    const plan = (url: string, requests: Array<{ path: string; body: string }>, overallRate?: number) => {
      const file = path.join(os.tmpdir(), `crm-load-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({ url, connections: CONNECTIONS, durationSec: DURATION_S, overallRate, requests }));
      return file;
    };
    const base = await load(plan(baseline.url, [{ path: '/', body: '<xml/>' }]));
    const started = Date.now();
    const res = await load(plan(crm.url, packets));
    log(`acknowledged ${res.ok} callbacks in ${DURATION_S} s (load generator in its own process); waiting for the bot to finish handling them…`);
    await bot.inFlight.drain();
    const handledSeconds = (Date.now() - started) / 1000;

    // the same, at a steady rate well inside capacity (open loop): the latency a person's tap sees on a busy day
    await bot.inFlight.drain();
    const steadyPackets = packets.slice(res.sent);
    const steady = await load(plan(crm.url, steadyPackets, STEADY_RATE));
    await bot.inFlight.drain();

    const attempted = Math.min(res.sent, packets.length) + Math.min(steady.sent, steadyPackets.length);
    const distinct = new Set(packets.slice(0, attempted).map((p) => p.path)).size;
    const steadyTarget = steady.p99 < 50 ? 'met' : 'NOT met';
    const recorded = await inboundModel(env.conn).countDocuments();
    const handled = await inboundModel(env.conn).countDocuments({ handledAt: { $ne: null } });
    log('| endpoint | req/s (mean) | p50 ms | p99 ms | non-2xx |');
    log('|---|---|---|---|---|');
    log(`| bare Koa 200 | ${Math.round(base.requestsAverage)} | ${base.p50} | ${base.p99} | ${base.non2xx} |`);
    log(`| WeCom callback (verify, decrypt, parse, store, ack) | ${Math.round(res.requestsAverage)} | ${res.p50} | ${res.p99} | ${res.non2xx} |`);
    log(`| WeCom callback at a steady ${STEADY_RATE}/s | ${Math.round(steady.requestsAverage)} | ${steady.p50} | ${steady.p99} | ${steady.non2xx} |`);
    log(
      `ratio callback / bare: throughput ${(res.requestsAverage / base.requestsAverage).toFixed(2)}, p99 ${(res.p99 / Math.max(1, base.p99)).toFixed(2)}; target p99 < 50 ms: ${res.p99 < 50 ? 'met' : 'NOT met'} at full load, ${steadyTarget} at a steady ${STEADY_RATE}/s`,
    );
    log(
      `events: ${attempted} deliveries (${attempted - distinct} of them retries) → ${recorded} stored once, ${handled} handled, ${fake.delivered.length} replies sent; lost ${Math.max(0, distinct - handled)}, doubled ${Math.max(0, fake.delivered.length - recorded)}; all handled ${handledSeconds.toFixed(1)} s after the load started`,
    );
    await crm.close();
    await baseline.close();
  } finally {
    await fake.stop();
    await env.close();
  }
}
