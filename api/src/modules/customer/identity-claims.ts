import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { DuplicateReason } from './duplicate-check';

/**
 * One dedupe identity held by one customer: `_id` is `mobile:<digits>`, `email:<address>` or
 * `company:<core>`. The unique `_id` is what makes the duplicate check race-free: a customer takes its
 * identities here BEFORE it is written, so of two creates of the same company at the same instant,
 * exactly one gets the claim and the other answers 409 naming it.
 *
 * The claim carries a small snapshot of its holder (name, company, owner, department, idempotency key)
 * so a loser can be told who won even while the winner's customer is still being written.
 */
export interface IdentityClaim {
  _id: string;
  customerId: Types.ObjectId;
  /** When the holder took it; a claim older than the grace period whose holder does not carry the identity may be taken over. */
  claimedAt: Date;
  name: string;
  company: string | null;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  /** The holder's `<userId>:<Idempotency-Key>` when it was created with one (a retry recognises its own claim). */
  idempotencyKey: string | null;
}

const schema = new Schema<IdentityClaim>(
  {
    _id: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    claimedAt: { type: Date, required: true },
    name: { type: String, required: true },
    company: { type: String, default: null },
    ownerId: { type: Schema.Types.ObjectId, default: null },
    departmentId: { type: Schema.Types.ObjectId, default: null },
    idempotencyKey: { type: String, default: null },
  },
  { versionKey: false, strict: 'throw' },
);
schema.index({ customerId: 1 });

export function identityClaimModel(conn: Connection): Model<IdentityClaim> {
  return conn.models.CustomerIdentityClaim ?? conn.model<IdentityClaim>('CustomerIdentityClaim', schema, 'customer_identity_claims');
}

/** What a customer's derived fields claim, in a fixed order (so two racing creates contend on the same first key). */
export function identitiesOf(c: { companyKey?: string | null; dedupe: { mobiles: readonly string[]; emails: readonly string[] } }): string[] {
  const ids = [
    ...c.dedupe.mobiles.map((m) => `mobile:${m.replace(/\D/g, '')}`),
    ...c.dedupe.emails.map((e) => `email:${e}`),
    ...(c.companyKey ? [`company:${c.companyKey}`] : []),
  ];
  return [...new Set(ids)].sort();
}

export function reasonOf(identity: string): DuplicateReason {
  const kind = identity.slice(0, identity.indexOf(':'));
  return kind === 'mobile' ? 'mobile' : kind === 'email' ? 'email' : 'company';
}

export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number } | null)?.code === 11000;
