import type { Model } from 'mongoose';

/**
 * How the report module reads another module's records: the owning service hands out a reader over its own
 * collection (`reportReader()`), and the report module passes filters it built with the caller's data scope ANDed
 * in (drill-downs, lists to act on, exports) or none (the roll-up rebuild, an ownership move of one customer).
 */
export interface ReportReader<T> {
  find(
    filter: Record<string, unknown>,
    opts?: { projection?: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; skip?: number; limit?: number },
  ): Promise<T[]>;
  count(filter: Record<string, unknown>): Promise<number>;
  /** Every matching record, in batches (the rebuild). */
  stream(filter: Record<string, unknown>, projection?: Record<string, 0 | 1>): AsyncIterable<T>;
}

export function reportReaderOf<T>(model: Model<T>): ReportReader<T> {
  return {
    find: (filter, opts = {}) => {
      let q = model.find(filter, opts.projection ?? null);
      if (opts.sort) q = q.sort(opts.sort);
      if (opts.skip) q = q.skip(opts.skip);
      if (opts.limit) q = q.limit(opts.limit);
      return q.lean<T[]>().exec();
    },
    count: (filter) => model.countDocuments(filter).exec(),
    stream: (filter, projection) =>
      // no time limit: a rebuild reads every record (the connection's maxTimeMS bounds request queries)
      model
        .find(filter, projection ?? null)
        .maxTimeMS(0)
        .lean<T>()
        .batchSize(5000)
        .cursor() as AsyncIterable<T>,
  };
}

/** A module's change listener: the record before and after one write (null: created / removed). */
export type RecordChanged = (before: unknown, after: unknown) => Promise<void>;
