import type { Job } from './runner';

export const REMINDER_POLICIES_JOB = 'reminder-policies';

/**
 * The stalled-deal and cold-customer policies (`ReminderScheduler.policiesOnce`), at start and every few
 * minutes. The lease is the policies' own (`reminder-policies` in `job_leases`, taken inside policiesOnce):
 * another process running them now means nothing to do.
 */
export function reminderPoliciesJob(deps: { policiesOnce: () => Promise<unknown>; everyMs: number }): Job {
  return {
    name: REMINDER_POLICIES_JOB,
    everyMs: deps.everyMs,
    async run() {
      await deps.policiesOnce();
    },
  };
}
