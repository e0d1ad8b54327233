import type { Actor, RequestMeta } from '../approval.kernel';
import type { CustomerService } from '../../customer/customer.service';
import type { OrgService } from '../../org/org.service';
import { invalidSubject } from '../approval.errors';
import type { ApprovalPlain } from '../approval.model';
import { customerFacts, type ApprovalSubject, type FinalOutcome, type SubjectFacts, type SubmitInput } from './approval-subject';

/** A report (报备) of a pool customer: once approved the requester claims it, unless someone else got there first. */
export class CustomerReportSubject implements ApprovalSubject {
  readonly type = 'customer-report' as const;

  constructor(
    private readonly customers: CustomerService,
    private readonly org: OrgService,
  ) {}

  async load(actor: Actor, input: SubmitInput): Promise<SubjectFacts> {
    const customer = await this.customers.get(actor, input.subjectId);
    if (customer.status !== 'pool') throw invalidSubject('只有公海中的客户可以报备');
    return customerFacts(customer, (name) => `报备客户 ${name}`);
  }

  async follow(meta: RequestMeta, a: ApprovalPlain, outcome: FinalOutcome): Promise<void> {
    if (outcome !== 'approved') return;
    const requester = await this.org.findActiveUserById(a.requesterId);
    if (!requester) throw invalidSubject('申请人已离职');
    const actor: Actor = { user: requester, viewer: await this.org.resolveViewer(requester) };
    const held = await this.customers.ownership(a.subjectId);
    if (held && held.status === 'owned' && held.ownerId?.equals(requester._id)) return; // already claimed (a re-run)
    try {
      await this.customers.claim(actor, meta, String(a.subjectId));
    } catch (err) {
      const now = await this.customers.ownership(a.subjectId);
      const holder = now?.ownerId ? await this.org.userName(now.ownerId) : null;
      if (holder) throw invalidSubject(`客户已被 ${holder} 领取`);
      throw err;
    }
  }
}
