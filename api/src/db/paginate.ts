import { Types, type Model } from 'mongoose';
import { AppError, CommonErrorCode } from '../errors/app-error';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function encodeCursor(id: Types.ObjectId): string {
  return Buffer.from(id.toHexString(), 'hex').toString('base64url');
}

export function decodeCursor(cursor: string): Types.ObjectId {
  const hex = Buffer.from(cursor, 'base64url').toString('hex');
  if (!/^[0-9a-f]{24}$/.test(hex))
    throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '无效的分页游标', { details: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  return new Types.ObjectId(hex);
}

/**
 * Keyset pagination on _id (newest first): stable under inserts, no skip cost. Reads one extra row to
 * know whether another page exists.
 */
export async function paginateById<T>(
  model: Model<T>,
  filter: Record<string, unknown>,
  opts: { cursor?: string; limit: number; projection?: Record<string, 0 | 1> },
): Promise<Page<T>> {
  const where = opts.cursor ? { $and: [filter, { _id: { $lt: decodeCursor(opts.cursor) } }] } : filter;
  const rows = (await model
    .find(where, opts.projection)
    .sort({ _id: -1 })
    .limit(opts.limit + 1)
    .lean()
    .exec()) as unknown as Array<T & { _id: Types.ObjectId }>;
  const more = rows.length > opts.limit;
  const items = more ? rows.slice(0, opts.limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last._id) : null };
}
