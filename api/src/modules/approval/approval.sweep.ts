import { Types } from 'mongoose';
import type { RequestMeta } from '../../context';
import type { AuditService } from '../audit/audit.service';
import type { OrgService } from '../org/org.service';
import { escalate, expire, isRefusal, reassign } from './approval.logic';
import type { ApprovalPlain } from './approval.model';
import { standInFor } from './approval.routing';
import type { ApprovalWorkflow } from './approval.workflow';

const HOUR = 3_600_000;

export interface SweepResult {
  expired: number;
  reminded: number;
  escalated: number;
  rerouted: number;
  recovered: number;
  failed: number;
}

/**
 * The approvals' timed work, each part on its own: expiry, re-routing steps that wait on people who left,
 * reminders and escalations of silent approvers, and re-running effects a crashed process left behind.
 * Idempotent and safe in several processes: every action is claimed with a conditional update first.
 * `run` is what the approval-sweep job calls; the card refresh is the bot's (bot/src/approvals).
 */
export class ApprovalSweep {
  constructor(
    private readonly flow: ApprovalWorkflow,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {
    // A deactivated user's pending steps go to their successor at once (not left to the next sweep).
    org.onDeactivated((meta, leaver, handover) => this.handOver(meta, leaver._id, handover.successorId).then(() => undefined));
  }

  async run(now: Date = this.flow.now()): Promise<SweepResult> {
    const out: SweepResult = { expired: 0, reminded: 0, escalated: 0, rerouted: 0, recovered: 0, failed: 0 };
    const meta: RequestMeta = { requestId: `approval-sweep:${now.toISOString()}`, channel: 'system', actorId: null };
    /** One approval's trouble never stops the sweep for the others (the next sweep tries it again). */
    const each = async (fn: () => Promise<void>) => {
      try {
        await fn();
      } catch {
        out.failed += 1;
      }
    };
    out.expired = await this.expire(meta, now, each);
    out.rerouted = await this.reroute(meta, each);
    const nudged = await this.remindAndEscalate(meta, now, each);
    out.reminded = nudged.reminded;
    out.escalated = nudged.escalated;
    out.recovered = await this.recoverEffects(this.flow.now());
    return out;
  }

  /** Requests pending longer than `expireAfterHours` expire. */
  async expire(meta: RequestMeta, now: Date, each: (fn: () => Promise<void>) => Promise<void>): Promise<number> {
    const { expireAfterHours } = this.flow.rules;
    const expireBefore = new Date(now.getTime() - expireAfterHours * HOUR);
    const overdue = await this.flow.model
      .find({ status: 'pending', createdAt: { $lte: expireBefore } }, { _id: 1 })
      .lean()
      .exec();
    let n = 0;
    for (const row of overdue)
      await each(async () => {
        const claimed = await this.flow.claim(row._id, (a) =>
          a.createdAt <= expireBefore ? expire(a, `超过 ${expireAfterHours} 小时未完成，已过期`, now) : null,
        );
        if (!claimed || isRefusal(claimed)) return;
        n += 1;
        await this.audit.record(meta, { action: 'approval.expire', entityType: 'approval', entityId: row._id });
        await this.flow.afterChange(meta, claimed.after, 'expired', null);
      });
    return n;
  }

  /** Steps waiting on someone who left are re-routed now, not left to the 24-hour escalation. */
  async reroute(meta: RequestMeta, each: (fn: () => Promise<void>) => Promise<void>): Promise<number> {
    const resigned = await this.org.resignedUserIds();
    if (!resigned.length) return 0;
    const waitingOnLeavers = await this.flow.model
      .find(
        {
          status: 'pending',
          steps: {
            $elemMatch: {
              status: { $in: ['pending', 'waiting'] },
              approvers: { $elemMatch: { userId: { $in: resigned }, decision: null, replacedById: null } },
            },
          },
        },
        { steps: 1 },
      )
      .lean<ApprovalPlain[]>()
      .exec();
    const leavers = new Set<string>();
    for (const a of waitingOnLeavers)
      for (const st of a.steps)
        for (const x of st.approvers) if (x.decision === null && !x.replacedById && resigned.some((r) => r.equals(x.userId))) leavers.add(String(x.userId));
    let n = 0;
    for (const id of leavers)
      await each(async () => {
        n += await this.handOver(meta, new Types.ObjectId(id));
      });
    return n;
  }

  /**
   * Hands every pending approval step that waits on `leaverId` to a stand-in: `successorId` (the
   * deactivation's new leader) unless that is the requester, else the fallback chain from the leaver.
   * Called on deactivation and by the sweep (for users who left some other way). Returns how many approvals moved.
   */
  async handOver(meta: RequestMeta, leaverId: Types.ObjectId, successorId: Types.ObjectId | null = null): Promise<number> {
    const leaver = await this.org.findUserById(leaverId);
    if (!leaver || leaver.status === 'active') return 0;
    const rows = await this.flow.model
      .find(
        {
          status: 'pending',
          steps: {
            $elemMatch: { status: { $in: ['pending', 'waiting'] }, approvers: { $elemMatch: { userId: leaverId, decision: null, replacedById: null } } },
          },
        },
        { _id: 1, requesterId: 1 },
      )
      .lean()
      .exec();
    const successor = successorId ? await this.org.findActiveUserById(successorId) : null;
    let n = 0;
    for (const row of rows) {
      const why = `${leaver.name} 已离职`;
      let standIn =
        successor && !successor._id.equals(row.requesterId)
          ? { person: { _id: successor._id, name: successor.name }, reason: `${why}，由接任者 ${successor.name} 代为审批` }
          : null;
      standIn ??= await standInFor(this.org, { above: [leaver], departments: leaver.departmentIds, exclude: [row.requesterId, leaverId], why });
      if (!standIn) continue; // nobody at all (no admin): left to the 24-hour escalation and expiry
      const chosen = standIn;
      const claimed = await this.flow.claim(row._id, (a) => reassign(a, leaverId, chosen.person, chosen.reason, this.flow.now()));
      if (!claimed || isRefusal(claimed)) continue;
      n += 1;
      await this.audit.record(meta, { action: 'approval.reassign', entityType: 'approval', entityId: row._id, note: chosen.reason });
      await this.flow.afterChange(meta, claimed.after, 'reassigned', null, undefined, { handedTo: { userIds: [chosen.person._id], reason: chosen.reason } });
    }
    return n;
  }

  /** Silent approvers: reminded after `remindAfterHours`, their step escalated to their leaders after `escalateAfterHours`. */
  async remindAndEscalate(meta: RequestMeta, now: Date, each: (fn: () => Promise<void>) => Promise<void>): Promise<{ reminded: number; escalated: number }> {
    const out = { reminded: 0, escalated: 0 };
    const remindBefore = new Date(now.getTime() - this.flow.rules.remindAfterHours * HOUR);
    const escalateBefore = new Date(now.getTime() - this.flow.rules.escalateAfterHours * HOUR);
    const pending = await this.flow.model
      .find({ status: 'pending', steps: { $elemMatch: { status: 'pending', startedAt: { $lte: remindBefore } } } }, { _id: 1 })
      .lean()
      .exec();
    for (const row of pending)
      await each(async () => {
        const a = await this.flow.findById(row._id);
        if (!a || a.status !== 'pending') return;
        const s = a.steps[a.currentStep]!;
        if (!s.escalatedAt && s.startedAt && s.startedAt <= escalateBefore) {
          out.escalated += await this.escalate(meta, a, now);
          return;
        }
        if (!s.remindedAt && s.startedAt && s.startedAt <= remindBefore) out.reminded += await this.remind(a, now);
      });
    return out;
  }

  private async escalate(meta: RequestMeta, a: ApprovalPlain, now: Date): Promise<number> {
    const s = a.steps[a.currentStep]!;
    const silent = s.approvers.filter((x) => x.decision === null && !x.replacedById).map((x) => x.userId);
    const map = await this.org.activeLeadersOf(silent);
    const claimed = await this.flow.claim(a._id, (x) => {
      const cur = x.steps[x.currentStep];
      if (x.status !== 'pending' || !cur || cur.escalatedAt || cur.index !== s.index) return null;
      return escalate(x, map, now);
    });
    if (!claimed || isRefusal(claimed)) return 0;
    if (claimed.t.history.length) {
      await this.audit.record(meta, {
        action: 'approval.escalate',
        entityType: 'approval',
        entityId: a._id,
        note: claimed.t.history.map((h) => h.comment).join('；'),
      });
    }
    await this.flow.afterChange(meta, claimed.after, 'escalated', null);
    return claimed.t.history.length;
  }

  private async remind(a: ApprovalPlain, now: Date): Promise<number> {
    const s = a.steps[a.currentStep]!;
    const claimed = await this.flow.claim(a._id, (x) => {
      const cur = x.steps[x.currentStep];
      if (x.status !== 'pending' || !cur || cur.remindedAt || cur.index !== s.index) return null;
      const steps = x.steps.map((st) => (st.index === cur.index ? { ...st, remindedAt: now } : st));
      const names = cur.approvers.filter((y) => y.decision === null && !y.replacedById).map((y) => y.name);
      return {
        status: x.status,
        currentStep: x.currentStep,
        steps,
        history: [{ at: now, actorId: null, actorName: null, action: 'remind', comment: `提醒 ${names.join('、')} 审批`, step: cur.index }],
        outcome: 'reminded',
      };
    });
    if (!claimed || isRefusal(claimed)) return 0;
    const cur = claimed.after.steps[claimed.after.currentStep]!;
    await this.flow.notify({
      approval: claimed.after,
      outcome: 'reminded',
      actorId: null,
      remind: cur.approvers.filter((y) => y.decision === null && !y.replacedById).map((y) => y.userId),
    });
    await this.flow.effectsRan(a._id, claimed.after.version);
    return 1;
  }

  /** Side effects a stopped process never ran (claimed change, then a crash): re-run once, claimed by version. */
  async recoverEffects(now: Date): Promise<number> {
    const stuck = await this.flow.model
      .find({ $expr: { $lt: ['$effectsVersion', '$version'] }, updatedAt: { $lte: new Date(now.getTime() - 60_000) } })
      .limit(50)
      .lean<ApprovalPlain[]>()
      .exec()
      .catch(() => [] as ApprovalPlain[]);
    let n = 0;
    for (const a of stuck) {
      const res = await this.flow.model.updateOne({ _id: a._id, effectsVersion: a.effectsVersion }, { $set: { effectsVersion: a.version } }).exec();
      if (res.modifiedCount !== 1) continue;
      const meta: RequestMeta = { requestId: `approval-recover:${String(a._id)}`, channel: 'system', actorId: null };
      const applied = await this.flow.applySubject(meta, a, a.status === 'pending' ? 'step-advanced' : a.status);
      await this.flow.notify({ approval: applied.approval, outcome: applied.outcome, actorId: null });
      if (applied.approval.version !== a.version) await this.flow.effectsRan(a._id, applied.approval.version);
      n += 1;
    }
    return n;
  }
}
