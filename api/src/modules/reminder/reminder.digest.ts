import type { Types } from 'mongoose';
import { dayBounds, dayKey } from '@crm/shared';
import type { Reminder } from './reminder.model';
import { customerLabel, oid, OPEN_STATUSES, type ReminderDeps, type ReminderStore, type Stored } from './reminder.store';

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
  /** Customers about to return to the pool (warned, not followed up since): "3 天后将退回公海". */
  reclaimSoon?: Array<{ name: string; inDays: number; reason: string }>;
  /** Managers: reports who left the platform whose customers are still theirs (离职人员待交接). */
  pendingHandovers?: Array<{ userId: string; name: string; customers: number }>;
}

/** The read side: reminders as cards show them (views) and what a person's morning digest says. */
export class ReminderReadModel {
  constructor(
    private readonly store: ReminderStore,
    private readonly deps: ReminderDeps,
  ) {}

  /** Enriches reminders with the customer's name and last contact, for cards. */
  async views(reminders: Array<Reminder & { _id: Types.ObjectId }>): Promise<ReminderView[]> {
    const ids = [...new Set(reminders.map((r) => r.customerId).filter((id): id is Types.ObjectId => !!id))];
    const customers = await this.deps.customers.labels(ids);
    const byId = new Map(customers.map((c) => [String(c._id), c]));
    const aboutIds = [...new Set(reminders.flatMap((r) => (r.aboutUserId ? [String(r.aboutUserId)] : [])))];
    const nameOf = await this.deps.org.namesOf(aboutIds.map(oid));
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
      this.store.model
        .find({ ...open, dueAt: { $gte: start, $lt: end } })
        .sort({ dueAt: 1 })
        .limit(20)
        .lean<Stored[]>()
        .exec(),
      this.store.model
        .find({ ...open, dueAt: { $lt: start } })
        .sort({ dueAt: 1 })
        .limit(20)
        .lean<Stored[]>()
        .exec(),
      foldBefore
        ? this.store.model
            .find({ ...open, status: 'scheduled', dueAt: { $lt: foldBefore } })
            .sort({ dueAt: 1 })
            .limit(20)
            .lean<Stored[]>()
            .exec()
        : Promise.resolve([] as Stored[]),
      this.store.model.countDocuments({ ...open, kind: 'stalled-opportunity' }).exec(),
    ]);
    const reports = await this.deps.org.activeReportsOf(userId);
    const team: DigestContent['team'] = [];
    for (const rep of reports) {
      const mine: Record<string, unknown> = { userId: rep._id, kind: { $ne: 'digest' }, status: { $in: [...OPEN_STATUSES] } };
      const [late, stalled] = await Promise.all([
        this.store.model.countDocuments({ ...mine, dueAt: { $lt: now } }).exec(),
        this.store.model.countDocuments({ ...mine, kind: 'stalled-opportunity' }).exec(),
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
      reclaimSoon: (await this.deps.reclaimSoon?.(userId)) ?? [],
      pendingHandovers: (await this.deps.pendingHandovers?.(userId)) ?? [],
    };
  }
}
