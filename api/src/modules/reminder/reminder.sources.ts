import type { Types } from 'mongoose';
import { CUSTOMER_TIERS, dayBounds, dayKey, FOLLOW_UP_TYPE_LABELS } from '@crm/shared';
import type { RequestMeta } from '../../context';
import type { FollowUpDoc } from '../follow-up/follow-up.model';
import type { FollowUpEvents } from '../follow-up/follow-up.service';
import type { Reminder } from './reminder.model';
import { customerLabel, isDuplicateKey, oid, OPEN_STATUSES, type ReminderDeps, type ReminderStore, type Stored } from './reminder.store';

/** Where next steps written outside the follow-up service come from (the follow-up module). */
export interface NextStepSource {
  nextStepsSince(
    since: Date,
  ): Promise<Array<{ _id: Types.ObjectId; customerId: Types.ObjectId; authorId: Types.ObjectId; nextStep: { text: string; dueAt: Date } }>>;
}

/**
 * Where reminders come from and how they are settled by what happens elsewhere: follow-up next steps
 * (FollowUpEvents), the stalled-deal and cold-customer policies, the morning digests, a user who left.
 * Every write is keyed (`dedupeKey`) or conditional, so any number of workers can run them.
 */
export class ReminderSources implements FollowUpEvents {
  constructor(
    private readonly store: ReminderStore,
    private readonly deps: ReminderDeps,
  ) {}

  /** FollowUpEvents: a follow-up's next step becomes (or moves, or cancels) its reminder to the author. */
  async nextStepChanged(followUp: FollowUpDoc): Promise<void> {
    const dedupeKey = `next-step:${String(followUp._id)}`;
    if (!followUp.nextStep) {
      await this.store.model
        .updateOne(
          { dedupeKey, status: { $in: ['scheduled', 'sending', 'failed'] } },
          { $set: { status: 'cancelled', outcome: '下一步已取消', leaseUntil: null } },
        )
        .exec();
      return;
    }
    const [customer] = await this.deps.customers.labels([followUp.customerId]);
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
      await this.store.model
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
    await this.store.model
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

  /** A recovery rerun of a follow-up's create: its reminder is made only when none exists yet. True when it made one. */
  async nextStepRecovered(followUp: FollowUpDoc): Promise<boolean> {
    const made = await this.store.model.exists({ dedupeKey: `next-step:${String(followUp._id)}` }).exec();
    if (made) return false;
    await this.nextStepChanged(followUp);
    return true;
  }

  /** Demo data are not bound by quiet hours: a follow-up's next-step reminder arrives at any hour (the seed's first card). */
  async sendAnyHour(followUpId: Types.ObjectId): Promise<void> {
    await this.store.model.updateOne({ followUpId, kind: 'next-step' }, { $set: { anyHour: true } }).exec();
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
    for (const stage of openStages) {
      const limit = new Date(now.getTime() - stage.slaDays * 86_400_000);
      const deals = await this.deps.opportunities.stalledIn(stage.key, limit);
      const owners = await this.deps.org.leadersAndNames([...new Set(deals.map((d) => String(d.ownerId)))].map(oid));
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
      const customers = await this.deps.customers.coldSince(tier, limit);
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
    await this.store.insertNew(rows);
    return { stalled: rows.length - cold, cold };
  }

  /**
   * Next steps written without going through FollowUpService (the demo seed, an import) become
   * reminders too. Only steps not older than `sinceDays`; existing reminders are left as they are.
   */
  async backfillNextSteps(followUps: NextStepSource, sinceDays = 30): Promise<number> {
    const since = new Date(this.deps.now().getTime() - sinceDays * 86_400_000);
    const rows = await followUps.nextStepsSince(since);
    const customers = await this.deps.customers.labels([...new Set(rows.map((r) => String(r.customerId)))].map(oid));
    const label = new Map(customers.map((c) => [String(c._id), customerLabel(c)]));
    await this.store.insertNew(
      rows.map((f) => ({
        kind: 'next-step' as const,
        dedupeKey: `next-step:${String(f._id)}`,
        userId: f.authorId,
        dueAt: f.nextStep.dueAt,
        title: `跟进提醒：${label.get(String(f.customerId)) ?? '客户'}`,
        text: f.nextStep.text,
        customerId: f.customerId,
        opportunityId: null,
        followUpId: f._id,
        sourceVersion: null,
      })),
    );
    return rows.length;
  }

  /** Morning digests for today: one per person with something to hear about (dedupe key per day). */
  async enqueueDigests(): Promise<number> {
    const now = this.deps.now();
    const { end } = dayBounds(now, this.deps.businessTz);
    const due = (await this.store.model
      .distinct('userId', { kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] }, dueAt: { $lt: end } })
      .exec()) as Types.ObjectId[];
    const users = await this.deps.org.activeWithLeaderChain(due);
    const recipients = new Set<string>();
    for (const u of users) {
      recipients.add(String(u._id));
      if (u.leaderChain[0]) recipients.add(String(u.leaderChain[0]));
    }
    const day = dayKey(now, this.deps.businessTz);
    await this.store.insertNew(
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

  /**
   * A user left: their reminders still to be sent go to the current owner of each reminder's customer
   * (when that is someone active other than the leaver), else to `successorId`; their morning digests are
   * cancelled. Each move is conditional on the reminder still being scheduled for the leaver, and audited.
   */
  /** A hand-over in service: the rep's scheduled reminders about customers that moved go to each customer's new owner. */
  async retargetForCustomers(meta: RequestMeta, fromId: Types.ObjectId, moves: Array<{ customerId: Types.ObjectId; toId: Types.ObjectId }>): Promise<number> {
    const to = new Map(moves.map((m) => [String(m.customerId), m.toId]));
    const open = await this.store.model
      .find({ userId: fromId, status: 'scheduled', kind: { $ne: 'digest' }, customerId: { $in: moves.map((m) => m.customerId) } })
      .lean<Stored[]>()
      .exec();
    let moved = 0;
    for (const r of open) {
      const next = to.get(String(r.customerId));
      if (!next) continue;
      const res = await this.store.model.updateOne({ _id: r._id, userId: fromId, status: 'scheduled' }, { $set: { userId: next } }).exec();
      if (res.modifiedCount !== 1) continue;
      moved += 1;
      await this.deps.audit.record(meta, {
        action: 'reminder.reassign',
        entityType: 'reminder',
        entityId: r._id,
        changes: { userId: { before: fromId, after: next } },
        note: '客户已交接给新负责人',
      });
    }
    return moved;
  }

  async retargetFromLeaver(meta: RequestMeta, leaverId: Types.ObjectId, successorId: Types.ObjectId | null): Promise<{ moved: number; cancelled: number }> {
    const open = await this.store.model.find({ userId: leaverId, status: 'scheduled' }).lean<Stored[]>().exec();
    const out = { moved: 0, cancelled: 0 };
    const ownerOf = new Map<string, Types.ObjectId | null>();
    for (const r of open) {
      let to: Types.ObjectId | null = successorId;
      if (r.kind !== 'digest' && r.customerId) {
        const key = String(r.customerId);
        if (!ownerOf.has(key)) {
          const c = await this.deps.customers.ownership(r.customerId);
          const owner = c?.status === 'owned' && c.ownerId && !c.ownerId.equals(leaverId) ? await this.deps.org.findActiveUserById(c.ownerId) : null;
          ownerOf.set(key, owner?._id ?? null);
        }
        to = ownerOf.get(key) ?? successorId;
      }
      if (r.kind === 'digest' || !to) {
        const res = await this.store.model
          .updateOne({ _id: r._id, userId: leaverId, status: 'scheduled' }, { $set: { status: 'cancelled', outcome: '收件人已离职' } })
          .exec();
        if (res.modifiedCount === 1) out.cancelled += 1;
        continue;
      }
      const res = await this.store.model.updateOne({ _id: r._id, userId: leaverId, status: 'scheduled' }, { $set: { userId: to } }).exec();
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
