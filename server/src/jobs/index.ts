/**
 * Every background job of the server, scheduled from here and only here (`systemJobs` → `JobRunner`).
 * Each job is one file (`<name>.job.ts`); their bodies stay in the modules that own the data.
 */
import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { JobLeasePort, Metrics } from '@crm/api';
import { approvalSweepJob } from './approval-sweep.job';
import { chatRecoveryJob } from './chat-recovery.job';
import { importJob } from './import.job';
import { handoverJob } from './handover.job';
import { recordRecoveryJob } from './record-recovery.job';
import { poolReclaimJob } from './pool-reclaim.job';
import { assignmentReturnJob } from './assignment-return.job';
import { reminderPassJob } from './reminder-pass.job';
import { reminderPoliciesJob } from './reminder-policies.job';
import { reportPushJob } from './report-push.job';
import { reportRebuildJob } from './report-rebuild.job';
import { webhookDispatchJob } from './webhook-dispatch.job';
import { webhookSendJob } from './webhook-send.job';
import { directorySyncJob } from './directory-sync.job';
import { backupJob } from './backup.job';
import { JobRunner, type Job } from './runner';

export { JobRunner, type Job, type JobRunnerOptions } from './runner';
export { BACKUP_JOB } from './backup.job';
export { APPROVAL_SWEEP_JOB } from './approval-sweep.job';
export { CHAT_RECOVERY_JOB } from './chat-recovery.job';
export { IMPORT_JOB } from './import.job';
export { HANDOVER_JOB } from './handover.job';
export { RECORD_RECOVERY_JOB } from './record-recovery.job';
export { POOL_RECLAIM_JOB } from './pool-reclaim.job';
export { ASSIGNMENT_RETURN_JOB } from './assignment-return.job';
export { REMINDER_PASS_JOB } from './reminder-pass.job';
export { REMINDER_POLICIES_JOB } from './reminder-policies.job';
export { REPORT_PUSH_JOB } from './report-push.job';
export { REPORT_REBUILD_JOB } from './report-rebuild.job';
export { dueDay, runOnceADay } from './once-a-day';
export { WEBHOOK_DISPATCH_JOB } from './webhook-dispatch.job';
export { WEBHOOK_SEND_JOB } from './webhook-send.job';
export { DIRECTORY_SYNC_JOB } from './directory-sync.job';

/** What the jobs call: narrow ports onto the services and the bot (the composition root fills them in). */
export interface JobPorts {
  config: Pick<Config, 'reminders' | 'approvals' | 'leases' | 'handover'>;
  logger: Logger;
  reminders: { pass(): Promise<number>; policiesOnce(): Promise<unknown> };
  approvals: { sweep(): Promise<{ failed: number }> };
  chat: { recoverPending(): Promise<unknown> };
  /** The weekly report card and the team alerts to managers in chat. */
  reportPush: { runDue(): Promise<unknown> };
  /** The report roll-ups' nightly rebuild. */
  reportRebuild: { runDue(): Promise<unknown> };
  /** The modules that finish records a stopped process left pending (customers, follow-ups). */
  records: Array<{ recoverPending(): Promise<unknown> }>;
  /** The scheduled daily backup (server/src/backup; a check every 5 min, off unless BACKUP_DAILY_AT). */
  backups: { runDue(): Promise<unknown> };
  /** Imports: one slice of a real run or rollback; true while there is more. */
  imports: { work(): Promise<boolean> };
  /** Pools (公海): the reclaim pass, every `everyMs`. */
  pools: { run(): Promise<{ reclaimed: number; warned: number; failed: number }>; everyMs: number };
  /** Lead assignment: leads not accepted in time go back to the pool. */
  assignments: { sweep(): Promise<{ returned: number }> };
  /** Hand-overs due to advance. */
  handovers: { runDue(): Promise<number> };
  /** Outbound webhooks: the audit-log dispatcher and the sender. */
  webhooks: { dispatch(): Promise<number>; send(): Promise<number> };
  /** The scheduled directory sync (left out: no sync configured). */
  directory?: { sync(): Promise<unknown> };
  directoryEveryMs?: number;
}

export function systemJobs(p: JobPorts): Job[] {
  const { reminders, approvals } = p.config;
  return [
    chatRecoveryJob({ recoverPending: () => p.chat.recoverPending() }),
    recordRecoveryJob({ recoverers: p.records.map((r) => () => r.recoverPending()) }),
    backupJob({ runDue: () => p.backups.runDue() }),
    reminderPassJob({ pass: () => p.reminders.pass(), everyMs: reminders.scheduler.tickMs }),
    reminderPoliciesJob({ policiesOnce: () => p.reminders.policiesOnce(), everyMs: reminders.scheduler.policyEveryMinutes * 60_000 }),
    reportPushJob({ runDue: () => p.reportPush.runDue(), leaseMs: p.config.leases.jobMs }),
    reportRebuildJob({ runDue: () => p.reportRebuild.runDue() }),
    approvalSweepJob({ sweep: () => p.approvals.sweep(), everyMs: approvals.sweepIntervalSeconds * 1000, leaseMs: p.config.leases.jobMs, logger: p.logger }),
    importJob({ work: () => p.imports.work() }),
    poolReclaimJob({ run: () => p.pools.run(), everyMs: p.pools.everyMs, logger: p.logger }),
    assignmentReturnJob({ sweep: () => p.assignments.sweep() }),
    handoverJob({ runDue: () => p.handovers.runDue(), everyMs: p.config.handover.tickMs }),
    webhookDispatchJob({ dispatch: () => p.webhooks.dispatch() }),
    webhookSendJob({ send: () => p.webhooks.send() }),
    ...(p.directory ? [directorySyncJob({ sync: () => p.directory!.sync(), everyMs: p.directoryEveryMs ?? 3600_000 })] : []),
  ];
}

export function createJobRunner(p: JobPorts & { leases: JobLeasePort; now?: () => Date; workerId?: string; metrics?: Metrics }): JobRunner {
  return new JobRunner(systemJobs(p), { logger: p.logger, leases: p.leases, now: p.now, workerId: p.workerId, metrics: p.metrics });
}
