import type { Connection } from 'mongoose';
import type { Config } from '@crm/config';
import type { ContractService } from '../contract/contract.service';
import type { CustomerService } from '../customer/customer.service';
import type { FollowUpDoc } from '../follow-up/follow-up.model';
import type { FollowUpService } from '../follow-up/follow-up.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import type { ReminderService } from '../reminder/reminder.service';
import type { ReportReader } from './report-read';
import { ReportRollups, type ContractRow, type CustomerRow, type DealRow, type FollowUpRow } from './report.rollups';
import { ReportService, type ReminderRow } from './report.service';

export { ReportService } from './report.service';
export { ReportRollups } from './report.rollups';

/**
 * Builds the report module on the owning modules' services: their report readers, and the roll-ups' listeners on
 * their changes (deals, contracts, follow-up edits and undos, customers created and changing hands). Follow-ups
 * created reach the roll-ups through `followUpLogged`, which buildServices calls from the follow-up events port
 * (so a recovery rerun reaches them too, and is ignored as a repeat).
 */
export function buildReports(
  conn: Connection,
  config: Config,
  s: {
    org: OrgService;
    customers: CustomerService;
    opportunities: OpportunityService;
    followUps: FollowUpService;
    contracts: ContractService;
    reminders: ReminderService;
    now: () => Date;
  },
): { reports: ReportService; followUpLogged: (f: FollowUpDoc) => Promise<void> } {
  const deals = s.opportunities.reportReader() as ReportReader<DealRow>;
  const customers = s.customers.reportReader() as ReportReader<CustomerRow>;
  const followUps = s.followUps.reportReader() as ReportReader<FollowUpRow>;
  const contracts = s.contracts.reportReader() as ReportReader<ContractRow>;
  const rollups = new ReportRollups(conn, { deals, customers, followUps, contracts }, config.crm.stages, config.businessTz);
  s.opportunities.onChanged((before, after) => rollups.dealChanged(before as DealRow | null, after as DealRow | null));
  s.contracts.onChanged((before, after) => rollups.contractChanged(before as ContractRow | null, after as ContractRow | null));
  s.followUps.onChanged((before, after) => rollups.followUpChanged(before as FollowUpRow | null, after as FollowUpRow | null));
  s.customers.onOwnershipChanged(async (change) => {
    if (change.action === 'customer.create') return rollups.customerCreated(change.customerId);
    await rollups.scopeMoved({
      customerId: change.customerId,
      at: change.at,
      from: { ownerId: change.previousOwnerId, departmentId: change.previousDepartmentId ?? null },
      to: { ownerId: change.ownerId, departmentId: await departmentOf(customers, change.customerId) },
    });
  });
  const reports = new ReportService({
    rollups,
    org: s.org,
    deals,
    customers,
    followUps,
    contracts,
    reminders: s.reminders.reportReader() as ReportReader<ReminderRow>,
    coldDaysByTier: config.reminders.coldDaysByTier,
    businessTz: config.businessTz,
    consoleUrl: `${config.http.publicBaseUrl.replace(/\/$/, '')}/console/`,
    now: s.now,
  });
  return { reports, followUpLogged: (f) => rollups.followUpChanged(null, f.toObject() as FollowUpRow) };
}

async function departmentOf(customers: ReportReader<CustomerRow>, id: CustomerRow['_id']): Promise<CustomerRow['departmentId']> {
  const [c] = await customers.find({ _id: id }, { projection: { departmentId: 1 } });
  return c?.departmentId ?? null;
}
