import type { Job } from './runner';

export const IMPORT_JOB = 'import';

/**
 * Imports' real runs and rollbacks (the body is `ImportService.work`): each run takes one import under that
 * import's own lease (no job lease: several workers may work on different imports) and works for a slice of
 * a few seconds, so a shutdown never waits long; while there is more, the next slice follows at once. A worker
 * that dies leaves its import's lease to run out; another takes it over from the last checkpoint.
 */
export function importJob(deps: { work: () => Promise<boolean>; everyMs?: number }): Job {
  return {
    name: IMPORT_JOB,
    everyMs: deps.everyMs ?? 1000,
    atStart: true,
    async run() {
      return (await deps.work()) ? 0 : undefined;
    },
  };
}
