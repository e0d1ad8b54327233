import type { Actor, RequestMeta } from '../approval.kernel';
import type { CustomerService } from '../../customer/customer.service';
import type { PoolService } from '../../pool/pool.service';
import { invalidSubject } from '../approval.errors';
import type { ApprovalPlain } from '../approval.model';
import { customerFacts, type ApprovalSubject, type FinalOutcome, type SubjectFacts, type SubmitInput } from './approval-subject';

/**
 * 申请延期 (issue #18): the owner of a customer about to return to the pool asks their manager for more time;
 * once approved the reclaim waits `extensionDays` past the date it was due (the pool module's clock), unless
 * the customer changed hands meanwhile.
 */
export class PoolExtensionSubject implements ApprovalSubject {
  readonly type = 'pool-extension' as const;

  constructor(
    private readonly customers: CustomerService,
    private readonly pools: PoolService,
  ) {}

  async load(actor: Actor, input: SubmitInput): Promise<SubjectFacts> {
    const customer = await this.customers.get(actor, input.subjectId);
    if (customer.status !== 'owned' || !customer.ownerId?.equals(actor.user._id)) throw invalidSubject('只有自己名下的客户可以申请延期');
    const warning = await this.pools.reclaimWarning(customer._id);
    return customerFacts(customer, (name) => `申请延期：${name}${warning ? `（${warning.text}）` : ''}`);
  }

  async follow(meta: RequestMeta, a: ApprovalPlain, outcome: FinalOutcome): Promise<void> {
    if (outcome !== 'approved') return;
    const held = await this.customers.ownership(a.subjectId);
    if (!held || held.status !== 'owned' || !held.ownerId?.equals(a.requesterId)) throw invalidSubject('客户已不在申请人名下');
    await this.pools.extendByRules(meta, a.subjectId, a.requesterId, '延期申请已通过');
  }
}
