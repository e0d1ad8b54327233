/**
 * Issue #18: the reclaim pass over a large customer base (`npm run bench -- pool [--size N] [--due P]`).
 * N owned customers (default 1,000,000) with their reclaim clocks as migration 018 writes them; P percent
 * (default 0.1 %) are past their "15 days without a follow-up" limit, a further P percent inside the 3-day
 * warning window, the rest contacted yesterday. One `PoolService.run` then warns and returns what is due.
 * Reported: load time, the due-candidate query (the index on `reclaimAt` on MongoDB; the stand-in uses no
 * secondary index and scans), the pass's time, customers returned per second and customers covered per second,
 * and a check that exactly the due customers went back, each once.
 */
import { Types } from 'mongoose';
import { buildServices, connectMongo, ensureIndexes } from '@crm/api';
import { seedOrg } from '../api/src/seed/org.seed';
import { openBenchDatabase } from './bench-db';

const DAY = 86_400_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

/** An unordered insert, repeated after a dropped connection (the stand-in pauses under a million documents); duplicates are what got in before. */
async function insertRetrying(collection: { insertMany(docs: object[], opts: { ordered: boolean }): Promise<unknown> }, docs: object[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await collection.insertMany(docs, { ordered: false });
      return;
    } catch (err) {
      const e = err as { code?: number; writeErrors?: Array<{ code?: number }> };
      if (e.writeErrors?.length && e.writeErrors.every((w) => w.code === 11000)) return;
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 2000 * (attempt + 1)));
    }
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  const size = arg('size', 1_000_000);
  const duePercent = arg('due', 0.1);
  const env = await openBenchDatabase('crm_bench_pool', log);
  try {
    const { db } = env;
    // patient timeouts: the stand-in stops answering for seconds while it collects a heap of a million documents
    const conn = await connectMongo(db.uri, { requestTimeoutMs: 120_000, operationTimeoutMs: 900_000 });
    const services = buildServices(conn, env.config);
    await ensureIndexes(conn);
    const standIn = db.kind === 'mongo-java-server';
    log(`database: ${db.description}${standIn ? ' (stand-in figures: no secondary index is used, every query scans)' : ''}`);
    const org = await seedOrg(services);
    const owners = ['demo-rep1', 'demo-rep2', 'demo-manager'].map((l) => org.users.get(l)!);
    const department = org.departments.get('east')!;
    const now = new Date();
    const dueEvery = Math.max(1, Math.round(100 / duePercent));
    const created = new Date(now.getTime() - 40 * DAY);

    // customers and their clocks, in batches (as the import and migration 018 would leave them)
    const t0 = Date.now();
    const BATCH = 5000;
    let due = 0;
    let warned = 0;
    let lastId: Types.ObjectId | null = null;
    for (let start = 0; start < size; start += BATCH) {
      const customers = [];
      const clocks = [];
      for (let i = start; i < Math.min(size, start + BATCH); i++) {
        const _id = new Types.ObjectId();
        lastId = _id;
        const ownerId = owners[i % owners.length]!;
        const kind = i % dueEvery === 0 ? 'due' : i % dueEvery === 1 ? 'warn' : 'fresh';
        const lastFollowUpAt = kind === 'due' ? null : kind === 'warn' ? new Date(now.getTime() - 13 * DAY) : new Date(now.getTime() - DAY);
        if (kind === 'due') due++;
        if (kind === 'warn') warned++;
        customers.push({
          _id,
          name: `客户${i}`,
          source: '官网',
          tier: 'C',
          tags: [],
          status: 'owned',
          poolId: null,
          ownerId,
          departmentId: department,
          sharedWith: [],
          protectionEndsAt: null,
          lastFollowUpAt,
          nextFollowUpAt: null,
          searchKeys: [],
          dedupe: { mobiles: [], emails: [], personNames: [] },
          createdBy: ownerId,
          createdAt: created,
          updatedAt: created,
        });
        const since = lastFollowUpAt ?? created;
        const reclaimAt = new Date(since.getTime() + 15 * DAY);
        clocks.push({
          _id,
          state: 'owned',
          ownerId,
          poolId: 'company',
          tier: 'C',
          since: created,
          lastFollowUpAt,
          lastOpportunityAt: null,
          contractEndsAt: null,
          reclaimAt,
          reason: '15 天未跟进',
          warnAt: new Date(reclaimAt.getTime() - 3 * DAY),
          warnedFor: null,
          locked: false,
          extendedUntil: null,
          previousOwnerId: null,
          returnedAt: null,
          returnReason: null,
          updatedAt: created,
        });
      }
      await insertRetrying(conn.collection('customers'), customers);
      await insertRetrying(conn.collection('pool_clocks'), clocks);
      if ((start + BATCH) % 100_000 === 0) log(`  … ${(start + BATCH).toLocaleString()} loaded (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    // the backfill checkpoint stands after the last customer (migration 018 leaves it there)
    await conn.collection('pool_state').insertOne({ _id: 'backfill' as never, afterId: lastId });
    log(
      `loaded ${size.toLocaleString()} customers + clocks in ${((Date.now() - t0) / 1000).toFixed(1)} s; due ${due.toLocaleString()}, in the warning window ${warned.toLocaleString()}`,
    );

    const q0 = Date.now();
    const candidates = await conn
      .collection('pool_clocks')
      .find({ reclaimAt: { $lte: now } })
      .sort({ reclaimAt: 1 })
      .limit(500)
      .toArray();
    log(`due-candidate query (first batch of ${candidates.length}): ${Date.now() - q0} ms`);
    try {
      const plan = (await conn
        .collection('pool_clocks')
        .find({ reclaimAt: { $lte: now } })
        .sort({ reclaimAt: 1 })
        .limit(500)
        .explain()) as {
        queryPlanner?: { winningPlan?: unknown };
      };
      log(`plan: ${JSON.stringify(plan.queryPlanner?.winningPlan ?? plan).slice(0, 200)}`);
    } catch {
      log('plan: explain not supported by this server');
    }

    const p0 = Date.now();
    const r = await services.pools.run(now);
    const ms = Date.now() - p0;
    log(
      `reclaim pass: ${r.reclaimed.toLocaleString()} returned, ${r.warned.toLocaleString()} warned, ${r.rescheduled} rescheduled, ${r.failed} failed in ${(ms / 1000).toFixed(1)} s` +
        ` → ${Math.round((r.reclaimed / ms) * 1000).toLocaleString()} customers returned/s, ${Math.round((size / ms) * 1000).toLocaleString()} customers covered/s`,
    );
    const inPool = await conn.collection('customers').countDocuments({ status: 'pool' });
    const audits = await conn.collection('audit_log').countDocuments({ action: 'customer.reclaim' });
    log(
      `check: ${inPool === due && audits === due && r.reclaimed === due ? 'ok' : 'MISMATCH'} (in pool ${inPool}, reclaim audit entries ${audits}, due ${due})`,
    );
    const again = await services.pools.run(now);
    log(`second pass (nothing due): ${again.reclaimed} returned, ${again.warned} warned`);
    await conn.close();
  } finally {
    await env.close();
  }
}
