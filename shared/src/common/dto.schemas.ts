import { z } from 'zod';

/**
 * Building blocks of the response schemas (what the API answers), documented in /api/v1/openapi.json.
 * Request schemas validate input; these describe output and are checked against live answers in tests.
 */

/** An id as the API shows it: 24 hex characters (a MongoDB ObjectId). */
export const idString = z.string().regex(/^[0-9a-f]{24}$/);

/** A point in time as the API shows it: ISO 8601 in UTC with milliseconds. */
export const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  .describe('时间，ISO 8601（UTC），例如 2026-11-24T02:00:00.000Z');

/** Money: integer 分 (fen), 100 分 = 1 元. */
export const fen = z.number().int().min(0).describe('金额，单位：分（整数，100 分 = 1 元），例如 12000000 即 ¥120,000.00');

/** A cursor page: `nextCursor` is null on the last page; pass it as `cursor` for the next one. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('下一页游标：作为 cursor 参数传回即取下一页；null 表示已是最后一页'),
  });

/** A list without paging. */
export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
