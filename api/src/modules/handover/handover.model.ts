import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import type { HandoverKind } from './handover.ports';

export const HANDOVER_STATUSES = ['queued', 'running', 'waiting', 'done', 'failed'] as const;
export type HandoverStatus = (typeof HANDOVER_STATUSES)[number];
/** crm → people (approvals, reminders, the deactivation) → wecom (customers, then groups) → poll → reconcile → done. */
export const HANDOVER_PHASES = ['crm', 'people', 'wecom', 'poll', 'reconcile', 'done'] as const;
export type HandoverPhase = (typeof HANDOVER_PHASES)[number];
export const SPLITS = ['by-customer', 'even', 'all-to-one'] as const;
export type Split = (typeof SPLITS)[number];
export const ON_REFUSED = ['successor-with-note', 'pool'] as const;
export type OnRefused = (typeof ON_REFUSED)[number];

export interface Person {
  userId: Types.ObjectId;
  name: string;
  /** Their WeCom userid (identities.wecom), when they have one. */
  wecomId: string | null;
}

/** One hand-over run: what was asked, where it stands (phase), who holds it (lease), what the people step did. */
export interface Handover {
  kind: HandoverKind;
  status: HandoverStatus;
  phase: HandoverPhase;
  from: Person;
  /** The leaver's departments (who may see the hand-over: the data scope, as for their records). */
  fromDepartmentIds: Types.ObjectId[];
  successors: Person[];
  split: Split;
  onRefused: OnRefused;
  transferMessage: string | null;
  newLeaderId: Types.ObjectId | null;
  startedBy: { userId: Types.ObjectId; name: string };
  /** The fromUserId while the hand-over is not finished (unique, sparse: one running hand-over per person). */
  activeFor?: string;
  /** When a worker should next advance it (the poll interval while waiting for WeCom). */
  nextRunAt: Date;
  lease: { holder: string | null; until: Date | null };
  /** Numbering of the WeCom transfer calls (each recorded before it is made). */
  batchSeq: number;
  /** When the rep's WeCom external contacts and groups were listed into items (once). */
  collectedAt: Date | null;
  /** WeCom's errcode when it refused to list the rep's customers (the WeCom side was left out). */
  wecomUnavailable: number | null;
  /** When the last transfer call went out, and when still-waiting transfers count as timed out. */
  lastSentAt: Date | null;
  pollDeadline: Date | null;
  people: { approvals: number; remindersMoved: number; remindersCancelled: number; deactivated: boolean };
  notified: { progress: boolean; finished: boolean };
  error: string | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
export type HandoverDoc = HydratedDocument<Handover>;

const person = { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, required: true }, wecomId: { type: String, default: null } };

const handoverSchema = new Schema<Handover>(
  {
    kind: { type: String, enum: ['resigned', 'in-service'], required: true },
    status: { type: String, enum: HANDOVER_STATUSES, default: 'queued' },
    phase: { type: String, enum: HANDOVER_PHASES, default: 'crm' },
    from: person,
    fromDepartmentIds: { type: [Schema.Types.ObjectId], default: [] },
    successors: [person],
    split: { type: String, enum: SPLITS, required: true },
    onRefused: { type: String, enum: ON_REFUSED, required: true },
    transferMessage: { type: String, default: null },
    newLeaderId: { type: Schema.Types.ObjectId, default: null },
    startedBy: { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, required: true } },
    activeFor: { type: String },
    nextRunAt: { type: Date, required: true },
    lease: { holder: { type: String, default: null }, until: { type: Date, default: null } },
    batchSeq: { type: Number, default: 0 },
    collectedAt: { type: Date, default: null },
    wecomUnavailable: { type: Number, default: null },
    lastSentAt: { type: Date, default: null },
    pollDeadline: { type: Date, default: null },
    people: {
      approvals: { type: Number, default: 0 },
      remindersMoved: { type: Number, default: 0 },
      remindersCancelled: { type: Number, default: 0 },
      deactivated: { type: Boolean, default: false },
    },
    notified: { progress: { type: Boolean, default: false }, finished: { type: Boolean, default: false } },
    error: { type: String, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, strict: 'throw' },
);
handoverSchema.index({ activeFor: 1 }, { unique: true, sparse: true });
handoverSchema.index({ status: 1, nextRunAt: 1 });
handoverSchema.index({ 'from.userId': 1, _id: -1 });

export const ITEM_TYPES = ['customer', 'external', 'group'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
export const CRM_STATES = ['pending', 'moved', 'skipped'] as const;
export const WECOM_STATES = ['none', 'pending', 'requested', 'waiting', 'accepted', 'refused', 'failed', 'timeout'] as const;
export type WeComState = (typeof WECOM_STATES)[number];
export const RECONCILED = ['none', 'pending', 'successor', 'pool', 'skipped'] as const;

/**
 * One thing handed over: a CRM customer (`crm`, and `reconciled` when its WeCom relationship did not follow),
 * a WeCom external contact (`wecom`, `batchNo` of the call that asked for it) or a customer group.
 */
export interface HandoverItem {
  handoverId: Types.ObjectId;
  type: ItemType;
  /** `c:<customerId>`, `e:<external_userid>`, `g:<chat_id>`: unique within the hand-over. */
  key: string;
  customerId: Types.ObjectId | null;
  customerName: string | null;
  externalUserId: string | null;
  chatId: string | null;
  successorId: Types.ObjectId;
  crm: (typeof CRM_STATES)[number];
  wecom: WeComState;
  errcode: number | null;
  batchNo: number | null;
  reconciled: (typeof RECONCILED)[number];
  note: string | null;
}

const itemSchema = new Schema<HandoverItem>(
  {
    handoverId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: ITEM_TYPES, required: true },
    key: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, default: null },
    customerName: { type: String, default: null },
    externalUserId: { type: String, default: null },
    chatId: { type: String, default: null },
    successorId: { type: Schema.Types.ObjectId, required: true },
    crm: { type: String, enum: CRM_STATES, default: 'pending' },
    wecom: { type: String, enum: WECOM_STATES, default: 'none' },
    errcode: { type: Number, default: null },
    batchNo: { type: Number, default: null },
    reconciled: { type: String, enum: RECONCILED, default: 'none' },
    note: { type: String, default: null },
  },
  { versionKey: false, strict: 'throw' },
);
itemSchema.index({ handoverId: 1, key: 1 }, { unique: true });
itemSchema.index({ handoverId: 1, type: 1, crm: 1 });
itemSchema.index({ handoverId: 1, type: 1, wecom: 1 });
itemSchema.index({ handoverId: 1, type: 1, reconciled: 1 });
itemSchema.index({ handoverId: 1, batchNo: 1 });

/** A WeCom transfer call, recorded before it is made; `answered` once its answer is stored on the items. */
export interface HandoverBatch {
  handoverId: Types.ObjectId;
  no: number;
  successorId: Types.ObjectId;
  externalUserIds: string[];
  state: 'recorded' | 'answered' | 'reconciled';
  recordedAt: Date;
  answeredAt: Date | null;
}

const batchSchema = new Schema<HandoverBatch>(
  {
    handoverId: { type: Schema.Types.ObjectId, required: true },
    no: { type: Number, required: true },
    successorId: { type: Schema.Types.ObjectId, required: true },
    externalUserIds: { type: [String], default: [] },
    state: { type: String, enum: ['recorded', 'answered', 'reconciled'], default: 'recorded' },
    recordedAt: { type: Date, required: true },
    answeredAt: { type: Date, default: null },
  },
  { versionKey: false, strict: 'throw' },
);
batchSchema.index({ handoverId: 1, no: 1 }, { unique: true });
batchSchema.index({ handoverId: 1, state: 1 });

export function handoverModel(conn: Connection): Model<Handover> {
  return conn.models.Handover ?? conn.model<Handover>('Handover', handoverSchema, 'handovers');
}
export function handoverItemModel(conn: Connection): Model<HandoverItem> {
  return conn.models.HandoverItem ?? conn.model<HandoverItem>('HandoverItem', itemSchema, 'handover_items');
}
export function handoverBatchModel(conn: Connection): Model<HandoverBatch> {
  return conn.models.HandoverBatch ?? conn.model<HandoverBatch>('HandoverBatch', batchSchema, 'handover_batches');
}
