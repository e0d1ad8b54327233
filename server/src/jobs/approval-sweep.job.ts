import type { Logger } from 'pino';
import type { Job } from './runner';

export const APPROVAL_SWEEP_JOB = 'approval-sweep';

/**
 * Approval reminders, escalations, expiries, re-routing and effects a stopped process left behind (the body
 * is the approval module's sweep). Under its own lease: one process sweeps at a time. First run one interval
 * after start, as before.
 */
export function approvalSweepJob(deps: { sweep: () => Promise<{ failed: number }>; everyMs: number; leaseMs: number; logger: Logger }): Job {
  return {
    name: APPROVAL_SWEEP_JOB,
    everyMs: deps.everyMs,
    atStart: false,
    // JOB_LEASE_MS (5 min): long enough for a slow sweep; a holder that dies frees it after this
    leaseMs: deps.leaseMs,
    async run() {
      const r = await deps.sweep();
      if (r.failed) deps.logger.warn({ job: APPROVAL_SWEEP_JOB, ...r }, 'approval sweep: some approvals failed, retried next time');
    },
  };
}
