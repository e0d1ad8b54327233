import type { StageDefinition } from '@crm/shared';

/**
 * Opportunity stages, in order. Edit freely: keys are stored on deals, names are shown to people.
 * Exactly one stage must be `won` and one `lost`.
 */
export const DEFAULT_STAGES: StageDefinition[] = [
  { key: 'initial', name: '初步接洽', probability: 10, slaDays: 14, outcome: 'open' },
  { key: 'needs', name: '需求确认', probability: 30, slaDays: 7, outcome: 'open' },
  { key: 'proposal', name: '方案报价', probability: 50, slaDays: 5, outcome: 'open' },
  { key: 'negotiation', name: '商务谈判', probability: 70, slaDays: 10, outcome: 'open' },
  { key: 'won', name: '赢单', probability: 100, slaDays: null, outcome: 'won' },
  { key: 'lost', name: '输单', probability: 0, slaDays: null, outcome: 'lost' },
];

/** Days a claimed or newly created customer is protected from being taken by another rep. */
export const DEFAULT_PROTECTION_DAYS = 30;
