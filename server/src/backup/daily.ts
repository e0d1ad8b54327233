import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type mongoose from 'mongoose';
import type { Config } from '@crm/config';
import type { JobLeasePort } from '@crm/api';
import { runOnceADay } from '../jobs/once-a-day';
import { backupDatabase, type BackupResult } from './archive';

/** `crm-backup-20261130T193000Z.ejson.gz`: UTC, so names sort by time and never repeat across a DST change. */
export const ARCHIVE_NAME = /^crm-backup-\d{8}T\d{6}Z\.ejson\.gz$/;

export function archiveFileName(at: Date): string {
  return `crm-backup-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}.ejson.gz`;
}

/** `--out`: a folder (existing, or written with a trailing slash) gets a dated file name; anything else is the file. */
export async function resolveArchivePath(out: string | undefined, defaultDir: string, now: Date): Promise<string> {
  const target = out ?? defaultDir;
  const isDir = out === undefined || /[\\/]$/.test(target) || (await stat(target).catch(() => null))?.isDirectory() === true;
  const file = isDir ? path.join(target, archiveFileName(now)) : target;
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  return path.resolve(file);
}

/** Keeps the newest `keep` archives of the folder (only files named like ours), deletes the rest; answers what it deleted. */
export async function pruneArchives(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => ARCHIVE_NAME.test(n)).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const n of old) await rm(path.join(dir, n), { force: true });
  return old;
}

export { dueDay } from '../jobs/once-a-day';

export const BACKUP_LEASE = 'backup';

/**
 * The scheduled daily backup (BACKUP_DAILY_AT, BACKUP_KEEP): once a day after its time, by one process (the
 * `backup` lease in `job_leases`, renewed while it writes; the day recorded done there), into BACKUP_DIR,
 * then the oldest archives beyond BACKUP_KEEP are deleted. A process that dies mid-way leaves a `.partial`
 * file (never taken for an archive) and the day not done: the next run, here or on another worker, starts over.
 */
export class DailyBackup {
  constructor(
    private readonly deps: {
      db: () => mongoose.mongo.Db;
      leases: JobLeasePort;
      holder: string;
      settings: Config['backup'];
      businessTz: string;
      now: () => Date;
      logger: Logger;
    },
  ) {}

  /** One check: answers the backup made, or null when none was due (or another process has it). */
  async runDue(): Promise<BackupResult | null> {
    const { settings, leases, holder, now, logger } = this.deps;
    return runOnceADay(
      { lease: BACKUP_LEASE, dailyAt: settings.dailyAt, businessTz: this.deps.businessTz, leases, holder, leaseMs: settings.leaseMs, now },
      async (renew) => {
        const file = await resolveArchivePath(settings.dir + path.sep, settings.dir, now());
        const result = await backupDatabase(this.deps.db(), file, { now, onProgress: renew });
        const pruned = await pruneArchives(settings.dir, settings.keep);
        logger.info(
          { job: BACKUP_LEASE, file, documents: result.documents, bytes: result.bytes, consistency: result.consistency.mode, pruned },
          'daily backup written',
        );
        return result;
      },
    );
  }
}
