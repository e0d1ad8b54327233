import type { Logger } from 'pino';
import type { Job } from './runner';

export const POOL_RECLAIM_JOB = 'pool-reclaim';

/**
 * Pools (公海): clocks for new customers, warnings to owners, and customers returned by the reclaim rules (the
 * body is the pool module's `run`). Under its own lease: one process at a time; the run itself is idempotent
 * (conditional updates), so a second process that got in after a lost lease reclaims nothing twice.
 */
export function poolReclaimJob(deps: { run: () => Promise<{ reclaimed: number; warned: number; failed: number }>; everyMs: number; logger: Logger }): Job {
  return {
    name: POOL_RECLAIM_JOB,
    everyMs: deps.everyMs,
    atStart: true,
    leaseMs: Math.max(10 * 60_000, 2 * deps.everyMs),
    async run() {
      const r = await deps.run();
      if (r.reclaimed || r.warned) deps.logger.info({ job: POOL_RECLAIM_JOB, ...r }, 'pool reclaim: customers returned / owners warned');
      if (r.failed) deps.logger.warn({ job: POOL_RECLAIM_JOB, ...r }, 'pool reclaim: some customers failed, retried next time');
    },
  };
}
