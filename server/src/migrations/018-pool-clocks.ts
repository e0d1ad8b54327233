import type { Migration } from './types';

/**
 * Pools (issue #18): every owned customer gets its reclaim clock (`pool_clocks`, the due date the reclaim job
 * finds by index), counted from its creation and last follow-up; unowned customers without a pool go to the
 * default pool when first claimed or browsed (the default pool lists them). Idempotent: existing clocks stay.
 */
export const poolClocks: Migration = {
  version: 18,
  name: 'pool-clocks',
  async up({ services }) {
    return { clocks: await services.pools.backfillClocks({ all: true }) };
  },
};
