import type { Job } from './runner';

export const ASSIGNMENT_RETURN_JOB = 'assignment-return';

/** Assigned leads nobody accepted within `acceptWithinHours` go to their group's pool (each claimed conditionally). */
export function assignmentReturnJob(deps: { sweep: () => Promise<{ returned: number }>; everyMs?: number }): Job {
  return {
    name: ASSIGNMENT_RETURN_JOB,
    everyMs: deps.everyMs ?? 5 * 60_000,
    atStart: true,
    leaseMs: 10 * 60_000,
    async run() {
      await deps.sweep();
    },
  };
}
