import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { DataScope, Role } from '@crm/shared';

export const RUN_STATUSES = ['running', 'done', 'failed'] as const;
export const RUN_PHASES = ['fetch', 'departments', 'people', 'links', 'leavers', 'done'] as const;

export interface PlanItem {
  /** Platform id (department id or userid). */
  key: string;
  name: string;
  op: 'create' | 'update' | 'leave';
  /** Names of the fields that change (update). */
  fields: string[];
}

export interface RunCounts {
  departments: { create: number; update: number; same: number };
  people: { create: number; update: number; same: number; leave: number };
}

/** A leaver whose customers wait for a hand-over: shown to their manager until it is done. */
export interface LeaverFlag {
  userId: Types.ObjectId;
  name: string;
  managerId: Types.ObjectId | null;
}

/** One dry run or sync (`directory_runs`): what it found, how far it got (checkpoint), how it ended. */
export interface DirectoryRun {
  kind: 'dry-run' | 'sync';
  trigger: 'manual' | 'schedule' | 'event';
  platform: 'wecom' | 'dingtalk';
  status: (typeof RUN_STATUSES)[number];
  phase: (typeof RUN_PHASES)[number];
  /** People applied so far, in userid order: a resumed run starts after this many. */
  checkpoint: number;
  counts: RunCounts;
  /** The changes found (a dry run lists them; a sync keeps the first 200 of each kind). */
  departments: PlanItem[];
  people: PlanItem[];
  leavers: LeaverFlag[];
  startedById: Types.ObjectId | null;
  startedAt: Date;
  finishedAt: Date | null;
  /** Times this run was taken over after its process stopped. */
  resumed: number;
  error: string | null;
}

/** Who the sync manages (`directory_links`): a platform userid, its CRM user, and the roles / scope the sync last set. */
export interface DirectoryLink {
  _id: string;
  platform: 'wecom' | 'dingtalk';
  userid: string;
  userId: Types.ObjectId;
  /** What the sync last wrote: a user whose roles or scope differ was edited by an admin, and keeps them. */
  applied: { roles: Role[]; dataScope: DataScope };
  leftAt: Date | null;
  /** When the leaver's manager was told (once per leaver). */
  noticedAt?: Date | null;
}

const planItem = new Schema<PlanItem>({ key: String, name: String, op: String, fields: [String] }, { _id: false });
const countsDef = {
  departments: { create: { type: Number, default: 0 }, update: { type: Number, default: 0 }, same: { type: Number, default: 0 } },
  people: {
    create: { type: Number, default: 0 },
    update: { type: Number, default: 0 },
    same: { type: Number, default: 0 },
    leave: { type: Number, default: 0 },
  },
};

const runSchema = new Schema<DirectoryRun>(
  {
    kind: { type: String, required: true },
    trigger: { type: String, required: true },
    platform: { type: String, required: true },
    status: { type: String, enum: RUN_STATUSES, required: true },
    phase: { type: String, enum: RUN_PHASES, required: true },
    checkpoint: { type: Number, default: 0 },
    counts: countsDef,
    departments: { type: [planItem], default: [] },
    people: { type: [planItem], default: [] },
    leavers: { type: [{ userId: Schema.Types.ObjectId, name: String, managerId: Schema.Types.ObjectId, _id: false }], default: [] },
    startedById: { type: Schema.Types.ObjectId, default: null },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    resumed: { type: Number, default: 0 },
    error: { type: String, default: null },
  },
  { versionKey: false, strict: 'throw' },
);
runSchema.index({ kind: 1, status: 1 });

const linkSchema = new Schema<DirectoryLink>(
  {
    _id: { type: String, required: true },
    platform: { type: String, required: true },
    userid: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    applied: { roles: [String], dataScope: String },
    leftAt: { type: Date, default: null },
    noticedAt: { type: Date, default: null },
  },
  { versionKey: false, strict: 'throw' },
);

export function directoryModels(conn: Connection): { runs: Model<DirectoryRun>; links: Model<DirectoryLink> } {
  return {
    runs: (conn.models.DirectoryRun as Model<DirectoryRun> | undefined) ?? conn.model<DirectoryRun>('DirectoryRun', runSchema, 'directory_runs'),
    links: (conn.models.DirectoryLink as Model<DirectoryLink> | undefined) ?? conn.model<DirectoryLink>('DirectoryLink', linkSchema, 'directory_links'),
  };
}
