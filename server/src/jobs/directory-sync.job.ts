import type { Job } from './runner';

export const DIRECTORY_SYNC_JOB = 'directory-sync';

/**
 * The scheduled directory sync (`DirectoryService.syncOnce`: departments and people from WeCom / DingTalk,
 * leavers deactivated), every DIRECTORY_SYNC_EVERY_MINUTES and at start. The sync takes its own lease
 * (`directory-sync` in `job_leases`, renewed at each checkpoint): another process syncing now means nothing to do,
 * and a run a stopped process left is resumed from its checkpoint.
 */
export function directorySyncJob(deps: { sync: () => Promise<unknown>; everyMs: number }): Job {
  return {
    name: DIRECTORY_SYNC_JOB,
    everyMs: deps.everyMs,
    async run() {
      await deps.sync();
    },
  };
}
