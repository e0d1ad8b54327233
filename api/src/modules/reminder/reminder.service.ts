import type { Connection, Types } from 'mongoose';
import type { ReminderDto } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { FollowUpDoc } from '../follow-up/follow-up.model';
import type { FollowUpEvents } from '../follow-up/follow-up.service';
import { MongoJobLeases, type JobLeasePort } from '../../db/job-lease';
import { ReminderDeliveries } from './reminder.delivery';
import { ReminderReadModel, type DigestContent, type ReminderView } from './reminder.digest';
import type { ReminderDeliveryRecord, ReminderDoc } from './reminder.model';
import { PersonReminders } from './reminder.person';
import { ReminderSources, type NextStepSource } from './reminder.sources';
import { ReminderStore, type ReminderDeps } from './reminder.store';
import { reportReaderOf, type ReportReader } from '../report/report-read';

export { OPEN_STATUSES } from './reminder.store';
export type { DigestContent, ReminderView } from './reminder.digest';
export type { NextStepSource } from './reminder.sources';

/**
 * The reminder module's one entry point, a thin facade over its parts (each in its own file, on one
 * private collection): `ReminderSources` (next steps, stalled deals, cold customers, digests, leavers),
 * `ReminderDeliveries` (claim / lease / settle, for the scheduler), `ReminderReadModel` (card views and
 * the digest) and `PersonReminders` (list / complete / snooze / nudge).
 */
export class ReminderService implements FollowUpEvents {
  private readonly sources: ReminderSources;
  private readonly deliveries: ReminderDeliveries;
  private readonly read: ReminderReadModel;
  private readonly person: PersonReminders;
  /** The scheduler's leases (one digest / policy run per period, whoever runs it), on this connection. */
  readonly jobLeases: JobLeasePort;
  readonly #reportReader: ReportReader<unknown>;

  constructor(conn: Connection, deps: ReminderDeps) {
    this.jobLeases = new MongoJobLeases(conn);
    const store = new ReminderStore(conn, deps.now);
    this.#reportReader = reportReaderOf(store.model);
    this.sources = new ReminderSources(store, deps);
    this.deliveries = new ReminderDeliveries(store, deps);
    this.read = new ReminderReadModel(store, deps);
    this.person = new PersonReminders(store, this.read, deps);
  }

  /** The reports' reads of reminders (adoption, team overdue; api/src/modules/report builds the filters). */
  reportReader(): ReportReader<unknown> {
    return this.#reportReader;
  }

  // ---- sources
  nextStepChanged = (f: FollowUpDoc): Promise<void> => this.sources.nextStepChanged(f);
  followUpLogged = (f: FollowUpDoc): Promise<void> => this.sources.followUpLogged(f);
  nextStepRecovered = (f: FollowUpDoc): Promise<boolean> => this.sources.nextStepRecovered(f);
  sendAnyHour = (followUpId: Types.ObjectId): Promise<void> => this.sources.sendAnyHour(followUpId);
  runPolicies = (): Promise<{ stalled: number; cold: number }> => this.sources.runPolicies();
  backfillNextSteps = (followUps: NextStepSource, sinceDays?: number): Promise<number> => this.sources.backfillNextSteps(followUps, sinceDays);
  enqueueDigests = (): Promise<number> => this.sources.enqueueDigests();
  retargetForCustomers = (meta: RequestMeta, fromId: Types.ObjectId, moves: Array<{ customerId: Types.ObjectId; toId: Types.ObjectId }>): Promise<number> =>
    this.sources.retargetForCustomers(meta, fromId, moves);
  retargetFromLeaver = (meta: RequestMeta, leaverId: Types.ObjectId, successorId: Types.ObjectId | null): Promise<{ moved: number; cancelled: number }> =>
    this.sources.retargetFromLeaver(meta, leaverId, successorId);

  // ---- delivery (the scheduler)
  claimDue = (opts: Parameters<ReminderDeliveries['claimDue']>[0]): Promise<ReminderDoc[]> => this.deliveries.claimDue(opts);
  stillCurrent = (r: ReminderDoc): Promise<boolean> => this.deliveries.stillCurrent(r);
  markSent = (ids: Types.ObjectId[], delivery: ReminderDeliveryRecord): Promise<void> => this.deliveries.markSent(ids, delivery);
  markFailed = (r: ReminderDoc, error: string, opts: { permanent?: boolean; maxAttempts: number }): Promise<void> => this.deliveries.markFailed(r, error, opts);
  defer = (ids: Types.ObjectId[], until: Date): Promise<void> => this.deliveries.defer(ids, until);
  foldIntoDigest = (userId: Types.ObjectId, before: Date, delivery: ReminderDeliveryRecord): Promise<void> =>
    this.deliveries.foldIntoDigest(userId, before, delivery);
  /** The person's reminders that went out on one card (the bot's card taps). */
  onCard = (userId: Types.ObjectId, taskId: string, opts?: { status?: 'sent'; ownOnly?: boolean }): Promise<ReminderDoc[]> =>
    this.deliveries.onCard(userId, taskId, opts);

  // ---- read model
  views = (reminders: Parameters<ReminderReadModel['views']>[0]): Promise<ReminderView[]> => this.read.views(reminders);
  digestContent = (userId: Types.ObjectId, foldBefore: Date | null): Promise<DigestContent> => this.read.digestContent(userId, foldBefore);

  // ---- the person's API
  list = (actor: Actor, box: Parameters<PersonReminders['list']>[1], limit?: number): Promise<ReminderView[]> => this.person.list(actor, box, limit);
  counts = (actor: Actor): ReturnType<PersonReminders['counts']> => this.person.counts(actor);
  get = (actor: Actor, id: string | Types.ObjectId): Promise<ReminderDoc> => this.person.get(actor, id);
  complete = (actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, outcome?: string): ReturnType<PersonReminders['complete']> =>
    this.person.complete(actor, meta, id, outcome);
  completeMany = (actor: Actor, meta: RequestMeta, ids: string[], outcome?: string): ReturnType<PersonReminders['completeMany']> =>
    this.person.completeMany(actor, meta, ids, outcome);
  snooze = (actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, to: Parameters<PersonReminders['snooze']>[3]): Promise<ReminderDoc> =>
    this.person.snooze(actor, meta, id, to);
  nudge = (actor: Actor, meta: RequestMeta, id: string | Types.ObjectId): ReturnType<PersonReminders['nudge']> => this.person.nudge(actor, meta, id);
  latestAnswerable = (userId: Types.ObjectId): Promise<ReminderDoc | null> => this.person.latestAnswerable(userId);
  answerable = (userId: Types.ObjectId, limit?: number): Promise<ReminderDoc[]> => this.person.answerable(userId, limit);
}

export function toReminderDto(r: ReminderView): ReminderDto {
  return {
    id: String(r._id),
    kind: r.kind === 'digest' ? 'next-step' : r.kind,
    status: r.status,
    dueAt: r.dueAt.toISOString(),
    title: r.title,
    text: r.text,
    userId: String(r.userId),
    customerId: r.customerId ? String(r.customerId) : null,
    customerName: r.customerName,
    aboutUser: r.aboutUser,
    opportunityId: r.opportunityId ? String(r.opportunityId) : null,
    followUpId: r.followUpId ? String(r.followUpId) : null,
    lastContactAt: r.lastContactAt ? r.lastContactAt.toISOString() : null,
    doneAt: r.doneAt ? r.doneAt.toISOString() : null,
  };
}
