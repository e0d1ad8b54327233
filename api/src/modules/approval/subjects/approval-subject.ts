import type { Types } from 'mongoose';
import type { ApprovalSubjectType } from '@crm/shared';
import type { Actor, RequestMeta } from '../approval.kernel';
import type { ApprovalPlain } from '../approval.model';

/** What a submission asks for: the subject and, for a discount, the discount. */
export interface SubmitInput {
  subjectType: ApprovalSubjectType;
  subjectId: string;
  /** Discount approvals: the discount asked for (percent). */
  discountPercent?: number;
  comment?: string;
}

/** The subject as the approval stores it and as the routing rules read it (the facts). */
export interface SubjectFacts {
  id: Types.ObjectId;
  title: string;
  amountFen: number | null;
  discountPercent: number | null;
  customerId: Types.ObjectId;
  customerName: string;
  customerTier: string;
  productLine: string | null;
}

/** The facts of an approval about a customer itself (报备, 申请延期): no amount, no discount, no product line. */
export function customerFacts(
  customer: { _id: Types.ObjectId; name: string; company?: string | null; tier: string },
  title: (customerName: string) => string,
): SubjectFacts {
  const customerName = customer.company || customer.name;
  return {
    id: customer._id,
    title: title(customerName),
    amountFen: null,
    discountPercent: null,
    customerId: customer._id,
    customerName,
    customerTier: customer.tier,
    productLine: null,
  };
}

/** The end of an approval the subject follows. */
export type FinalOutcome = 'approved' | 'rejected' | 'withdrawn' | 'expired';

/**
 * One kind of thing that is approved (a contract, a discount, a customer report): one strategy each.
 * The approval module calls `load` at submit time (as the requester, with their scope), `submitted` once
 * the approval is stored, and `follow` after an outcome was claimed (whoever may see the subject now).
 */
export interface ApprovalSubject {
  readonly type: ApprovalSubjectType;
  /** Reads the subject as the requester may see it; throws when it cannot be submitted. */
  load(actor: Actor, input: SubmitInput): Promise<SubjectFacts>;
  /** The subject's own state once its approval is stored (a contract becomes pending_approval); throws to undo the submission. */
  submitted?(actor: Actor, meta: RequestMeta, subjectId: Types.ObjectId): Promise<void>;
  /** Applies an outcome to the subject; throws an AppError whose message says why it could not. */
  follow(meta: RequestMeta, a: ApprovalPlain, outcome: FinalOutcome): Promise<void>;
}
