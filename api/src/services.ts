import type { Connection } from 'mongoose';
import type { Config } from '@crm/config';
import { ApprovalService } from './modules/approval/approval.service';
import { AuditService } from './modules/audit/audit.service';
import { TokenService } from './modules/auth/token.service';
import { ContactService } from './modules/contact/contact.service';
import { ContractService } from './modules/contract/contract.service';
import { CustomerService } from './modules/customer/customer.service';
import { FollowUpService, noFollowUpEvents, type FollowUpEvents } from './modules/follow-up/follow-up.service';
import { OpportunityService } from './modules/opportunity/opportunity.service';
import { OrgService } from './modules/org/org.service';

/** The domain services, built once per process (or per test) on one connection. */
export interface Services {
  audit: AuditService;
  org: OrgService;
  tokens: TokenService;
  customers: CustomerService;
  contacts: ContactService;
  followUps: FollowUpService;
  opportunities: OpportunityService;
  contracts: ContractService;
  approvals: ApprovalService;
}

/** Ports the domain calls out through; the bot and scheduler fill them in as they land. */
export interface Ports {
  followUpEvents?: FollowUpEvents;
  now?: () => Date;
}

export function buildServices(conn: Connection, config: Config, ports: Ports = {}): Services {
  const now = ports.now ?? (() => new Date());
  const audit = new AuditService(conn);
  const org = new OrgService(conn, audit);
  const customers = new CustomerService(conn, org, audit, { protectionDays: config.crm.protectionDays, now });
  const contracts = new ContractService(conn, customers, audit, now);
  return {
    audit,
    org,
    tokens: new TokenService(config.auth.jwtSecret, config.auth.jwtTtlSeconds),
    customers,
    contacts: new ContactService(customers, audit),
    followUps: new FollowUpService(conn, customers, audit, ports.followUpEvents ?? noFollowUpEvents, now),
    opportunities: new OpportunityService(conn, customers, audit, config.crm.stages, now),
    contracts,
    approvals: new ApprovalService(conn, org, customers, contracts, audit, config.approvals, now),
  };
}
