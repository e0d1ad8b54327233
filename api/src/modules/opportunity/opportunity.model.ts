import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { scopeFieldsDefinition, type ScopeFields } from '../customer/scope-fields';
import { indexRecordKey, recordKeyField } from '../idempotency/record-key';

export interface StageEntry extends ScopeFields {
  stage: string;
  enteredAt: Date;
  byId: Types.ObjectId | null;
}

export interface Opportunity {
  customerId: Types.ObjectId;
  name: string;
  /** 分 (fen), integer. */
  amountFen: number;
  stage: string;
  stageEnteredAt: Date;
  stageHistory: StageEntry[];
  expectedCloseDate: Date | null;
  probability: number;
  lostReason: string | null;
  closedAt: Date | null;
  /** `<userId>:<Idempotency-Key>` of the request that created it (unique, absent without a key). */
  idempotencyKey?: string;
  /** The import that wrote it (a rollback removes it while unchanged); absent for records typed in. */
  importId?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}
export type OpportunityDoc = HydratedDocument<Opportunity>;

const opportunitySchema = new Schema<Opportunity>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    amountFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    stage: { type: String, required: true },
    stageEnteredAt: { type: Date, required: true },
    stageHistory: { type: [new Schema({ stage: String, enteredAt: Date, byId: Schema.Types.ObjectId }, { _id: false })], default: [] },
    expectedCloseDate: { type: Date, default: null },
    probability: { type: Number, min: 0, max: 100, default: 0 },
    lostReason: { type: String, default: null },
    closedAt: { type: Date, default: null },
    ...scopeFieldsDefinition,
    ...recordKeyField,
    importId: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, strict: 'throw' },
);
opportunitySchema.index({ customerId: 1 });
opportunitySchema.index({ importId: 1 }, { sparse: true });
indexRecordKey(opportunitySchema);
opportunitySchema.index({ ownerId: 1, stage: 1 });

export function opportunityModel(conn: Connection): Model<Opportunity> {
  return conn.models.Opportunity ?? conn.model<Opportunity>('Opportunity', opportunitySchema);
}
