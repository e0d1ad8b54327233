import type { Job } from './runner';

export const WEBHOOK_DISPATCH_JOB = 'webhook-dispatch';

/**
 * Outbound webhooks, step 1: tails the audit log after its cursor and writes a delivery per subscribed endpoint
 * (`WebhookService.dispatch`; unique per audit entry, endpoint and type). Under its lease: one process at a time
 * (another one would only find the same entries and write nothing).
 */
export function webhookDispatchJob(deps: { dispatch: () => Promise<number>; everyMs?: number }): Job {
  const everyMs = deps.everyMs ?? 5_000;
  return {
    name: WEBHOOK_DISPATCH_JOB,
    everyMs,
    leaseMs: 5 * 60_000,
    async run() {
      await deps.dispatch();
    },
  };
}
