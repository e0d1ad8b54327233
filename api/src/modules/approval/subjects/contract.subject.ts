import type { Types } from 'mongoose';
import type { Actor, RequestMeta } from '../approval.kernel';
import type { ContractService } from '../../contract/contract.service';
import { assertCanWrite } from '../../customer/customer-scope';
import type { CustomerService } from '../../customer/customer.service';
import type { ApprovalPlain } from '../approval.model';
import { invalidSubject, statusText } from '../approval.errors';
import type { ApprovalSubject, FinalOutcome, SubjectFacts, SubmitInput } from './approval-subject';

/** A contract: submitted as draft or rejected, pending_approval meanwhile, then approved / rejected / back to draft. */
export class ContractSubject implements ApprovalSubject {
  readonly type = 'contract' as const;

  constructor(
    private readonly contracts: ContractService,
    private readonly customers: CustomerService,
  ) {}

  async load(actor: Actor, input: SubmitInput): Promise<SubjectFacts> {
    const c = await this.contracts.get(actor, input.subjectId);
    const customer = await this.customers.get(actor, c.customerId);
    assertCanWrite(actor, customer);
    if (c.status !== 'draft' && c.status !== 'rejected') throw invalidSubject('只有草稿或已驳回的合同可以提交审批');
    return {
      id: c._id,
      title: `${c.title}（${c.number}）`,
      amountFen: c.amountFen,
      discountPercent: c.discountPercent ?? 0,
      customerId: customer._id,
      customerName: customer.company || customer.name,
      customerTier: customer.tier as string,
      productLine: null,
    };
  }

  /** Moves the contract with its own status machine (conditional on its current status), idempotently. */
  async submitted(actor: Actor, meta: RequestMeta, id: Types.ObjectId): Promise<void> {
    const status = await this.contracts.statusOf(id);
    if (!status || status === 'pending_approval') return;
    if (status === 'rejected') await this.contracts.transition(actor, meta, id, 'draft', '修改后重新提交');
    await this.contracts.transition(actor, meta, id, 'pending_approval');
  }

  async follow(meta: RequestMeta, a: ApprovalPlain, outcome: FinalOutcome): Promise<void> {
    const to = outcome === 'approved' ? 'approved' : outcome === 'rejected' ? 'rejected' : 'draft';
    await this.contracts.followApproval(meta, a.subjectId, to, meta.actorId, `审批${statusText(a.status)}`);
  }
}
