import type { Job } from './runner';

export const REPORT_PUSH_JOB = 'report-push';

/**
 * The reports pushed to managers in chat (the bot's ReportPush): the weekly card from Monday 09:00 and the team
 * alerts on working days, caught up by any run later that day. Under its own lease (one process computes at a
 * time); each push is also claimed per manager and week / day, so it goes out once whatever runs it.
 */
export function reportPushJob(deps: { runDue: () => Promise<unknown>; everyMs?: number; leaseMs: number }): Job {
  return {
    name: REPORT_PUSH_JOB,
    everyMs: deps.everyMs ?? 5 * 60_000,
    leaseMs: deps.leaseMs,
    async run() {
      await deps.runDue();
    },
  };
}
