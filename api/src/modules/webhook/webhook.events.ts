import type { StageDefinition } from '@crm/shared';

/** Every event type an endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.owner_changed',
  'customer.released',
  'customer.claimed',
  'follow_up.created',
  'opportunity.stage_changed',
  'opportunity.won',
  'opportunity.lost',
  'contract.created',
  'contract.signed',
  'approval.submitted',
  'approval.decided',
  'approval.withdrawn',
  'import.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Audit action → event types (an opportunity's stage move to a won / lost stage is also `won` / `lost`). */
const BY_ACTION: Record<string, WebhookEventType[]> = {
  'customer.create': ['customer.created'],
  'customer.create.forced': ['customer.created'],
  'customer.update': ['customer.updated'],
  'customer.transfer': ['customer.owner_changed'],
  'customer.release': ['customer.released'],
  'customer.claim': ['customer.claimed'],
  'follow-up.create': ['follow_up.created'],
  'opportunity.stage': ['opportunity.stage_changed'],
  'contract.create': ['contract.created'],
  'contract.signed': ['contract.signed'],
  'approval.submit': ['approval.submitted'],
  'approval.approve': ['approval.decided'],
  'approval.reject': ['approval.decided'],
  'approval.withdraw': ['approval.withdrawn'],
  'import.finished': ['import.finished'],
};

/** The audit actions the dispatcher reads. */
export const WEBHOOK_ACTIONS = Object.keys(BY_ACTION);

export function eventTypesOf(
  entry: { action: string; changes?: Record<string, { before: unknown; after: unknown }> },
  stages: readonly StageDefinition[],
): WebhookEventType[] {
  const base = BY_ACTION[entry.action] ?? [];
  if (entry.action !== 'opportunity.stage') return base;
  const to = stages.find((s) => s.key === entry.changes?.stage?.after);
  if (to?.outcome === 'won') return [...base, 'opportunity.won'];
  if (to?.outcome === 'lost') return [...base, 'opportunity.lost'];
  return base;
}
