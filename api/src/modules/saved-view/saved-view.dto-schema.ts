import { z } from 'zod';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES, CUSTOMER_TIERS, idString, isoTime, objectId } from '@crm/shared';

export const SAVED_VIEW_PAGES = ['customers'] as const;

/** The filters a customers view may keep: the same names and values as GET /customers. */
export const customerViewFilters = z.strictObject({
  q: z.string().trim().max(64).optional(),
  owner: z.union([objectId, z.literal('me')]).optional(),
  tier: z.enum(CUSTOMER_TIERS).optional(),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  source: z.enum(CUSTOMER_SOURCES).optional(),
});

export const listSavedViewsQuery = z.strictObject({ page: z.enum(SAVED_VIEW_PAGES).default('customers') });

export const saveViewBody = z.strictObject({
  page: z.enum(SAVED_VIEW_PAGES).default('customers'),
  name: z.string().trim().min(1).max(40),
  filters: customerViewFilters,
});
export type SaveViewInput = z.infer<typeof saveViewBody>;

export const savedViewDtoSchema = z.strictObject({
  id: idString,
  page: z.enum(SAVED_VIEW_PAGES),
  name: z.string(),
  filters: customerViewFilters.describe('与 GET /customers 相同的筛选参数'),
  createdAt: isoTime,
  updatedAt: isoTime,
});
