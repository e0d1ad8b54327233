import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * Counter families of a roll-up document (see report.cells.ts): each a map of counter key → number, per day
 * (`fc`: keys start with the day of the month) and for the whole month (`fcM`: the same keys with `m` for the
 * day), so a report over whole months reads a handful of counters per document whatever the number of records.
 */
export const FAMILIES = ['fc', 'fx', 'lc', 'lx', 'sc', 'y', 'ys', 'wa', 'cu', 'k', 'w'] as const;
export type Family = (typeof FAMILIES)[number];
export type Counters = Record<string, number>;

/**
 * One month × owner × department of one generation: `_id` = `gen|YYYY-MM|owner|department`. The day counters
 * (`<family>`) live in `report_rollups`, the month totals (`<family>M`) in documents of their own with the same id
 * in `report_rollup_months`: a report over whole months reads only those, whose size is bounded by the dimensions
 * (stages, sources, authors), not by the number of records or days.
 */
export interface Rollup {
  _id: string;
  gen: number;
  month: string;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  /** The last changes applied (record id + version): a repeat is refused by the update's filter. */
  ops: string[];
  /** `<family>` and `<family>M` counter maps. */
  [family: string]: unknown;
}

/** `_id: 'rollups'`: the generation reports read, the one a rebuild is writing, and the last rebuild. */
export interface RollupMeta {
  _id: string;
  gen: number;
  building: number | null;
  builtAt: Date | null;
  tookMs: number | null;
  counted: Record<string, number> | null;
  failures: number;
}

const rollupSchema = new Schema<Rollup>(
  {
    _id: { type: String, required: true },
    gen: Number,
    month: String,
    ownerId: { type: Schema.Types.ObjectId, default: null },
    departmentId: { type: Schema.Types.ObjectId, default: null },
    ops: { type: [String], default: [] },
    ...Object.fromEntries(
      FAMILIES.flatMap((f) => [
        [f, Schema.Types.Mixed],
        [`${f}M`, Schema.Types.Mixed],
      ]),
    ),
  },
  { versionKey: false, minimize: false },
);
rollupSchema.index({ gen: 1, month: 1 });

const metaSchema = new Schema<RollupMeta>(
  {
    _id: { type: String, required: true },
    gen: { type: Number, default: 1 },
    building: { type: Number, default: null },
    builtAt: { type: Date, default: null },
    tookMs: { type: Number, default: null },
    counted: { type: Schema.Types.Mixed, default: null },
    failures: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export function rollupModels(conn: Connection): { rollups: Model<Rollup>; months: Model<Rollup>; departments: Model<Rollup>; meta: Model<RollupMeta> } {
  return {
    // the month totals once more per department (owners folded in): what a viewer who sees everything reads when no
    // figure is per person — a tenth of the documents (`gen|YYYY-MM|-|department`, ownerId null)
    departments:
      (conn.models.ReportRollupDepartment as Model<Rollup> | undefined) ??
      conn.model<Rollup>('ReportRollupDepartment', rollupSchema, 'report_rollup_departments'),
    rollups: (conn.models.ReportRollup as Model<Rollup> | undefined) ?? conn.model<Rollup>('ReportRollup', rollupSchema, 'report_rollups'),
    months: (conn.models.ReportRollupMonth as Model<Rollup> | undefined) ?? conn.model<Rollup>('ReportRollupMonth', rollupSchema, 'report_rollup_months'),
    meta: (conn.models.ReportMeta as Model<RollupMeta> | undefined) ?? conn.model<RollupMeta>('ReportMeta', metaSchema, 'report_meta'),
  };
}
