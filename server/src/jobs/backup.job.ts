import type { Job } from './runner';

export const BACKUP_JOB = 'backup';

/**
 * The scheduled daily backup (BACKUP_DAILY_AT; off by default): every 5 minutes, a check whether today's
 * backup is due and not done; the body (server/src/backup DailyBackup) takes the `backup` lease itself and
 * renews it while it writes, so one worker backs up once a day however many run.
 */
export function backupJob(deps: { runDue: () => Promise<unknown>; everyMs?: number }): Job {
  return {
    name: BACKUP_JOB,
    everyMs: deps.everyMs ?? 5 * 60_000,
    atStart: true,
    async run() {
      await deps.runDue();
    },
  };
}
