import type { Job } from './runner';

export const HANDOVER_JOB = 'handover';

/**
 * Advances hand-overs (离职继承 / 在职继承) that are due: moves CRM customers, sends WeCom's transfers, polls
 * transfer_result, reconciles refusals (`HandoverService.runDue`). Each hand-over carries its own lease (taken with
 * a conditional update, renewed at every step), so any number of workers may run this; one that stops mid-way
 * leaves a hand-over the next run resumes once its lease ran out. At start, then every `everyMs`.
 */
export function handoverJob(deps: { runDue: () => Promise<number>; everyMs: number }): Job {
  return {
    name: HANDOVER_JOB,
    everyMs: deps.everyMs,
    async run() {
      await deps.runDue();
    },
  };
}
