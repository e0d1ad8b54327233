import type { Job } from './runner';

export const RECORD_RECOVERY_JOB = 'pending-record-recovery';

/**
 * Creates whose side effects (contacts, audit entry, customer times, reminder) a stopped process left pending:
 * customers and follow-ups finish them (`recoverPending`), at start and every minute. Records are claimed one by
 * one, so every process may run this.
 */
export function recordRecoveryJob(deps: { recoverers: Array<() => Promise<unknown>>; everyMs?: number }): Job {
  return {
    name: RECORD_RECOVERY_JOB,
    everyMs: deps.everyMs ?? 60_000,
    async run() {
      await Promise.all(deps.recoverers.map((recover) => recover()));
    },
  };
}
