import { z } from 'zod';
import { listByCustomerQuery, listContractsQuery, listCustomersQuery, listOpportunitiesQuery } from '@crm/shared';

export const EXPORT_ENTITIES = ['customers', 'contacts', 'follow-ups', 'opportunities', 'contracts'] as const;
export type ExportEntity = (typeof EXPORT_ENTITIES)[number];
export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const format = z.enum(EXPORT_FORMATS).default('xlsx').describe('xlsx（默认）或 csv（UTF-8 带 BOM，Excel 可直接打开）');
const noPage = { cursor: true, limit: true } as const;

/** Each export takes its list endpoint's filters (no paging) and a format. */
export const exportQueries = {
  customers: listCustomersQuery.omit(noPage).extend({ format }),
  contacts: listByCustomerQuery.omit(noPage).extend({ format }),
  'follow-ups': listByCustomerQuery.omit(noPage).extend({ format }),
  opportunities: listOpportunitiesQuery.omit(noPage).extend({ format }),
  contracts: listContractsQuery.omit(noPage).extend({ format }),
} satisfies Record<ExportEntity, z.ZodType>;

/** The list filters of any entity (what reaches the owning service's cursor). */
export type ExportFilters = {
  q?: string;
  owner?: string;
  tier?: string;
  status?: string;
  source?: string;
  customerId?: string;
  stage?: string;
};

/** The file itself is the answer; this documents it (the reference shows binary media as a string). */
export const exportFileSchema = z.string().describe('文件内容（xlsx 或 UTF-8 带 BOM 的 CSV），以附件下载');
