/** Pool (公海) error codes (error-catalog.ts documents them). */
export const PoolErrorCode = {
  CLAIM_LIMIT: 'CLAIM_LIMIT',
  POOL_MAX_OWNED: 'POOL_MAX_OWNED',
  POOL_COOLDOWN: 'POOL_COOLDOWN',
  UNKNOWN_POOL: 'UNKNOWN_POOL',
} as const;
