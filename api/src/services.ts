import type { Connection, Types } from 'mongoose';
import type { Config } from '@crm/config';
import type { Metrics } from './metrics/metrics';
import { buildApprovals, type ApprovalEvents, type ApprovalService, type ApprovalSweep } from './modules/approval/approval.service';
import { AuditService } from './modules/audit/audit.service';
import { TokenService } from './modules/auth/token.service';
import { ContactService } from './modules/contact/contact.service';
import { ContractService } from './modules/contract/contract.service';
import { CustomerService } from './modules/customer/customer.service';
import { CustomerBulk } from './modules/customer/customer.bulk';
import { ImportService, type ImportNotifier } from './modules/import/import.service';
import { ExportService } from './modules/export/export.service';
import { IdempotencyStore } from './modules/idempotency/idempotency';
import { SavedViewService } from './modules/saved-view/saved-view.service';
import { FollowUpService, noFollowUpEvents, type FollowUpEvents } from './modules/follow-up/follow-up.service';
import { OpportunityService } from './modules/opportunity/opportunity.service';
import { OrgService } from './modules/org/org.service';
import { ReminderService } from './modules/reminder/reminder.service';
import { buildReports, type ReportService } from './modules/report/report.module';
import { PoolService, type PoolEvents } from './modules/pool/pool.service';
import { AssignmentService, type AssignmentEvents } from './modules/assignment/assignment.service';
import { HandoverService } from './modules/handover/handover.service';
import { noHandoverEvents, noHandoverPlatform, type HandoverEvents, type HandoverPlatform } from './modules/handover/handover.ports';
import { WebhookService } from './modules/webhook/webhook.service';
import { DirectoryService } from './modules/directory/directory.service';
import type { DirectoryEvents, DirectorySource } from './modules/directory/directory.port';
import { recordLoader } from './modules/webhook/webhook.records';

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
  reminders: ReminderService;
  approvals: ApprovalService;
  /** The approvals' timed work (expiry, re-routing, reminders, escalation, effects recovery): the approval-sweep job calls `run`. */
  approvalSweep: ApprovalSweep;
  /** Idempotency-Key records for POSTs that clients may repeat. */
  idempotency: IdempotencyStore;
  /** Excel / CSV imports: drafts, dry runs, the durable run (the import job calls `work`), cancel, rollback. */
  imports: ImportService;
  /** Reports (funnel, ranking, sources, cycle, adoption, lists, drill-downs) over roll-ups kept by the modules' change listeners. */
  reports: ReportService;
  /** Pools (公海): membership, browsing, claims with limits, locks, and the reclaim engine (the pool-reclaim job calls `run`). */
  pools: PoolService;
  /** Lead auto-assignment by the rules (`assignNew` for customers created without an owner; the assignment-return job calls `sweep`). */
  assignments: AssignmentService;
  /** Hand-overs (离职继承 / 在职继承) of a rep's customers, records and WeCom relationships: the handover job calls `runDue`. */
  handovers: HandoverService;
  /** Outbound webhooks: endpoints, the audit-log outbox dispatcher and the sender (the webhook jobs call them). */
  webhooks: WebhookService;
  /** Directory sync from WeCom / DingTalk (dry run, sync with checkpoint and lease, runs). */
  directory: DirectoryService;
  /** The workbench's saved table views, per user. */
  savedViews: SavedViewService;
  /** Scoped, streamed xlsx / CSV exports of customers, contacts, follow-ups, deals and contracts (reads through their services). */
  exports: ExportService;
}

/** Ports the domain calls out through, given at construction (the composition root passes the bot's side in). */
export interface Ports {
  /** Extra listeners for follow-up next steps (the reminders always listen). */
  followUpEvents?: FollowUpEvents;
  /** "Approval changed" (the bot's approval cards and notices). */
  approvalEvents?: ApprovalEvents;
  /** The platform directory the directory sync reads (the bot's WeCom / DingTalk directory client); none: no sync. */
  directorySource?: DirectorySource | null;
  /** The manager's chat notice when the sync deactivates their report. */
  directoryEvents?: DirectoryEvents;
  /** The importer's chat messages at an import's start and end. */
  importNotifier?: ImportNotifier;
  /** Reclaim warnings and returns in chat (the bot's pool cards). */
  poolEvents?: PoolEvents;
  /** New-lead cards (接受 / 退回公海). */
  assignmentEvents?: AssignmentEvents;
  /** WeCom's customer-contact transfer APIs (the bot's WeCom client); none: hand-overs move CRM records only. */
  handoverPlatform?: HandoverPlatform;
  /** Hand-over progress and report in chat. */
  handoverEvents?: HandoverEvents;
  now?: () => Date;
  /** The process's metrics (reminder deliveries). */
  metrics?: Metrics;
}

export function buildServices(conn: Connection, config: Config, ports: Ports = {}): Services {
  const now = ports.now ?? (() => new Date());
  const audit = new AuditService(conn);
  const org = new OrgService(conn, audit);
  const customers = new CustomerService(conn, org, audit, { protectionDays: config.crm.protectionDays, now });
  const opportunities = new OpportunityService(conn, customers, audit, config.crm.stages, now);
  // pools keep their reclaim clocks through the customers' ownership port and the follow-up port below
  const pools = new PoolService(conn, {
    customers,
    org,
    audit,
    opportunities,
    rules: config.pools,
    businessTz: config.businessTz,
    now,
    events: ports.poolEvents,
  });
  // leavers are flagged in their manager's digest until their customers are handed over (read from the customers)
  const directory = new DirectoryService(conn, {
    org,
    audit,
    settings: config.directory,
    source: ports.directorySource ?? null,
    now,
    customers,
    events: ports.directoryEvents,
  });
  const reminders = new ReminderService(conn, {
    org,
    customers,
    opportunities,
    audit,
    policy: config.reminders,
    stages: config.crm.stages,
    businessTz: config.businessTz,
    now,
    metrics: ports.metrics,
    reclaimSoon: (userId) => pools.warningsFor(userId),
    pendingHandovers: (userId) => directory.pendingHandovers(userId),
  });
  const extra = ports.followUpEvents ?? noFollowUpEvents;
  const followUpEvents: FollowUpEvents = {
    async nextStepChanged(f) {
      await reminders.nextStepChanged(f);
      await extra.nextStepChanged(f);
    },
    // logging a follow-up settles the author's open next step on that customer (and its cold-customer alerts)
    async followUpLogged(f) {
      await reminders.followUpLogged(f);
      await pools.followUpLogged(f.customerId, f.happenedAt);
      await reporting.followUpLogged(f);
      await extra.followUpLogged?.(f);
    },
    // history from an import file: pool clocks (a note is no contact with the customer) and roll-ups, no reminder settled
    async followUpImported(f) {
      if (f.type !== 'note') await pools.followUpLogged(f.customerId, f.happenedAt);
      await reporting.followUpLogged(f);
    },
    // a recovery rerun: the reminder is made only when none exists (never rescheduling one already sent)
    async nextStepRecovered(f) {
      if (await reminders.nextStepRecovered(f)) await extra.nextStepChanged(f);
    },
  };
  const contracts = new ContractService(conn, customers, opportunities, audit, now);
  // a signed contract's end date starts the pool's "M days after its contract ends" clock of its customer
  contracts.onChanged(async (_before, after) => {
    const c = after as { status: string; customerId: Types.ObjectId; endsAt: Date | null } | null;
    if (c?.status === 'signed' && c.endsAt) await pools.contractEnds(c.customerId, c.endsAt);
  });
  const followUps = new FollowUpService(conn, customers, audit, followUpEvents, now);
  const reporting = buildReports(conn, config, { org, customers, opportunities, followUps, contracts, reminders, now });
  // A deactivated user's reminders go to each customer's owner, else to their successor (approvals register themselves).
  org.onDeactivated(async (meta, leaver, handover) => void (await reminders.retargetFromLeaver(meta, leaver._id, handover.successorId)));
  const { approvals, approvalSweep } = buildApprovals(conn, {
    org,
    customers,
    contracts,
    opportunities,
    pools,
    audit,
    rules: config.approvals,
    now,
    events: ports.approvalEvents,
  });
  const services: Services = {
    audit,
    org,
    tokens: new TokenService(config.auth.jwtSecret, config.auth.jwtTtlSeconds),
    customers,
    contacts: new ContactService(conn, customers, audit),
    followUps,
    opportunities,
    contracts,
    reminders,
    approvals,
    approvalSweep,
    idempotency: new IdempotencyStore(conn, now),
    imports: new ImportService(conn, {
      org,
      audit,
      bulk: new CustomerBulk(conn, { protectionDays: config.crm.protectionDays }),
      followUps,
      opportunities,
      notifier: ports.importNotifier,
      settings: { ...config.imports, businessTz: config.businessTz, now },
    }),
    reports: reporting.reports,
    pools,
    assignments: new AssignmentService(conn, { customers, org, audit, rules: config.pools, now, events: ports.assignmentEvents }),
    handovers: new HandoverService(
      conn,
      {
        org,
        customers,
        opportunities,
        contracts,
        approvals,
        approvalSweep,
        reminders,
        audit,
        platform: ports.handoverPlatform ?? noHandoverPlatform,
        events: ports.handoverEvents ?? noHandoverEvents,
      },
      { ...config.handover, now },
    ),
    directory,
    webhooks: new WebhookService(conn, {
      audit,
      settings: config.webhooks,
      stages: config.crm.stages,
      now,
      load: recordLoader({ customers, followUps, opportunities, contracts, approvals }),
    }),
    savedViews: new SavedViewService(conn, audit, now),
    exports: new ExportService(() => services, { businessTz: config.businessTz, now }),
  };
  return services;
}
