import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '@crm/config';
import type { Connection } from 'mongoose';
import { buildServices, connectMongo, ensureIndexes, type Services } from '@crm/api';
import type { Bot } from '@crm/bot';
import { buildSystem } from '@crm/server';
import { resolveDatabase, resolveOptionsFrom, type ResolvedDatabase } from '../server/src/dev-db';
import pino from 'pino';
import { seedOrg } from '../api/src/seed/org.seed';
import { FakeWeComServer } from '../tests/fakes/fake-wecom-server';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../tests/helpers/wecom-packets';

export interface BenchEnv {
  db: ResolvedDatabase;
  conn: Connection;
  config: Config;
  services: Services;
  close(): Promise<void>;
}

/** A fresh database for one benchmark: BENCH_MONGODB_URI if given, else the embedded chain (in memory). */
export async function openBenchDatabase(name: string, log: (msg: string) => void): Promise<BenchEnv> {
  const env = process.env; // eslint-disable-line no-restricted-properties -- bench entry: hands env to config
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PATH: env.PATH });
  const db = await resolveDatabase(
    resolveOptionsFrom(config, log, {
      mongodbUri: env.BENCH_MONGODB_URI || undefined,
      persistent: false,
      dataDir: path.join(os.tmpdir(), `crm-bench-${process.pid}`),
      dbName: name,
      // the in-memory stand-in keeps every document on its heap: BENCH_JAVA_HEAP_MB=12000 for a million rows
      javaHeapMb: Number(env.BENCH_JAVA_HEAP_MB || 4096),
    }),
  );
  // the stand-in runs one command at a time: a long bulk write holds the driver's heartbeat too, and with the
  // product's tight timeouts (made for a real MongoDB) the driver gives the server up mid-import; be patient with it
  const conn = await connectMongo(db.uri, db.kind === 'mongo-java-server' ? { requestTimeoutMs: 120_000, operationTimeoutMs: 600_000 } : {});
  await conn.dropDatabase();
  const services = buildServices(conn, config);
  await ensureIndexes(conn);
  return {
    db,
    conn,
    config,
    services,
    async close() {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
      await db.stop();
    },
  };
}

export function percentile(sortedMs: number[], p: number): number {
  if (!sortedMs.length) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

/** Runs `fn` warmup + n times and returns p50 / p95 in milliseconds. */
export async function measure(n: number, warmup: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

export interface WeComBench {
  env: BenchEnv;
  fake: FakeWeComServer;
  config: Config;
  bot: Bot;
  close(): Promise<void>;
}

/**
 * A bench database with the demo org, a fake WeCom server and the bot on top. WeCom's per-member limits
 * are lifted on both sides: these benchmarks measure our path, not WeCom's send limits.
 */
export async function openWeComBench(name: string, log: (msg: string) => void): Promise<WeComBench> {
  const env = await openBenchDatabase(name, log);
  const fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  fake.memberLimits = { perMinute: Number.MAX_SAFE_INTEGER, perHour: Number.MAX_SAFE_INTEGER };
  log(`database: ${env.db.description}`);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...WECOM_TEST_ENV(fake.baseUrl) });
  // the graph npm start runs, on this configuration (the approvals' events reach the bot's cards)
  const system = buildSystem(config, {
    connection: env.conn,
    databaseKind: env.db.kind,
    logger: pino({ level: 'silent' }),
    bot: { wecomBudget: [{ limit: 1e9, ms: 1000 }] },
  });
  env.services = system.services;
  await seedOrg(env.services);
  const bot = system.bot;
  return {
    env,
    fake,
    config,
    bot,
    async close() {
      await fake.stop();
      await env.close();
    },
  };
}
