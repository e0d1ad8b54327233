/**
 * `npm run bench -- reports [--sizes 10000,1000000] [--people 200] [--follow-ups 2] [--java-heap-mb 8192]`: seeds N opportunities with
 * follow-ups (the report module's generator: 24 months, 200 reps in 20 departments, log-uniform amounts, stage
 * moves with losses and wins, 0–2 follow-ups per deal by default, contracts for most wins), builds the roll-ups with the rebuild, and times
 * funnel, ranking and adoption for this month and this quarter as the director (scope all), through the service
 * (no HTTP). Targets: p95(1M) ≤ 2 × p95(10k) and p95 < 300 ms at 1M on the stand-in.
 *
 * `--keep`: each size in a database of its own, none dropped until the end: with `--sizes 1000000,10000` the small
 * size is measured while the stand-in still holds the million (its JVM heap and garbage collector then weigh on
 * both sizes alike), which tells the stand-in's cost of holding many records from the reports' own cost.
 */
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import pino from 'pino';
import { loadConfig } from '@crm/config';
import { ensureIndexes } from '@crm/api';
import { buildSystem } from '@crm/server';
import type { Actor } from '../api/src/context';
import { generateReportData, type SeedPerson } from '../api/src/modules/report/report.seed';
import { seedOrg } from '../api/src/seed/org.seed';
import { resolveDatabase, resolveOptionsFrom } from '../server/src/dev-db';
import { measure } from './bench-db';

const NOW = new Date('2026-11-20T04:00:00.000Z');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

export async function run(log: (line: string) => void): Promise<void> {
  const sizes = (arg('sizes') ?? '10000,1000000').split(',').map(Number);
  const keep = process.argv.includes('--keep');
  const kept: mongoose.Connection[] = [];
  const peopleCount = Number(arg('people') ?? 200);
  const env = process.env; // eslint-disable-line no-restricted-properties -- bench entry: hands env to config
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PATH: env.PATH });
  const db = await resolveDatabase(
    resolveOptionsFrom(config, () => undefined, {
      mongodbUri: env.BENCH_MONGODB_URI || undefined,
      persistent: false,
      dataDir: path.join(os.tmpdir(), `crm-bench-${process.pid}`),
      dbName: 'bench-reports',
      // the in-memory stand-in holds every document on its heap: 1M deals with their customers, follow-ups and
      // contracts (~3.6M documents) fill 8 GB; `--java-heap-mb 14000` fits them
      javaHeapMb: Number(arg('java-heap-mb') ?? 8192),
    }),
  );
  log(`database: ${db.description}${db.kind === 'mongo-java-server' ? ' (stand-in figures, not MongoDB)' : ''}`);
  const rows: Array<{ size: number; rebuildMs: number; figures: Record<string, { p50: number; p95: number }> }> = [];
  try {
    for (const size of sizes) {
      // patient timeouts: the stand-in pauses for garbage collection while it holds millions of documents
      const conn = mongoose.createConnection(db.uri, {
        ...(keep ? { dbName: `bench-reports-${size}` } : {}),
        autoIndex: false,
        serverSelectionTimeoutMS: 120_000,
        connectTimeoutMS: 120_000,
        socketTimeoutMS: 0,
        heartbeatFrequencyMS: 60_000,
      });
      await conn.asPromise();
      await conn.dropDatabase();
      const system = buildSystem(config, { connection: conn, databaseKind: db.kind, logger: pino({ level: 'silent' }), now: () => NOW });
      const s = system.services;
      await ensureIndexes(conn);
      const org = await seedOrg(s);
      const people: SeedPerson[] = [];
      const departments: Types.ObjectId[] = [];
      for (let d = 0; d < Math.max(1, Math.round(peopleCount / 10)); d++)
        departments.push(await s.org.ensureDepartment({ parentId: org.departments.get('sales')!, name: `销售${d + 1}部`, order: d, externalIds: {} }));
      for (let i = 0; i < peopleCount; i++) {
        const departmentId = departments[i % departments.length]!;
        const userId = await s.org.ensureUser(`bench-rep-${i}`, {
          name: `销售${i}`,
          title: '销售代表',
          identities: { wecom: `bench-rep-${i}`, dingtalk: `bench-rep-${i}` },
          departmentIds: [departmentId],
          roles: ['rep'],
          dataScope: 'own',
          status: 'active',
        });
        people.push({ userId, departmentId, leaderId: null });
      }
      let t0 = Date.now();
      const counts: Record<string, number> = {};
      for (const batch of generateReportData({
        deals: size,
        people,
        stages: config.crm.stages,
        now: NOW,
        spanDays: 730,
        batchSize: 2000,
        seed: 11,
        maxFollowUps: Number(arg('follow-ups') ?? 2),
      })) {
        for (const [name, docs] of Object.entries(batch)) {
          if (!docs.length) continue;
          await conn.collection(name).insertMany(docs, { ordered: false });
          counts[name] = (counts[name] ?? 0) + docs.length;
        }
      }
      log(
        `${size.toLocaleString('en')} deals: seeded ${Object.entries(counts)
          .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
          .join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      t0 = Date.now();
      const built = await s.reports.rollups.rebuild();
      const rebuildMs = Date.now() - t0;
      log(`  rebuild: ${(rebuildMs / 1000).toFixed(1)} s (${built.documents.toLocaleString('en')} roll-up documents)`);
      const admin = (await s.org.findUserById(org.users.get('demo-admin')!))!;
      const director: Actor = { user: admin, viewer: await s.org.resolveViewer(admin) };
      const base = { departmentId: undefined, ownerId: undefined } as const;
      const figures: Record<string, { p50: number; p95: number }> = {};
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['funnel month', () => s.reports.funnel(director, { ...base, period: 'month', by: 'created' })],
        ['funnel quarter', () => s.reports.funnel(director, { ...base, period: 'quarter', by: 'created' })],
        ['ranking month', () => s.reports.ranking(director, { ...base, period: 'month', dimension: 'rep' })],
        ['ranking quarter', () => s.reports.ranking(director, { ...base, period: 'quarter', dimension: 'rep' })],
        ['adoption month', () => s.reports.adoption(director, { ...base, period: 'month' })],
      ];
      for (const [name, fn] of cases) {
        figures[name] = await measure(60, 5, fn);
        log(`  ${name.padEnd(16)} p50 ${figures[name]!.p50.toFixed(1)} ms  p95 ${figures[name]!.p95.toFixed(1)} ms`);
      }
      rows.push({ size, rebuildMs, figures });
      if (keep) kept.push(conn);
      else {
        await conn.dropDatabase();
        await conn.close();
      }
    }
  } finally {
    for (const conn of kept) await conn.dropDatabase().then(() => conn.close());
    await db.stop();
  }
  if (rows.length >= 2) {
    const bySize = [...rows].sort((a, b) => a.size - b.size);
    const [small, big] = [bySize[0]!, bySize.at(-1)!];
    log(
      `\np95 ratio ${big.size.toLocaleString('en')} / ${small.size.toLocaleString('en')} (target ≤ 2) and p95 at ${big.size.toLocaleString('en')} (target < 300 ms):`,
    );
    for (const name of Object.keys(big.figures)) {
      const ratio = big.figures[name]!.p95 / small.figures[name]!.p95;
      log(
        `  ${name.padEnd(16)} ×${ratio.toFixed(2)} ${ratio <= 2 ? 'ok' : 'OVER'}   ${big.figures[name]!.p95.toFixed(1)} ms ${big.figures[name]!.p95 < 300 ? 'ok' : 'OVER'}`,
      );
    }
    log(`  rebuild of ${big.size.toLocaleString('en')}: ${(big.rebuildMs / 1000).toFixed(1)} s`);
  }
}
