import type { Migration } from './types';

/**
 * Customers written before identity claims existed get theirs (oldest customer wins). Was run at every start;
 * now once, by the first worker (or `npm run migrate`). The service's backfill is idempotent.
 */
export const customerIdentityClaims: Migration = {
  version: 1,
  name: 'customer-identity-claims',
  async up({ services }) {
    return services.customers.backfillIdentityClaims();
  },
};
