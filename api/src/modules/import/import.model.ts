import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ColumnMapping, ImportEntity, ImportField } from './import.fields';
import type { CsvEncoding, ImportFormat } from './import.reader';

export const IMPORT_STATUSES = [
  'draft', // uploaded, mapping suggested
  'dry_running',
  'dry_run', // the trial run's report is ready; may run
  'queued', // the real run waits for a worker
  'running',
  'done',
  'failed',
  'cancelled',
  'rollback_queued',
  'rolling_back',
  'rolled_back',
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const DEDUPE_CHOICES = ['skip', 'update', 'create'] as const;
export type DedupeChoice = (typeof DEDUPE_CHOICES)[number];

/** What a pass (the dry run or the real run) found: counts, reasons, per-column cleansing, the first problems. */
export interface ImportReport {
  rows: number;
  create: number;
  update: number;
  skip: number;
  reject: number;
  /** Reason → rows (跳过 / 拒绝 with why). */
  reasons: Record<string, number>;
  /** Field → values changed by cleansing, with a few examples. */
  cleansing: Record<string, { changed: number; examples: Array<{ line: number; before: string; after: string }> }>;
  /** The first 50 problems (rejects and warnings), by line. */
  problems: Array<{ line: number; kind: 'reject' | 'skip' | 'warning'; message: string }>;
  /**
   * Rows that added a contact (新增联系人): another person of a company a row before created or the database
   * has in the importer's scope. Counted apart from create / update / skip.
   */
  contactsAdded?: number;
  /** Per entity a row may carry: created (or to be), skipped with their row, refused (their cells could not be read). */
  entities?: Record<'contacts' | 'followUps' | 'opportunities', EntityCounts>;
  tookMs?: number;
}

export interface EntityCounts {
  create: number;
  skip: number;
  reject: number;
}

/** A rollback's progress and outcome. */
export interface RollbackState {
  removed: number;
  restored: number;
  kept: number;
  keptExamples: string[];
  cursor: Types.ObjectId | null;
  updatesDone: boolean;
  /** The import's follow-ups and opportunities are removed (before the customers). */
  dependentsDone?: boolean;
  followUpsRemoved?: number;
  opportunitiesRemoved?: number;
  /** The `updatedAt` every restore of this rollback writes (and accepts: a later row of the file undone first). */
  stamp?: Date;
  /** Customers kept because a follow-up or opportunity of theirs changed since the import (and is kept). */
  keepCustomers?: string[];
}

export interface ImportJob {
  _id: Types.ObjectId;
  entity: ImportEntity;
  status: ImportStatus;
  /** The importer: the run writes within their scope and under their name. */
  userId: Types.ObjectId;
  /** As uploaded, for display only (never a path). */
  fileName: string;
  format: ImportFormat;
  encoding: CsvEncoding | null;
  bytes: number;
  headers: string[];
  mapping: ColumnMapping[];
  /** Unknown or missing owners: to the pool, or to this user. */
  ownerFallback: { mode: 'pool' | 'owner'; ownerId: Types.ObjectId | null };
  dedupe: DedupeChoice;
  dryRun: ImportReport | null;
  run: ImportReport | null;
  /** Real run: data rows done / total, the line of the last row whose batch is finished (the checkpoint). */
  progress: { done: number; total: number; checkpointLine: number; startedAt: Date | null; updatedAt: Date | null; firstProgressAt: Date | null };
  /** Who works on it now (a worker id) until `leaseUntil`; another worker takes over when it runs out. */
  lease: { holder: string | null; until: Date | null };
  cancelRequested: boolean;
  rollback: RollbackState | null;
  startNotified: boolean;
  endNotified: boolean;
  error: string | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const mappingSchema = new Schema<ColumnMapping>({ column: Number, header: String, field: { type: String, default: null } }, { _id: false });

const schema = new Schema<ImportJob>(
  {
    entity: { type: String, required: true },
    status: { type: String, enum: IMPORT_STATUSES, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    fileName: { type: String, required: true },
    format: { type: String, required: true },
    encoding: { type: String, default: null },
    bytes: { type: Number, required: true },
    headers: { type: [String], default: [] },
    mapping: { type: [mappingSchema], default: [] },
    ownerFallback: { mode: { type: String, default: 'pool' }, ownerId: { type: Schema.Types.ObjectId, default: null } },
    dedupe: { type: String, enum: DEDUPE_CHOICES, default: 'skip' },
    dryRun: { type: Schema.Types.Mixed, default: null },
    run: { type: Schema.Types.Mixed, default: null },
    progress: {
      done: { type: Number, default: 0 },
      total: { type: Number, default: 0 },
      checkpointLine: { type: Number, default: 0 },
      startedAt: { type: Date, default: null },
      updatedAt: { type: Date, default: null },
      firstProgressAt: { type: Date, default: null },
    },
    lease: { holder: { type: String, default: null }, until: { type: Date, default: null } },
    cancelRequested: { type: Boolean, default: false },
    rollback: { type: Schema.Types.Mixed, default: null },
    startNotified: { type: Boolean, default: false },
    endNotified: { type: Boolean, default: false },
    error: { type: String, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, strict: 'throw' },
);
schema.index({ userId: 1, _id: -1 });
schema.index({ status: 1 });

/** Mapping templates: a user's named mappings (header → field), reused for files from the same source. */
export interface MappingTemplate {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  name: string;
  entity: ImportEntity;
  columns: Array<{ header: string; field: ImportField | null }>;
  createdAt: Date;
  updatedAt: Date;
}
const templateSchema = new Schema<MappingTemplate>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 40 },
    entity: { type: String, required: true },
    columns: { type: [new Schema({ header: String, field: { type: String, default: null } }, { _id: false })], default: [] },
  },
  { timestamps: true, strict: 'throw' },
);
templateSchema.index({ userId: 1, name: 1 }, { unique: true });

/**
 * The row ledger of a real run: one entry per row that changed an existing record (`_id` `<importId>:<line>`,
 * written BEFORE the change, so a rerun keeps the first "before"), and per row rejected or skipped with
 * its original cells (the error workbook). Created customers need no entry: their ids are fixed per row.
 */
export interface ImportRowEntry {
  _id: string;
  importId: Types.ObjectId;
  /** `dry` or `run`: which pass found it (the error workbook of the run, else of the dry run). */
  pass: 'dry' | 'run';
  line: number;
  kind: 'update' | 'reject' | 'skip';
  customerId: Types.ObjectId | null;
  before: Record<string, unknown> | null;
  /** The customer's updatedAt right after the update (rollback restores only while it is still this). */
  importedAt: Date | null;
  done: boolean;
  reason: string | null;
  cells: string[];
}
const rowSchema = new Schema<ImportRowEntry>(
  {
    _id: { type: String, required: true },
    importId: { type: Schema.Types.ObjectId, required: true },
    pass: { type: String, required: true },
    line: { type: Number, required: true },
    kind: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, default: null },
    before: { type: Schema.Types.Mixed, default: null },
    importedAt: { type: Date, default: null },
    done: { type: Boolean, default: false },
    reason: { type: String, default: null },
    cells: { type: [String], default: [] },
  },
  { versionKey: false, strict: 'throw' },
);
rowSchema.index({ importId: 1, pass: 1, kind: 1, line: 1 });

export function importModels(conn: Connection): { jobs: Model<ImportJob>; templates: Model<MappingTemplate>; rows: Model<ImportRowEntry> } {
  return {
    jobs: (conn.models.ImportJob as Model<ImportJob> | undefined) ?? conn.model<ImportJob>('ImportJob', schema, 'imports'),
    templates:
      (conn.models.ImportTemplate as Model<MappingTemplate> | undefined) ?? conn.model<MappingTemplate>('ImportTemplate', templateSchema, 'import_templates'),
    rows: (conn.models.ImportRow as Model<ImportRowEntry> | undefined) ?? conn.model<ImportRowEntry>('ImportRow', rowSchema, 'import_rows'),
  };
}
