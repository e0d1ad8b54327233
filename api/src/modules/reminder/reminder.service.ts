import { Types, type Connection, type Model } from 'mongoose';
import {
  CUSTOMER_TIERS,
  dayBounds,
  dayKey,
  FOLLOW_UP_TYPE_LABELS,
  snoozeUntil,
  type CompleteRemindersResult,
  type ReminderBox,
  type ReminderCounts,
  type ReminderDto,
  type SnoozePreset,
  type StageDefinition,
} from '@crm/shared';
import type { ReminderPolicy } from '@crm/config';
import type { Actor, RequestMeta } from '../../context';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import type { CustomerService } from '../customer/customer.service';
import type { FollowUpDoc } from '../follow-up/follow-up.model';
import type { FollowUpEvents } from '../follow-up/follow-up.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import { reminderModel, type Reminder, type ReminderDeliveryRecord, type ReminderDoc } from './reminder.model';

/** Statuses a reminder can still be completed or snoozed from. */
export const OPEN_STATUSES = ['scheduled', 'sending', 'sent', 'failed'] as const;

type Stored = Reminder & { _id: Types.ObjectId };
const oid = (id: string | Types.ObjectId) => (typeof id === 'string' ? new Types.ObjectId(id) : id);
const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/** A reminder with what a card needs to say about it. */
export interface ReminderView extends Reminder {
  _id: Types.ObjectId;
  customerName: string | null;
  /** The customer's name alone (cards with little room). */
  customerShort: string | null;
  lastContactAt: Date | null;
  /** A team reminder: the rep it is about. */
  aboutUser: { id: string; name: string } | null;
}

export interface DigestContent {
  day: string;
  dueToday: ReminderView[];
  overdue: ReminderView[];
  /** Reminders that fell due in quiet hours or at the weekend, delivered here instead of as pushes. */
  folded: ReminderView[];
  stalledDeals: number;
  /** Managers: their people's overdue reminders, by person (largest first). */
  team: Array<{ userId: string; name: string; overdue: number; stalled: number }>;
}

export class ReminderService implements FollowUpEvents {
  readonly model: Model<Reminder>;

  constructor(
    conn: Connection,
    private readonly deps: {
      org: OrgService;
      customers: CustomerService;
      opportunities: OpportunityService;
      audit: AuditService;
      policy: ReminderPolicy;
      stages: StageDefinition[];
      businessTz: string;
      now: () => Date;
    },
  ) {
    this.model = reminderModel(conn);
  }

  // ---- sources -------------------------------------------------------------------------------

  /** FollowUpEvents: a follow-up's next step becomes (or moves, or cancels) its reminder to the author. */
  async nextStepChanged(followUp: FollowUpDoc): Promise<void> {
    const dedupeKey = `next-step:${String(followUp._id)}`;
    if (!followUp.nextStep) {
      await this.model
        .updateOne(
          { dedupeKey, status: { $in: ['scheduled', 'sending', 'failed'] } },
          { $set: { status: 'cancelled', outcome: '下一步已取消', leaseUntil: null } },
        )
        .exec();
      return;
    }
    const customer = await this.deps.customers.customers.findById(followUp.customerId, { name: 1, company: 1 }).lean().exec();
    const title = `跟进提醒：${customer ? customerLabel(customer) : '客户'}`;
    const moved = {
      dueAt: followUp.nextStep.dueAt,
      text: followUp.nextStep.text,
      title,
      status: 'scheduled',
      attempts: 0,
      retryAt: null,
      leaseUntil: null,
      leaseOwner: null,
      lastError: null,
    };
    try {
      await this.model
        .updateOne(
          { dedupeKey, status: { $ne: 'done' } },
          {
            $set: moved,
            $setOnInsert: { kind: 'next-step', userId: followUp.authorId, customerId: followUp.customerId, followUpId: followUp._id, opportunityId: null },
          },
          { upsert: true },
        )
        .exec();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // already done: a completed reminder stays completed
    }
  }

  /**
   * Stalled deals and cold customers, evaluated now. Idempotent (one reminder per dedupe key, whoever
   * runs it and however often): the key carries the source's version (stage entry time, last follow-up
   * time), so a deal that moves on or a customer who is contacted gets a fresh key and the old one is
   * cancelled when it comes up for sending.
   */
  async runPolicies(): Promise<{ stalled: number; cold: number }> {
    const now = this.deps.now();
    const { policy } = this.deps;
    const rows: Array<Partial<Reminder> & { dedupeKey: string }> = [];
    const openStages = this.deps.stages.flatMap((s) => (s.outcome === 'open' && s.slaDays ? [{ ...s, slaDays: s.slaDays }] : []));
    const opportunities = this.deps.opportunities.model;
    for (const stage of openStages) {
      const limit = new Date(now.getTime() - stage.slaDays * 86_400_000);
      const deals = await opportunities
        .find({ stage: stage.key, stageEnteredAt: { $lt: limit }, ownerId: { $ne: null } }, { name: 1, customerId: 1, ownerId: 1, stageEnteredAt: 1 })
        .lean<Array<{ _id: Types.ObjectId; name: string; customerId: Types.ObjectId; ownerId: Types.ObjectId | null; stageEnteredAt: Date }>>()
        .exec();
      const owners = await this.deps.org.users
        .find({ _id: { $in: [...new Set(deals.map((d) => String(d.ownerId)))].map(oid) } }, { leaderId: 1, name: 1 })
        .lean()
        .exec();
      const leaderOf = new Map(owners.map((o) => [String(o._id), o.leaderId]));
      const nameOf = new Map(owners.map((o) => [String(o._id), o.name]));
      for (const d of deals) {
        const version = String(d.stageEnteredAt.getTime());
        const dueAt = new Date(d.stageEnteredAt.getTime() + stage.slaDays * 86_400_000);
        const base = { kind: 'stalled-opportunity' as const, customerId: d.customerId, opportunityId: d._id, followUpId: null, sourceVersion: version };
        rows.push({
          ...base,
          dedupeKey: `stalled:${String(d._id)}:${stage.key}:${version}`,
          userId: d.ownerId!,
          dueAt,
          title: `商机停滞：${d.name}`,
          text: `已在“${stage.name}”阶段超过 ${stage.slaDays} 天，请推进或更新阶段`,
        });
        const leader = leaderOf.get(String(d.ownerId));
        const managerDue = new Date(dueAt.getTime() + policy.stalledManagerAfterDays * 86_400_000);
        if (leader && managerDue <= now) {
          rows.push({
            ...base,
            dedupeKey: `stalled-manager:${String(d._id)}:${stage.key}:${version}`,
            userId: leader,
            aboutUserId: d.ownerId!,
            dueAt: managerDue,
            title: `团队商机停滞：${d.name}（${nameOf.get(String(d.ownerId)) ?? '负责人'}）`,
            text: `已在“${stage.name}”阶段超过 ${stage.slaDays + policy.stalledManagerAfterDays} 天，负责人 ${nameOf.get(String(d.ownerId)) ?? ''} 尚未推进`,
          });
        }
      }
    }
    let cold = 0;
    for (const tier of CUSTOMER_TIERS) {
      const days = policy.coldDaysByTier[tier];
      if (!days) continue;
      const limit = new Date(now.getTime() - days * 86_400_000);
      const customers = await this.deps.customers.customers
        .find(
          { tier, status: 'owned', ownerId: { $ne: null }, $or: [{ lastFollowUpAt: { $lt: limit } }, { lastFollowUpAt: null, createdAt: { $lt: limit } }] },
          { name: 1, company: 1, ownerId: 1, lastFollowUpAt: 1, createdAt: 1 },
        )
        .lean()
        .exec();
      for (const c of customers) {
        const since = c.lastFollowUpAt ?? c.createdAt;
        const version = String(since.getTime());
        cold += 1;
        rows.push({
          kind: 'cold-customer',
          dedupeKey: `cold:${String(c._id)}:${version}`,
          userId: c.ownerId!,
          dueAt: new Date(since.getTime() + days * 86_400_000),
          customerId: c._id,
          opportunityId: null,
          followUpId: null,
          sourceVersion: version,
          title: `久未跟进：${customerLabel(c)}`,
          text: `${tier} 级客户已 ${Math.floor((now.getTime() - since.getTime()) / 86_400_000)} 天没有跟进（要求每 ${days} 天至少一次）`,
        });
      }
    }
    await this.insertNew(rows);
    return { stalled: rows.length - cold, cold };
  }

  /**
   * Next steps written without going through FollowUpService (the demo seed, an import) become
   * reminders too. Only steps not older than `sinceDays`; existing reminders are left as they are.
   */
  async backfillNextSteps(sinceDays = 30): Promise<number> {
    const since = new Date(this.deps.now().getTime() - sinceDays * 86_400_000);
    const rows = await this.deps.customers.customers.db
      .collection('follow_ups')
      .find({ 'nextStep.dueAt': { $gte: since } }, { projection: { customerId: 1, authorId: 1, nextStep: 1 } })
      .toArray();
    const customers = await this.deps.customers.customers
      .find({ _id: { $in: [...new Set(rows.map((r) => String(r.customerId)))].map(oid) } }, { name: 1, company: 1 })
      .lean()
      .exec();
    const label = new Map(customers.map((c) => [String(c._id), customerLabel(c)]));
    await this.insertNew(
      rows.map((f) => ({
        kind: 'next-step' as const,
        dedupeKey: `next-step:${String(f._id)}`,
        userId: f.authorId as Types.ObjectId,
        dueAt: (f.nextStep as { dueAt: Date }).dueAt,
        title: `跟进提醒：${label.get(String(f.customerId)) ?? '客户'}`,
        text: (f.nextStep as { text: string }).text,
        customerId: f.customerId as Types.ObjectId,
        opportunityId: null,
        followUpId: f._id as Types.ObjectId,
        sourceVersion: null,
      })),
    );
    return rows.length;
  }

  /** Inserts reminders whose key is new; existing keys are left as they are (one unordered round trip). */
  private async insertNew(rows: Array<Partial<Reminder> & { dedupeKey: string }>): Promise<void> {
    if (!rows.length) return;
    const now = this.deps.now();
    const docs = rows.map((r) => ({
      status: 'scheduled',
      attempts: 0,
      leaseUntil: null,
      leaseOwner: null,
      retryAt: null,
      lastError: null,
      delivery: null,
      sentAt: null,
      doneAt: null,
      outcome: null,
      createdAt: now,
      updatedAt: now,
      ...r,
    }));
    await this.model.collection.insertMany(docs, { ordered: false }).catch((err: unknown) => {
      const writeErrors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors ?? [];
      const real = writeErrors.filter((e) => (e.code ?? e.err?.code) !== 11000);
      if (!writeErrors.length || real.length) throw err;
    });
  }

  /** Morning digests for today: one per person with something to hear about (dedupe key per day). */
  async enqueueDigests(): Promise<number> {
    const now = this.deps.now();
    const { end } = dayBounds(now, this.deps.businessTz);
    const due = (await this.model
      .distinct('userId', { kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] }, dueAt: { $lt: end } })
      .exec()) as Types.ObjectId[];
    const users = await this.deps.org.users
      .find({ _id: { $in: due }, status: 'active' }, { leaderChain: 1 })
      .lean()
      .exec();
    const recipients = new Set<string>();
    for (const u of users) {
      recipients.add(String(u._id));
      if (u.leaderChain[0]) recipients.add(String(u.leaderChain[0]));
    }
    const day = dayKey(now, this.deps.businessTz);
    await this.insertNew(
      [...recipients].map((userId) => ({
        kind: 'digest' as const,
        dedupeKey: `digest:${userId}:${day}`,
        userId: oid(userId),
        dueAt: now,
        title: '今日跟进摘要',
        text: '',
        customerId: null,
        opportunityId: null,
        followUpId: null,
        sourceVersion: day,
      })),
    );
    return recipients.size;
  }

  // ---- delivery (the scheduler's side) ---------------------------------------------------------

  /**
   * Claims up to `limit` due reminders for this worker with a lease: a batch of candidates is taken
   * with one conditional updateMany (the status / lease filter is re-checked per document, so two
   * workers never both win one), and the winners are read back by the pass's own token. Items a dead
   * worker held come back when their lease runs out.
   */
  async claimDue(opts: { owner: string; limit: number; dueFrom: Date | null; userId?: Types.ObjectId; anyHourOnly?: boolean }): Promise<ReminderDoc[]> {
    const now = this.deps.now();
    const { leaseMs } = this.deps.policy.scheduler;
    const claimable: Record<string, unknown> = {
      $or: [
        {
          status: 'scheduled',
          dueAt: { $lte: now, ...(opts.dueFrom ? { $gte: opts.dueFrom } : {}) },
          $and: [{ $or: [{ retryAt: null }, { retryAt: { $lte: now } }] }],
        },
        { status: 'sending', leaseUntil: { $lt: now } },
      ],
    };
    if (opts.userId) claimable.userId = opts.userId;
    // in quiet hours only reminders not bound by them (the demo's first one)
    if (opts.anyHourOnly) claimable.anyHour = true;
    // By person, so a person's due reminders arrive in one pass and a burst folds into one summary.
    const candidates = await this.model.find(claimable, { _id: 1 }).sort({ userId: 1, dueAt: 1 }).limit(opts.limit).lean().exec();
    if (!candidates.length) return [];
    const token = `${opts.owner}:${now.getTime()}:${new Types.ObjectId().toHexString()}`;
    await this.model
      .updateMany(
        { _id: { $in: candidates.map((c) => c._id) }, ...claimable },
        { $set: { status: 'sending', leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: token }, $inc: { attempts: 1 } },
      )
      .exec();
    return this.model.find({ leaseOwner: token, status: 'sending' }).sort({ userId: 1, dueAt: 1 }).exec();
  }

  /**
   * Before sending: is the reminder still true? A completed follow-up step, a deal that moved on, a
   * customer contacted since: cancelled, with the reason kept.
   */
  async stillCurrent(r: ReminderDoc): Promise<boolean> {
    let reason: string | null = null;
    if (r.kind === 'stalled-opportunity' && r.opportunityId) {
      const deal = await this.deps.opportunities.model.findById(r.opportunityId, { stageEnteredAt: 1, closedAt: 1 }).lean().exec();
      if (!deal || deal.closedAt || String(deal.stageEnteredAt.getTime()) !== r.sourceVersion) reason = '商机已推进或关闭';
    } else if (r.kind === 'cold-customer' && r.customerId) {
      const c = await this.deps.customers.customers.findById(r.customerId, { lastFollowUpAt: 1, createdAt: 1, ownerId: 1, status: 1 }).lean().exec();
      if (!c || c.status !== 'owned' || !c.ownerId?.equals(r.userId) || String((c.lastFollowUpAt ?? c.createdAt).getTime()) !== r.sourceVersion)
        reason = '客户已跟进或已转移';
    }
    if (!reason) return true;
    await this.model.updateOne({ _id: r._id, status: 'sending' }, { $set: { status: 'cancelled', outcome: reason, leaseUntil: null } }).exec();
    return false;
  }

  /** Marks claimed reminders sent (only if still ours: a lease lost to another worker is not overwritten). */
  async markSent(ids: Types.ObjectId[], delivery: ReminderDeliveryRecord): Promise<void> {
    await this.model
      .updateMany({ _id: { $in: ids }, status: 'sending' }, { $set: { status: 'sent', sentAt: delivery.sentAt, delivery, leaseUntil: null, lastError: null } })
      .exec();
  }

  /** A failed send: retried with backoff (1, 2, 4 … minutes), then `failed` for good, with the error kept either way. */
  async markFailed(r: ReminderDoc, error: string, opts: { permanent?: boolean; maxAttempts: number }): Promise<void> {
    const now = this.deps.now();
    const giveUp = opts.permanent || r.attempts >= opts.maxAttempts;
    await this.model
      .updateOne(
        { _id: r._id, status: 'sending' },
        {
          $set: giveUp
            ? { status: 'failed', lastError: error, leaseUntil: null, outcome: '发送失败' }
            : { status: 'scheduled', lastError: error, leaseUntil: null, retryAt: new Date(now.getTime() + 60_000 * 2 ** Math.max(0, r.attempts - 1)) },
        },
      )
      .exec();
  }

  /** Back to scheduled, not before `until`, without counting as an attempt (the send budget was full). */
  async defer(ids: Types.ObjectId[], until: Date): Promise<void> {
    await this.model
      .updateMany({ _id: { $in: ids }, status: 'sending' }, { $set: { status: 'scheduled', retryAt: until, leaseUntil: null }, $inc: { attempts: -1 } })
      .exec();
  }

  /** Reminders a digest delivers instead of pushes: due before `before` (overnight, at the weekend), still scheduled. */
  async foldIntoDigest(userId: Types.ObjectId, before: Date, delivery: ReminderDeliveryRecord): Promise<void> {
    await this.model
      .updateMany(
        { userId, kind: { $ne: 'digest' }, status: 'scheduled', dueAt: { $lt: before } },
        { $set: { status: 'sent', sentAt: delivery.sentAt, delivery: { ...delivery, folded: true } } },
      )
      .exec();
  }

  /** Enriches reminders with the customer's name and last contact, for cards. */
  async views(reminders: Array<Reminder & { _id: Types.ObjectId }>): Promise<ReminderView[]> {
    const ids = [...new Set(reminders.map((r) => r.customerId).filter((id): id is Types.ObjectId => !!id))];
    const customers = ids.length
      ? await this.deps.customers.customers
          .find({ _id: { $in: ids } }, { name: 1, company: 1, lastFollowUpAt: 1 })
          .lean()
          .exec()
      : [];
    const byId = new Map(customers.map((c) => [String(c._id), c]));
    const aboutIds = [...new Set(reminders.flatMap((r) => (r.aboutUserId ? [String(r.aboutUserId)] : [])))];
    const about = aboutIds.length
      ? await this.deps.org.users
          .find({ _id: { $in: aboutIds.map(oid) } }, { name: 1 })
          .lean()
          .exec()
      : [];
    const nameOf = new Map(about.map((u) => [String(u._id), u.name]));
    return reminders.map((r) => {
      const plain = 'toObject' in r && typeof r.toObject === 'function' ? (r.toObject() as Reminder & { _id: Types.ObjectId }) : r;
      const c = r.customerId ? byId.get(String(r.customerId)) : undefined;
      const aboutId = r.aboutUserId ? String(r.aboutUserId) : null;
      return {
        ...plain,
        aboutUserId: plain.aboutUserId ?? null,
        customerName: c ? customerLabel(c) : null,
        customerShort: c ? c.name : null,
        lastContactAt: c?.lastFollowUpAt ?? null,
        aboutUser: aboutId ? { id: aboutId, name: nameOf.get(aboutId) ?? '负责人' } : null,
      };
    });
  }

  /** What a person's morning digest says, computed when it is sent. */
  async digestContent(userId: Types.ObjectId, foldBefore: Date | null): Promise<DigestContent> {
    const now = this.deps.now();
    const { start, end } = dayBounds(now, this.deps.businessTz);
    const open: Record<string, unknown> = { userId, kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] } };
    const [dueToday, overdue, folded, stalledDeals] = await Promise.all([
      this.model
        .find({ ...open, dueAt: { $gte: start, $lt: end } })
        .sort({ dueAt: 1 })
        .limit(20)
        .lean<Stored[]>()
        .exec(),
      this.model
        .find({ ...open, dueAt: { $lt: start } })
        .sort({ dueAt: 1 })
        .limit(20)
        .lean<Stored[]>()
        .exec(),
      foldBefore
        ? this.model
            .find({ ...open, status: 'scheduled', dueAt: { $lt: foldBefore } })
            .sort({ dueAt: 1 })
            .limit(20)
            .lean<Stored[]>()
            .exec()
        : Promise.resolve([] as Stored[]),
      this.model.countDocuments({ ...open, kind: 'stalled-opportunity' }).exec(),
    ]);
    const reports = await this.deps.org.users.find({ leaderId: userId, status: 'active' }, { name: 1 }).lean().exec();
    const team: DigestContent['team'] = [];
    for (const rep of reports) {
      const mine: Record<string, unknown> = { userId: rep._id, kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] } };
      const [late, stalled] = await Promise.all([
        this.model.countDocuments({ ...mine, dueAt: { $lt: now } }).exec(),
        this.model.countDocuments({ ...mine, kind: 'stalled-opportunity' }).exec(),
      ]);
      if (late || stalled) team.push({ userId: String(rep._id), name: rep.name, overdue: late, stalled });
    }
    team.sort((a, b) => b.overdue - a.overdue);
    return {
      day: dayKey(now, this.deps.businessTz),
      dueToday: await this.views(dueToday),
      overdue: await this.views(overdue),
      folded: await this.views(folded),
      stalledDeals,
      team,
    };
  }

  // ---- the person's side (API, cards, chat) ----------------------------------------------------

  /** The person's own reminders (reminders are personal: nobody else's are listed). */
  async list(actor: Actor, box: ReminderBox, limit = 100): Promise<ReminderView[]> {
    const rows = await this.model
      .find(this.boxFilter(actor, box))
      // overdue: the most recently overdue first (what slipped yesterday matters more than what slipped in May)
      .sort({ dueAt: box === 'overdue' ? -1 : 1, _id: 1 })
      .limit(limit)
      .lean()
      .exec();
    return this.views(rows);
  }

  /** Open reminders per box, for the tabs. */
  async counts(actor: Actor): Promise<ReminderCounts> {
    const boxes = ['today', 'overdue', 'upcoming', 'team'] as const;
    const n = await Promise.all(boxes.map((b) => this.model.countDocuments(this.boxFilter(actor, b)).exec()));
    return { today: n[0]!, overdue: n[1]!, upcoming: n[2]!, team: n[3]! };
  }

  private boxFilter(actor: Actor, box: ReminderBox): Record<string, unknown> {
    const now = this.deps.now();
    const { start, end } = dayBounds(now, this.deps.businessTz);
    const open = { userId: actor.user._id, kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] } };
    if (box === 'team') return { ...open, aboutUserId: { $ne: null } };
    return { ...open, dueAt: box === 'today' ? { $gte: start, $lt: end } : box === 'overdue' ? { $lt: now } : { $gte: end } };
  }

  /**
   * 完成 for several of the caller's own reminders (multi-select, 全部完成): each one conditional on being
   * the caller's and still open, so a repeat or a race completes each once; the rest are reported, not failed.
   */
  async completeMany(actor: Actor, meta: RequestMeta, ids: string[], outcome = '已完成'): Promise<CompleteRemindersResult> {
    const out: CompleteRemindersResult = { completed: [], skipped: [] };
    for (const id of [...new Set(ids)]) {
      const { reminder, changed } = await this.complete(actor, meta, id, outcome).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return { reminder: null, changed: false };
        throw err;
      });
      if (changed) out.completed.push(id);
      else out.skipped.push({ id, reason: reminder ? 'not-open' : 'not-found' });
    }
    return out;
  }

  /**
   * A follow-up was logged (FollowUpEvents.followUpLogged): the author's open next-step reminders of that
   * customer from earlier follow-ups are settled (done, "已跟进（拜访）") when they are due by the end of
   * today, or whatever their time when the new follow-up plans a next step of its own (it replaces them);
   * the customer's open cold-customer reminders are settled too (the customer was just contacted). Idempotent:
   * every change is conditional on the reminder being open, so a recovery rerun changes nothing more.
   */
  async followUpLogged(followUp: FollowUpDoc): Promise<void> {
    const now = this.deps.now();
    const { end } = dayBounds(now, this.deps.businessTz);
    const outcome = `已跟进（${FOLLOW_UP_TYPE_LABELS[followUp.type] ?? '跟进'}）`;
    const open = { status: { $in: [...OPEN_STATUSES] }, customerId: followUp.customerId };
    await this.model
      .updateMany(
        {
          $or: [
            {
              ...open,
              kind: 'next-step',
              userId: followUp.authorId,
              followUpId: { $ne: followUp._id },
              ...(followUp.nextStep ? {} : { dueAt: { $lt: end } }),
            },
            { ...open, kind: 'cold-customer' },
          ],
        },
        { $set: { status: 'done', doneAt: now, outcome, leaseUntil: null } },
      )
      .exec();
  }

  /**
   * 提醒他: a manager's team reminder is answered by nudging the rep it is about: the rep gets a reminder now
   * ("张伟 提醒你推进：…", keyed `nudge:<reminder>` so a second tap sends nothing more) and the manager's
   * reminder is settled ("已提醒 刘洋"). Only on the caller's own team reminders.
   */
  async nudge(actor: Actor, meta: RequestMeta, id: string | Types.ObjectId): Promise<{ reminder: ReminderDoc; changed: boolean; aboutName: string }> {
    const r = await this.get(actor, id);
    if (!r.aboutUserId) throw new AppError(409, CommonErrorCode.CONFLICT, '这条提醒不是团队提醒，无法提醒他人');
    const rep = await this.deps.org.findActiveUserById(r.aboutUserId);
    if (!rep) throw new AppError(409, CommonErrorCode.CONFLICT, '负责人已离职或不存在，请先转交客户');
    const now = this.deps.now();
    const outcome = `已提醒 ${rep.name}`;
    const settled = await this.model
      .findOneAndUpdate(
        { _id: r._id, userId: actor.user._id, status: { $in: [...OPEN_STATUSES] } },
        { $set: { status: 'done', doneAt: now, outcome, leaseUntil: null } },
        { returnDocument: 'after' },
      )
      .exec();
    if (!settled) return { reminder: r, changed: false, aboutName: rep.name };
    const deal = r.opportunityId ? await this.deps.opportunities.model.findById(r.opportunityId, { name: 1 }).lean().exec() : null;
    await this.insertNew([
      {
        kind: r.kind,
        dedupeKey: `nudge:${String(r._id)}`,
        userId: rep._id,
        dueAt: now,
        title: `${actor.user.name} 提醒你推进：${deal?.name ?? r.title.replace(/^[^：]*：/, '')}`,
        text: `${r.text.replace(/，负责人.*尚未推进$/, '')}，请尽快推进或更新阶段`,
        customerId: r.customerId,
        opportunityId: r.opportunityId,
        followUpId: null,
        sourceVersion: r.sourceVersion,
      },
    ]);
    await this.deps.audit.record(meta, { action: 'reminder.nudge', entityType: 'reminder', entityId: r._id, note: outcome });
    return { reminder: settled, changed: true, aboutName: rep.name };
  }

  async get(actor: Actor, id: string | Types.ObjectId): Promise<ReminderDoc> {
    const r = Types.ObjectId.isValid(id) ? await this.model.findOne({ _id: oid(id), userId: actor.user._id, kind: { $ne: 'digest' } }).exec() : null;
    if (!r) throw notFound('提醒');
    return r;
  }

  /** 完成: one conditional update; a second tap finds it done already and changes nothing. */
  async complete(actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, outcome = '已完成'): Promise<{ reminder: ReminderDoc; changed: boolean }> {
    const now = this.deps.now();
    const done = await this.model
      .findOneAndUpdate(
        { _id: oid(id), userId: actor.user._id, kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] } },
        { $set: { status: 'done', doneAt: now, outcome, leaseUntil: null } },
        { returnDocument: 'after' },
      )
      .exec();
    if (!done) return { reminder: await this.get(actor, id), changed: false };
    await this.deps.audit.record(meta, { action: 'reminder.complete', entityType: 'reminder', entityId: done._id, note: outcome });
    return { reminder: done, changed: true };
  }

  /** 延后: back to scheduled at the new time (the same reminder; its history stays). */
  async snooze(actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, to: { preset?: SnoozePreset; until?: Date }): Promise<ReminderDoc> {
    const now = this.deps.now();
    const until = to.until ?? snoozeUntil(to.preset ?? '1h', now, this.deps.businessTz);
    if (until.getTime() <= now.getTime()) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '延后的时间必须晚于现在', { details: [{ path: 'body.until', message: 'in the past' }] });
    }
    const moved = await this.model
      .findOneAndUpdate(
        { _id: oid(id), userId: actor.user._id, kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] } },
        { $set: { status: 'scheduled', dueAt: until, attempts: 0, retryAt: null, leaseUntil: null, leaseOwner: null, lastError: null } },
        { returnDocument: 'after' },
      )
      .exec();
    if (!moved) {
      const existing = await this.get(actor, id);
      throw new AppError(409, CommonErrorCode.CONFLICT, existing.status === 'done' ? '这条提醒已经完成了' : '这条提醒已取消');
    }
    await this.deps.audit.record(meta, { action: 'reminder.snooze', entityType: 'reminder', entityId: moved._id, note: until.toISOString() });
    return moved;
  }

  /** The reminder a chat reply most likely answers: the latest one sent to this person within the reply window. */
  async latestAnswerable(userId: Types.ObjectId): Promise<ReminderDoc | null> {
    const since = new Date(this.deps.now().getTime() - this.deps.policy.replyWindowMinutes * 60_000);
    return this.model
      .findOne({ userId, kind: { $ne: 'digest' }, customerId: { $ne: null }, status: 'sent', sentAt: { $gte: since }, 'delivery.folded': false })
      .sort({ sentAt: -1 })
      .exec();
  }

  /** A card tap reaches the reminders the card shows; the latest response code is remembered for redraws. */
  async rememberResponseCode(taskId: string, responseCode: string): Promise<void> {
    await this.model.updateMany({ 'delivery.taskId': taskId }, { $set: { 'delivery.responseCode': responseCode } }).exec();
  }

  /**
   * A user left: their reminders still to be sent go to the current owner of each reminder's customer
   * (when that is someone active other than the leaver), else to `successorId`; their morning digests are
   * cancelled. Each move is conditional on the reminder still being scheduled for the leaver, and audited.
   */
  async retargetFromLeaver(meta: RequestMeta, leaverId: Types.ObjectId, successorId: Types.ObjectId | null): Promise<{ moved: number; cancelled: number }> {
    const open = await this.model.find({ userId: leaverId, status: 'scheduled' }).lean<Stored[]>().exec();
    const out = { moved: 0, cancelled: 0 };
    const ownerOf = new Map<string, Types.ObjectId | null>();
    for (const r of open) {
      let to: Types.ObjectId | null = successorId;
      if (r.kind !== 'digest' && r.customerId) {
        const key = String(r.customerId);
        if (!ownerOf.has(key)) {
          const c = await this.deps.customers.customers.findById(r.customerId, { ownerId: 1, status: 1 }).lean().exec();
          const owner = c?.status === 'owned' && c.ownerId && !c.ownerId.equals(leaverId) ? await this.deps.org.findActiveUserById(c.ownerId) : null;
          ownerOf.set(key, owner?._id ?? null);
        }
        to = ownerOf.get(key) ?? successorId;
      }
      if (r.kind === 'digest' || !to) {
        const res = await this.model
          .updateOne({ _id: r._id, userId: leaverId, status: 'scheduled' }, { $set: { status: 'cancelled', outcome: '收件人已离职' } })
          .exec();
        if (res.modifiedCount === 1) out.cancelled += 1;
        continue;
      }
      const res = await this.model.updateOne({ _id: r._id, userId: leaverId, status: 'scheduled' }, { $set: { userId: to } }).exec();
      if (res.modifiedCount !== 1) continue;
      out.moved += 1;
      await this.deps.audit.record(meta, {
        action: 'reminder.reassign',
        entityType: 'reminder',
        entityId: r._id,
        changes: { userId: { before: leaverId, after: to } },
        note: '原收件人已离职',
      });
    }
    return out;
  }
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

function customerLabel(c: { name: string; company?: string | null }): string {
  return c.company ? `${c.name}（${c.company}）` : c.name;
}
