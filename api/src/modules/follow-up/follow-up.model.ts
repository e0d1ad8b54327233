import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { FOLLOW_UP_TYPES, RECORD_SOURCES, type FollowUpType, type RecordSource } from '@crm/shared';
import { scopeFieldsDefinition, type ScopeFields } from '../customer/scope-fields';
import { indexRecordKey, recordKeyField } from '../idempotency/record-key';

/** Side effects of a create, written after the follow-up itself (each idempotent). */
export const FOLLOW_UP_EFFECTS = ['customer-times', 'audit', 'reminder'] as const;
export type FollowUpEffect = (typeof FOLLOW_UP_EFFECTS)[number];

export interface FollowUp extends ScopeFields {
  customerId: Types.ObjectId;
  contactId: Types.ObjectId | null;
  authorId: Types.ObjectId;
  type: FollowUpType;
  content: string;
  happenedAt: Date;
  location: { lat: number; lng: number; address?: string } | null;
  nextStep: { text: string; dueAt: Date } | null;
  source: RecordSource;
  /** `<userId>:<Idempotency-Key>` of the request that created it (unique, absent without a key). */
  idempotencyKey?: string;
  /** Effects not yet confirmed written; absent once they all are (FollowUpService.recoverPending finishes them). */
  pendingEffects?: FollowUpEffect[];
  pendingSince?: Date;
  /** The request the effects belong to (for the audit entry). */
  effectsMeta?: { requestId: string; channel: string; actorId: Types.ObjectId | null; actorName?: string };
  /** The import that wrote it (a rollback removes it while unchanged); absent for records typed in. */
  importId?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}
export type FollowUpDoc = HydratedDocument<FollowUp>;

const followUpSchema = new Schema<FollowUp>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    contactId: { type: Schema.Types.ObjectId, default: null },
    authorId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: FOLLOW_UP_TYPES, required: true },
    content: { type: String, required: true },
    happenedAt: { type: Date, required: true },
    location: { type: new Schema({ lat: Number, lng: Number, address: String }, { _id: false }), default: null },
    nextStep: { type: new Schema({ text: String, dueAt: Date }, { _id: false }), default: null },
    source: { type: String, enum: RECORD_SOURCES, default: 'api' },
    ...scopeFieldsDefinition,
    ...recordKeyField,
    pendingEffects: { type: [String], enum: FOLLOW_UP_EFFECTS, default: undefined },
    pendingSince: { type: Date },
    effectsMeta: { type: new Schema({ requestId: String, channel: String, actorId: Schema.Types.ObjectId, actorName: String }, { _id: false }) },
    importId: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, strict: 'throw' },
);
followUpSchema.index({ customerId: 1, happenedAt: -1 });
followUpSchema.index({ authorId: 1, happenedAt: -1 });
followUpSchema.index({ pendingSince: 1 }, { sparse: true });
followUpSchema.index({ importId: 1 }, { sparse: true });
indexRecordKey(followUpSchema);

export function followUpModel(conn: Connection): Model<FollowUp> {
  return conn.models.FollowUp ?? conn.model<FollowUp>('FollowUp', followUpSchema, 'follow_ups');
}
