import type { Job } from './runner';

export const REPORT_REBUILD_JOB = 'report-rebuild';

/**
 * The report roll-ups' nightly rebuild (REPORTS_REBUILD_AT, 02:30 business time): every 5 minutes, a check whether
 * today's rebuild is due and not done; the body (runOnceADay around ReportRollups.rebuild) takes the
 * `report-rebuild` lease itself and renews it between the collections it reads, so one worker rebuilds once a night.
 * It heals what a listener missed (a crash between a write and its listener, records written around the services).
 */
export function reportRebuildJob(deps: { runDue: () => Promise<unknown>; everyMs?: number }): Job {
  return {
    name: REPORT_REBUILD_JOB,
    everyMs: deps.everyMs ?? 5 * 60_000,
    atStart: false,
    async run() {
      await deps.runDue();
    },
  };
}
