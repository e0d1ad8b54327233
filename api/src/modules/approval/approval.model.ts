import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { APPROVAL_STATUSES, APPROVAL_SUBJECT_TYPES, type ApprovalDecision, type ApprovalStatus, type ApprovalSubjectType } from '@crm/shared';

export interface ApproverState {
  userId: Types.ObjectId;
  name: string;
  decision: ApprovalDecision | null;
  comment: string | null;
  decidedAt: Date | null;
  /** Set when this approver took the step over from a silent one (escalation). */
  escalatedFromId: Types.ObjectId | null;
  /** Set on the silent approver when the step went to their leader. */
  replacedById: Types.ObjectId | null;
  /** Set when this approver stands in through the fallback chain: who was meant and why ("张伟 已离职，由上级 李娜 代为审批"). */
  standInReason?: string | null;
}

export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'skipped';

export interface StepState {
  index: number;
  key: string;
  name: string;
  mode: 'any' | 'all';
  status: StepStatus;
  /** Why the step is in the route ("折扣 18% > 15%"), from the rule that added it; set at submit. */
  reason?: string | null;
  approvers: ApproverState[];
  startedAt: Date | null;
  remindedAt: Date | null;
  escalatedAt: Date | null;
}

export interface HistoryEntry {
  at: Date;
  actorId: Types.ObjectId | null;
  actorName: string | null;
  action: string;
  comment: string | null;
  step: number | null;
}

export interface Approval {
  subjectType: ApprovalSubjectType;
  subjectId: Types.ObjectId;
  title: string;
  status: ApprovalStatus;
  requesterId: Types.ObjectId;
  requesterName: string;
  customerId: Types.ObjectId | null;
  customerName: string | null;
  amountFen: number | null;
  discountPercent: number | null;
  /** The rules that matched at submit time; the route below is what they resolved to then. */
  ruleIds: string[];
  currentStep: number;
  steps: StepState[];
  history: HistoryEntry[];
  previousId: Types.ObjectId | null;
  /** The requester's note (申请说明) at submit. */
  note?: string | null;
  /** A resubmission: how the previous approval ended and what changed since (computed at submit). */
  resubmission?: {
    previousStatus: ApprovalStatus;
    rejectedBy: string | null;
    reason: string | null;
    changes: Array<{ label: string; before: string; after: string }>;
  } | null;
  /** `subjectType:subjectId` while pending, removed when it ends: a sparse unique key, one open approval per subject. */
  openKey?: string;
  /** Bumped by every change: each change is one update conditional on the version read. */
  version: number;
  /** The version whose side effects (subject, cards, notices) have run; behind `version` after a crash. */
  effectsVersion: number;
  createdAt: Date;
  updatedAt: Date;
}
export type ApprovalDoc = HydratedDocument<Approval>;
export type ApprovalPlain = Approval & { _id: Types.ObjectId };

const approverSchema = new Schema<ApproverState>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: String,
    decision: { type: String, default: null },
    comment: { type: String, default: null },
    decidedAt: { type: Date, default: null },
    escalatedFromId: { type: Schema.Types.ObjectId, default: null },
    replacedById: { type: Schema.Types.ObjectId, default: null },
    standInReason: { type: String, default: null },
  },
  { _id: false },
);
const stepSchema = new Schema<StepState>(
  {
    index: Number,
    key: String,
    name: String,
    mode: String,
    status: String,
    reason: { type: String, default: null },
    approvers: [approverSchema],
    startedAt: { type: Date, default: null },
    remindedAt: { type: Date, default: null },
    escalatedAt: { type: Date, default: null },
  },
  { _id: false },
);
const historySchema = new Schema<HistoryEntry>(
  { at: Date, actorId: Schema.Types.ObjectId, actorName: String, action: String, comment: String, step: Number },
  { _id: false },
);

const approvalSchema = new Schema<Approval>(
  {
    subjectType: { type: String, enum: APPROVAL_SUBJECT_TYPES, required: true },
    subjectId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    status: { type: String, enum: APPROVAL_STATUSES, default: 'pending' },
    requesterId: { type: Schema.Types.ObjectId, required: true },
    requesterName: String,
    customerId: { type: Schema.Types.ObjectId, default: null },
    customerName: { type: String, default: null },
    amountFen: { type: Number, default: null },
    discountPercent: { type: Number, default: null },
    ruleIds: { type: [String], default: [] },
    currentStep: { type: Number, default: 0 },
    steps: { type: [stepSchema], default: [] },
    history: { type: [historySchema], default: [] },
    previousId: { type: Schema.Types.ObjectId, default: null },
    note: { type: String, default: null },
    resubmission: {
      type: new Schema(
        { previousStatus: String, rejectedBy: String, reason: String, changes: [new Schema({ label: String, before: String, after: String }, { _id: false })] },
        { _id: false },
      ),
      default: null,
    },
    openKey: { type: String },
    version: { type: Number, default: 0 },
    effectsVersion: { type: Number, default: 0 },
  },
  { timestamps: true, strict: 'throw' },
);
approvalSchema.index({ subjectType: 1, subjectId: 1, createdAt: -1 });
approvalSchema.index({ openKey: 1 }, { unique: true, sparse: true });
approvalSchema.index({ requesterId: 1, _id: -1 });
approvalSchema.index({ 'steps.approvers.userId': 1, status: 1 });
approvalSchema.index({ status: 1, updatedAt: 1 });

export function approvalModel(conn: Connection): Model<Approval> {
  return conn.models.Approval ?? conn.model<Approval>('Approval', approvalSchema);
}
