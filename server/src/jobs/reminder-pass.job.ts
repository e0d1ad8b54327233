import type { Job } from './runner';

export const REMINDER_PASS_JOB = 'reminder-pass';

/**
 * The reminders' delivery pass (`ReminderScheduler.pass`): today's morning digest if it is due and no process
 * has run it yet (under the digest's own lease, recorded done for the day), then everything due, claimed
 * reminder by reminder with a lease (so no job lease here: several processes share the work). Digest first,
 * so a digest enqueued is delivered in the same pass. The pass never throws; while the database is
 * unavailable it answers a longer wait (its back-off), which the runner honours.
 */
export function reminderPassJob(deps: { pass: () => Promise<number>; everyMs: number }): Job {
  return { name: REMINDER_PASS_JOB, everyMs: deps.everyMs, run: () => deps.pass() };
}
