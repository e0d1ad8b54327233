import { Types } from 'mongoose';
import type { ReminderDeliveryRecord, ReminderDoc } from './reminder.model';
import type { ReminderDeps, ReminderStore } from './reminder.store';

/**
 * The scheduler's side: due reminders claimed with a lease, checked, then settled (sent, failed with
 * backoff, deferred by the send budget, folded into the digest). Every write is conditional on the claim.
 */
export class ReminderDeliveries {
  constructor(
    private readonly store: ReminderStore,
    private readonly deps: ReminderDeps,
  ) {}

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
    const candidates = await this.store.model.find(claimable, { _id: 1 }).sort({ userId: 1, dueAt: 1 }).limit(opts.limit).lean().exec();
    if (!candidates.length) return [];
    const token = `${opts.owner}:${now.getTime()}:${new Types.ObjectId().toHexString()}`;
    await this.store.model
      .updateMany(
        { _id: { $in: candidates.map((c) => c._id) }, ...claimable },
        { $set: { status: 'sending', leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: token }, $inc: { attempts: 1 } },
      )
      .exec();
    const claimed = await this.store.model.find({ leaseOwner: token, status: 'sending' }).sort({ userId: 1, dueAt: 1 }).exec();
    this.count('due', claimed.length);
    return claimed;
  }

  /** `crm_reminders_total{outcome}`: due (claimed to send), sent, folded (into a digest), deferred, retried, failed, cancelled. */
  private count(outcome: 'due' | 'sent' | 'folded' | 'deferred' | 'retried' | 'failed' | 'cancelled', n: number): void {
    if (n > 0) this.deps.metrics?.reminders.inc({ outcome }, n);
  }

  /**
   * Before sending: is the reminder still true? A completed follow-up step, a deal that moved on, a
   * customer contacted since: cancelled, with the reason kept.
   */
  async stillCurrent(r: ReminderDoc): Promise<boolean> {
    let reason: string | null = null;
    if (r.kind === 'stalled-opportunity' && r.opportunityId) {
      const deal = await this.deps.opportunities.stageState(r.opportunityId);
      if (!deal || deal.closedAt || String(deal.stageEnteredAt.getTime()) !== r.sourceVersion) reason = '商机已推进或关闭';
    } else if (r.kind === 'cold-customer' && r.customerId) {
      const c = await this.deps.customers.contactState(r.customerId);
      if (!c || c.status !== 'owned' || !c.ownerId?.equals(r.userId) || String((c.lastFollowUpAt ?? c.createdAt).getTime()) !== r.sourceVersion)
        reason = '客户已跟进或已转移';
    }
    if (!reason) return true;
    const res = await this.store.model
      .updateOne({ _id: r._id, status: 'sending' }, { $set: { status: 'cancelled', outcome: reason, leaseUntil: null } })
      .exec();
    this.count('cancelled', res.modifiedCount);
    return false;
  }

  /** Marks claimed reminders sent (only if still ours: a lease lost to another worker is not overwritten). */
  async markSent(ids: Types.ObjectId[], delivery: ReminderDeliveryRecord): Promise<void> {
    const res = await this.store.model
      .updateMany({ _id: { $in: ids }, status: 'sending' }, { $set: { status: 'sent', sentAt: delivery.sentAt, delivery, leaseUntil: null, lastError: null } })
      .exec();
    this.count('sent', res.modifiedCount);
  }

  /** A failed send: retried with backoff (1, 2, 4 … minutes), then `failed` for good, with the error kept either way. */
  async markFailed(r: ReminderDoc, error: string, opts: { permanent?: boolean; maxAttempts: number }): Promise<void> {
    const now = this.deps.now();
    const giveUp = opts.permanent || r.attempts >= opts.maxAttempts;
    const res = await this.store.model
      .updateOne(
        { _id: r._id, status: 'sending' },
        {
          $set: giveUp
            ? { status: 'failed', lastError: error, leaseUntil: null, outcome: '发送失败' }
            : { status: 'scheduled', lastError: error, leaseUntil: null, retryAt: new Date(now.getTime() + 60_000 * 2 ** Math.max(0, r.attempts - 1)) },
        },
      )
      .exec();
    this.count(giveUp ? 'failed' : 'retried', res.modifiedCount);
  }

  /** Back to scheduled, not before `until`, without counting as an attempt (the send budget was full). */
  async defer(ids: Types.ObjectId[], until: Date): Promise<void> {
    const res = await this.store.model
      .updateMany({ _id: { $in: ids }, status: 'sending' }, { $set: { status: 'scheduled', retryAt: until, leaseUntil: null }, $inc: { attempts: -1 } })
      .exec();
    this.count('deferred', res.modifiedCount);
  }

  /** Reminders a digest delivers instead of pushes: due before `before` (overnight, at the weekend), still scheduled. */
  async foldIntoDigest(userId: Types.ObjectId, before: Date, delivery: ReminderDeliveryRecord): Promise<void> {
    const res = await this.store.model
      .updateMany(
        { userId, kind: { $ne: 'digest' }, status: 'scheduled', dueAt: { $lt: before } },
        { $set: { status: 'sent', sentAt: delivery.sentAt, delivery: { ...delivery, folded: true } } },
      )
      .exec();
    this.count('folded', res.modifiedCount);
  }

  /** The person's reminders that went out on one card (a summary card carries several), optionally only those still `sent` or not about a rep. */
  onCard(userId: Types.ObjectId, taskId: string, opts: { status?: 'sent'; ownOnly?: boolean } = {}): Promise<ReminderDoc[]> {
    return this.store.model
      .find({ 'delivery.taskId': taskId, userId, ...(opts.status ? { status: opts.status } : {}), ...(opts.ownOnly ? { aboutUserId: null } : {}) })
      .exec();
  }
}
