import type { ApprovalSubjectType } from '@crm/shared';
import type { ContractService } from '../../contract/contract.service';
import type { CustomerService } from '../../customer/customer.service';
import type { OpportunityService } from '../../opportunity/opportunity.service';
import type { OrgService } from '../../org/org.service';
import type { ApprovalSubject } from './approval-subject';
import { ContractSubject } from './contract.subject';
import { CustomerReportSubject } from './customer-report.subject';
import { DiscountSubject } from './discount.subject';
import { PoolExtensionSubject } from './pool-extension.subject';
import type { PoolService } from '../../pool/pool.service';

export type { ApprovalSubject, FinalOutcome, SubjectFacts, SubmitInput } from './approval-subject';

/** Every kind of subject, by type: adding one is a new strategy file and a line here. */
export function approvalSubjects(deps: {
  contracts: ContractService;
  customers: CustomerService;
  opportunities: OpportunityService;
  org: OrgService;
  pools: PoolService;
}): Record<ApprovalSubjectType, ApprovalSubject> {
  return {
    contract: new ContractSubject(deps.contracts, deps.customers),
    discount: new DiscountSubject(deps.opportunities, deps.contracts, deps.customers),
    'customer-report': new CustomerReportSubject(deps.customers, deps.org),
    'pool-extension': new PoolExtensionSubject(deps.customers, deps.pools),
  };
}
