import { Types } from 'mongoose';
import { dayBounds, snoozeUntil, type CompleteRemindersResult, type ReminderBox, type ReminderCounts, type SnoozePreset } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { ReminderDoc } from './reminder.model';
import type { ReminderReadModel, ReminderView } from './reminder.digest';
import { oid, OPEN_STATUSES, type ReminderDeps, type ReminderStore } from './reminder.store';

/** The person's side (the API, the mini-app, chat cards): their own reminders, listed, completed, snoozed, nudged. */
export class PersonReminders {
  constructor(
    private readonly store: ReminderStore,
    private readonly read: ReminderReadModel,
    private readonly deps: ReminderDeps,
  ) {}

  /** The person's own reminders (reminders are personal: nobody else's are listed). */
  async list(actor: Actor, box: ReminderBox, limit = 100): Promise<ReminderView[]> {
    const rows = await this.store.model
      .find(this.boxFilter(actor, box))
      // overdue: the most recently overdue first (what slipped yesterday matters more than what slipped in May)
      .sort({ dueAt: box === 'overdue' ? -1 : 1, _id: 1 })
      .limit(limit)
      .lean()
      .exec();
    return this.read.views(rows);
  }

  /** Open reminders per box, for the tabs. */
  async counts(actor: Actor): Promise<ReminderCounts> {
    const boxes = ['today', 'overdue', 'upcoming', 'team'] as const;
    const n = await Promise.all(boxes.map((b) => this.store.model.countDocuments(this.boxFilter(actor, b)).exec()));
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
    const settled = await this.store.model
      .findOneAndUpdate(
        { _id: r._id, userId: actor.user._id, status: { $in: [...OPEN_STATUSES] } },
        { $set: { status: 'done', doneAt: now, outcome, leaseUntil: null } },
        { returnDocument: 'after' },
      )
      .exec();
    if (!settled) return { reminder: r, changed: false, aboutName: rep.name };
    const deal = r.opportunityId ? await this.deps.opportunities.stageState(r.opportunityId) : null;
    await this.store.insertNew([
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
    const r = Types.ObjectId.isValid(id) ? await this.store.model.findOne({ _id: oid(id), userId: actor.user._id, kind: { $ne: 'digest' } }).exec() : null;
    if (!r) throw notFound('提醒');
    return r;
  }

  /** 完成: one conditional update; a second tap finds it done already and changes nothing. */
  async complete(actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, outcome = '已完成'): Promise<{ reminder: ReminderDoc; changed: boolean }> {
    const now = this.deps.now();
    const done = await this.store.model
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
    const moved = await this.store.model
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

  /** Every reminder a chat reply could answer (sent to this person within the reply window), newest first. */
  async answerable(userId: Types.ObjectId, limit = 10): Promise<ReminderDoc[]> {
    const since = new Date(this.deps.now().getTime() - this.deps.policy.replyWindowMinutes * 60_000);
    return this.store.model
      .find({ userId, kind: { $ne: 'digest' }, customerId: { $ne: null }, status: 'sent', sentAt: { $gte: since }, 'delivery.folded': false })
      .sort({ sentAt: -1 })
      .limit(limit)
      .exec();
  }

  /** The reminder a chat reply most likely answers: the latest one sent to this person within the reply window. */
  async latestAnswerable(userId: Types.ObjectId): Promise<ReminderDoc | null> {
    const since = new Date(this.deps.now().getTime() - this.deps.policy.replyWindowMinutes * 60_000);
    return this.store.model
      .findOne({ userId, kind: { $ne: 'digest' }, customerId: { $ne: null }, status: 'sent', sentAt: { $gte: since }, 'delivery.folded': false })
      .sort({ sentAt: -1 })
      .exec();
  }
}
