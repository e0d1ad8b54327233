import type { Job } from './runner';

export const WEBHOOK_SEND_JOB = 'webhook-send';

/**
 * Outbound webhooks, step 2: delivers what is due (`WebhookService.send`: signed POSTs, backoff for 24 h, then
 * failed; a record's events in order). Under its lease, and every delivery is claimed with a conditional update,
 * so a sender that dies mid-way leaves its delivery to the next one after the delivery's own lease.
 */
export function webhookSendJob(deps: { send: () => Promise<number>; everyMs?: number }): Job {
  const everyMs = deps.everyMs ?? 5_000;
  return {
    name: WEBHOOK_SEND_JOB,
    everyMs,
    leaseMs: 5 * 60_000,
    async run() {
      await deps.send();
    },
  };
}
