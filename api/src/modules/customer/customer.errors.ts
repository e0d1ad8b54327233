/** Customer-domain error codes; the bot maps the same codes to friendly replies. */
export const CustomerErrorCode = {
  DUPLICATE_SUSPECTED: 'DUPLICATE_SUSPECTED',
  NOT_IN_POOL: 'NOT_IN_POOL',
  IN_POOL: 'IN_POOL',
  CLAIM_LIMIT: 'CLAIM_LIMIT',
  READ_ONLY: 'READ_ONLY',
} as const;
