import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES, CUSTOMER_TIERS, type CustomerSource, type CustomerStatus, type CustomerTier } from '@crm/shared';
import { indexRecordKey, recordKeyField } from '../idempotency/record-key';
import { scopeFieldsDefinition, type ScopeFields } from './scope-fields';

/**
 * What a create still has to write after the customer itself (its contacts, with their ids fixed in
 * advance, and its audit entry). Set with the insert, removed when done; `CustomerService.recoverPending`
 * finishes what a process that died in between left.
 */
export interface PendingCustomerCreate {
  since: Date;
  contacts: Array<Record<string, unknown>>;
  audit: { action: string; note?: string; requestId: string; channel: string; actorId: Types.ObjectId | null; actorName?: string };
}

export interface Customer extends ScopeFields {
  name: string;
  company?: string;
  /** 上海某某信息科技有限公司 → 某某信息科技 */
  companyNormalized?: string;
  /** 某某: what the duplicate check compares. */
  companyKey?: string;
  industry?: string;
  region?: { province?: string; city?: string };
  source: CustomerSource;
  tier: CustomerTier;
  tags: string[];
  status: CustomerStatus;
  /** The pool (公海) it is in while unowned (config/src/pool-rules.ts key); null when owned. */
  poolId?: string | null;
  protectionEndsAt: Date | null;
  lastFollowUpAt: Date | null;
  nextFollowUpAt: Date | null;
  /** Prefix-searchable keys (names, pinyin, initials, phones, reversed phones, emails); see shared/search-keys. */
  searchKeys: string[];
  /** Normalized identifiers of the customer and its contacts, for the duplicate check. */
  dedupe: { mobiles: string[]; emails: string[]; personNames: string[] };
  createdBy: Types.ObjectId | null;
  /** `<userId>:<Idempotency-Key>` of the request that created it (unique, absent without a key). */
  idempotencyKey?: string;
  pendingCreate?: PendingCustomerCreate;
  /** The import that created it (rollback removes it while unchanged); absent for records typed in. */
  importId?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}
export type CustomerDoc = HydratedDocument<Customer>;

const customerSchema = new Schema<Customer>(
  {
    name: { type: String, required: true, maxlength: 64 },
    company: String,
    companyNormalized: String,
    companyKey: String,
    industry: String,
    region: { province: String, city: String },
    source: { type: String, enum: CUSTOMER_SOURCES, required: true },
    tier: { type: String, enum: CUSTOMER_TIERS, default: 'C' },
    tags: { type: [String], default: [] },
    ...scopeFieldsDefinition,
    status: { type: String, enum: CUSTOMER_STATUSES, default: 'owned' },
    poolId: { type: String, default: null },
    protectionEndsAt: { type: Date, default: null },
    lastFollowUpAt: { type: Date, default: null },
    nextFollowUpAt: { type: Date, default: null },
    searchKeys: { type: [String], default: [] },
    dedupe: {
      mobiles: { type: [String], default: [] },
      emails: { type: [String], default: [] },
      personNames: { type: [String], default: [] },
    },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    ...recordKeyField,
    pendingCreate: { type: Schema.Types.Mixed },
    importId: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, strict: 'throw' },
);
customerSchema.index({ searchKeys: 1 });
customerSchema.index({ ownerId: 1, _id: -1 });
customerSchema.index({ departmentId: 1, _id: -1 });
customerSchema.index({ status: 1, _id: -1 });
customerSchema.index({ status: 1, poolId: 1, _id: -1 });
customerSchema.index({ companyKey: 1 });
customerSchema.index({ 'dedupe.mobiles': 1 });
customerSchema.index({ 'dedupe.emails': 1 });
customerSchema.index({ 'dedupe.personNames': 1 });
customerSchema.index({ sharedWith: 1 });
customerSchema.index({ 'pendingCreate.since': 1 }, { sparse: true });
customerSchema.index({ importId: 1 }, { sparse: true });
indexRecordKey(customerSchema);

export function customerModel(conn: Connection): Model<Customer> {
  return conn.models.Customer ?? conn.model<Customer>('Customer', customerSchema);
}
