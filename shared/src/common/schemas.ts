import { z } from 'zod';

export const objectId = z.string().regex(/^[0-9a-fA-F]{24}$/, { message: '无效的 ID' });

export const idParams = z.strictObject({ id: objectId });

/** Cursor pagination shared by every list endpoint. */
export const pageQuery = {
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export const mobileCN = z.string().regex(/^1[3-9]\d{9}$/, { message: '手机号格式不正确' });

/** Dates the API accepts: from 2000-01-01 up to the end of 2100 (UTC); anything else is a typo or a unit mix-up. */
export const DATE_MIN = new Date('2000-01-01T00:00:00.000Z');
export const DATE_MAX_EXCLUSIVE = new Date('2101-01-01T00:00:00.000Z');

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A point in time in a request: an ISO 8601 string (`2026-11-24`, `2026-11-24T10:00:00+08:00`), epoch
 * milliseconds, or a Date (internal callers). `null`, `''`, `true` and other junk are refused, where
 * `z.coerce.date()` turned them into 1970; so are years before 2000 and after 2100. Where `null` means
 * something ("clear it"), say so with `.nullable()` at the field.
 */
export const dateTime = z
  .union([z.string().trim().regex(ISO_LIKE), z.number().int(), z.date()], {
    error: (issue) => (issue.input === null ? '不能为 null：需要日期时间' : '需要日期时间（ISO 8601，例如 2026-11-24T10:00:00+08:00）'),
  })
  .transform((v, ctx) => {
    const d = v instanceof Date ? v : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: '不是有效的日期时间' });
      return z.NEVER;
    }
    if (d < DATE_MIN || d >= DATE_MAX_EXCLUSIVE) {
      ctx.addIssue({ code: 'custom', message: '日期须在 2000 年至 2100 年之间' });
      return z.NEVER;
    }
    return d;
  });
