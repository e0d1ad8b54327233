import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { CONTRACT_STATUSES, type ContractStatus } from '@crm/shared';
import { scopeFieldsDefinition, type ScopeFields } from '../customer/scope-fields';
import { indexRecordKey, recordKeyField } from '../idempotency/record-key';

export interface Contract extends ScopeFields {
  customerId: Types.ObjectId;
  opportunityId: Types.ObjectId | null;
  number: string;
  title: string;
  amountFen: number;
  discountPercent: number;
  status: ContractStatus;
  statusHistory: Array<{ status: ContractStatus; at: Date; byId: Types.ObjectId | null; reason?: string }>;
  signedAt: Date | null;
  /** 合同到期日 (optional): a signed contract's end counts for the pool's reclaim rule `afterContractEndDays`. */
  endsAt: Date | null;
  /** `<userId>:<Idempotency-Key>` of the request that created it (unique, absent without a key). */
  idempotencyKey?: string;
  createdAt: Date;
  updatedAt: Date;
}
export type ContractDoc = HydratedDocument<Contract>;

const contractSchema = new Schema<Contract>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    opportunityId: { type: Schema.Types.ObjectId, default: null },
    number: { type: String, required: true },
    title: { type: String, required: true },
    amountFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    discountPercent: { type: Number, min: 0, max: 100, default: 0 },
    status: { type: String, enum: CONTRACT_STATUSES, default: 'draft' },
    statusHistory: {
      type: [new Schema({ status: String, at: Date, byId: Schema.Types.ObjectId, reason: String }, { _id: false })],
      default: [],
    },
    signedAt: { type: Date, default: null },
    endsAt: { type: Date, default: null },
    ...scopeFieldsDefinition,
    ...recordKeyField,
  },
  { timestamps: true, strict: 'throw' },
);
contractSchema.index({ number: 1 }, { unique: true });
contractSchema.index({ customerId: 1 });
indexRecordKey(contractSchema);

export function contractModel(conn: Connection): Model<Contract> {
  return conn.models.Contract ?? conn.model<Contract>('Contract', contractSchema);
}
