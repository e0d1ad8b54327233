import { Types } from 'mongoose';
import type { Actor, RequestMeta } from '../approval.kernel';
import { AppError, CommonErrorCode, notFound } from '../approval.kernel';
import type { ContractService } from '../../contract/contract.service';
import { assertCanWrite } from '../../customer/customer-scope';
import type { CustomerService } from '../../customer/customer.service';
import type { OpportunityService } from '../../opportunity/opportunity.service';
import type { ApprovalPlain } from '../approval.model';
import type { ApprovalSubject, FinalOutcome, SubjectFacts, SubmitInput } from './approval-subject';

/** A discount on an opportunity (its amount) or on a contract; an approved one is written to the contract. */
export class DiscountSubject implements ApprovalSubject {
  readonly type = 'discount' as const;

  constructor(
    private readonly opportunities: OpportunityService,
    private readonly contracts: ContractService,
    private readonly customers: CustomerService,
  ) {}

  async load(actor: Actor, input: SubmitInput): Promise<SubjectFacts> {
    if (input.discountPercent === undefined) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '请填写折扣', { details: [{ path: 'body.discountPercent', message: 'required' }] });
    }
    // One that exists out of the actor's scope answers exactly like one that does not exist.
    const id = new Types.ObjectId(input.subjectId);
    const opp = await this.opportunities.forDiscount(actor, id);
    const contract = opp ? null : await this.contracts.get(actor, id).catch(() => null);
    if (!opp && !contract) throw notFound('商机或合同');
    const customer = await this.customers.get(actor, opp?.customerId ?? contract!.customerId).catch(() => null);
    if (!customer) throw notFound('商机或合同');
    try {
      assertCanWrite(actor, customer);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw notFound('商机或合同');
      throw err;
    }
    return {
      id,
      title: `${opp ? `商机 ${opp.name}` : `合同 ${contract!.title}`} 折扣 ${input.discountPercent}%`,
      amountFen: opp?.amountFen ?? contract!.amountFen,
      discountPercent: input.discountPercent,
      customerId: customer._id,
      customerName: customer.company || customer.name,
      customerTier: customer.tier as string,
      productLine: null,
    };
  }

  async follow(meta: RequestMeta, a: ApprovalPlain, outcome: FinalOutcome): Promise<void> {
    if (outcome === 'approved' && a.discountPercent !== null) await this.contracts.applyApprovedDiscount(meta, a.subjectId, a.discountPercent);
  }
}
