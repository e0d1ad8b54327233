import type { Migration } from './types';

/** Contracts got an end date (合同到期日, issue #18's "M days after its contract ends" rule): older ones get `endsAt: null`. */
export const contractEndsAt: Migration = {
  version: 20,
  name: 'contract-ends-at',
  async up({ services }) {
    return { contracts: await services.contracts.backfillEndsAt() };
  },
};
