/**
 * Versioned data migrations (`NNN-name.ts`, listed in MIGRATIONS in version order). Run by `worker`/`all` at start
 * and by `npm run migrate`, never by `web`. Each applied one is recorded in `migrations` ({ _id: 'NNN-name' });
 * a run holds the `migrations` lease in `job_leases`, so two processes starting together never run one twice:
 * the second waits for the lease, then finds them recorded.
 */
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { JobLeasePort } from '@crm/api';
import { customerIdentityClaims } from './001-customer-identity-claims';
import { poolClocks } from './018-pool-clocks';
import { reportMonthRollups } from './019-report-month-rollups';
import { contractEndsAt } from './020-contract-ends-at';
import type { Migration, MigrationContext } from './types';

export type { Migration, MigrationContext } from './types';

export const MIGRATIONS: readonly Migration[] = [customerIdentityClaims, poolClocks, reportMonthRollups, contractEndsAt];

export const MIGRATIONS_COLLECTION = 'migrations';
export const MIGRATIONS_LEASE = 'migrations';

export const migrationId = (m: Migration) => `${String(m.version).padStart(3, '0')}-${m.name}`;

interface MigrationRecord {
  _id: string;
  version: number;
  appliedAt: Date;
  tookMs: number;
  result: unknown;
}

export interface MigrateOptions {
  connection: Connection;
  leases: JobLeasePort;
  holder: string;
  context: MigrationContext;
  logger: Logger;
  migrations?: readonly Migration[];
  /** How long the lease lasts (renewed before each migration). Default 10 min. */
  leaseMs?: number;
  /** How long to wait for another process's run. Default 5 min. */
  waitMs?: number;
  now?: () => Date;
}

/** Runs the pending migrations under the lease; answers the ids it applied (none when another process did). */
export async function runMigrations(o: MigrateOptions): Promise<string[]> {
  const list = [...(o.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const versions = new Set(list.map((m) => m.version));
  if (versions.size !== list.length) throw new Error('two migrations share a version');
  // eslint-disable-next-line no-restricted-syntax -- `migrations` belongs to this module
  const records = o.connection.collection<MigrationRecord>(MIGRATIONS_COLLECTION);
  const now = o.now ?? (() => new Date());
  const leaseMs = o.leaseMs ?? 10 * 60_000;
  const until = Date.now() + (o.waitMs ?? 5 * 60_000);
  const pending = async () => {
    const done = new Set((await records.find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    return list.filter((m) => !done.has(migrationId(m)));
  };
  if ((await pending()).length === 0) return [];
  while (!(await o.leases.acquire(MIGRATIONS_LEASE, o.holder, leaseMs, now()))) {
    if (Date.now() > until) throw new Error('migrations: another process holds the lease too long');
    await new Promise((r) => setTimeout(r, 500));
  }
  const applied: string[] = [];
  try {
    for (const m of await pending()) {
      const id = migrationId(m);
      await o.leases.acquire(MIGRATIONS_LEASE, o.holder, leaseMs, now()); // renew
      const started = Date.now();
      const result = await m.up(o.context);
      const tookMs = Date.now() - started;
      // the lease keeps others out; the _id keeps even a stale holder from recording twice
      await records.updateOne({ _id: id }, { $setOnInsert: { version: m.version, appliedAt: now(), tookMs, result } }, { upsert: true });
      o.logger.info({ migration: id, tookMs, result }, `migration ${id} applied`);
      applied.push(id);
    }
  } finally {
    await o.leases.release(MIGRATIONS_LEASE, o.holder);
  }
  return applied;
}
