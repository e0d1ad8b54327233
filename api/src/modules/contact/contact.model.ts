import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { scopeFieldsDefinition, type ScopeFields } from '../customer/scope-fields';
import { indexRecordKey, recordKeyField } from '../idempotency/record-key';

export interface Contact extends ScopeFields {
  customerId: Types.ObjectId;
  name: string;
  title?: string;
  /** E.164 mobiles (+8613800138000). */
  mobiles: string[];
  /** Landlines with area code (021-61234567). */
  phones: string[];
  emails: string[];
  wecomExternalUserId?: string;
  primary: boolean;
  /** `<userId>:<Idempotency-Key>` of the request that created it (unique, absent without a key). */
  idempotencyKey?: string;
  /** The import that wrote it (with its customer, or added to an existing one); absent for contacts typed in. */
  importId?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}
export type ContactDoc = HydratedDocument<Contact>;

const contactSchema = new Schema<Contact>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    title: String,
    mobiles: { type: [String], default: [] },
    phones: { type: [String], default: [] },
    emails: { type: [String], default: [] },
    wecomExternalUserId: String,
    primary: { type: Boolean, default: false },
    ...scopeFieldsDefinition,
    ...recordKeyField,
    importId: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, strict: 'throw' },
);
contactSchema.index({ customerId: 1 });
contactSchema.index({ mobiles: 1 });
indexRecordKey(contactSchema);

export function contactModel(conn: Connection): Model<Contact> {
  return conn.models.Contact ?? conn.model<Contact>('Contact', contactSchema);
}
