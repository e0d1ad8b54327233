import type { Types } from 'mongoose';
import type { ApprovalDecision, ApprovalStatus } from '@crm/shared';
import type { ApprovalPlain, HistoryEntry, StepState } from './approval.model';

/** The changed part of an approval after one event, written with one update conditional on `version`. */
export interface Transition {
  status: ApprovalStatus;
  currentStep: number;
  steps: StepState[];
  history: HistoryEntry[];
  /** What happened, for side effects. */
  outcome: 'step-pending' | 'step-advanced' | 'approved' | 'rejected' | 'withdrawn' | 'escalated' | 'reminded' | 'expired' | 'reassigned';
}

export type Refusal = { refused: 'not-pending'; status: ApprovalStatus } | { refused: 'handled'; byName: string | null } | { refused: 'not-approver' };

const clone = (steps: StepState[]): StepState[] => steps.map((s) => ({ ...s, approvers: s.approvers.map((a) => ({ ...a })) }));

/** Moves on from the current step (after it was approved): the next waiting step, or the end. */
function advance(steps: StepState[], from: number, now: Date): { currentStep: number; done: boolean } {
  for (let i = from + 1; i < steps.length; i++) {
    if (steps[i]!.status === 'waiting') {
      steps[i]!.status = 'pending';
      steps[i]!.startedAt = now;
      return { currentStep: i, done: false };
    }
  }
  return { currentStep: from, done: true };
}

/** Whether this user may decide the current step now. */
export function canDecide(a: Pick<ApprovalPlain, 'status' | 'steps' | 'currentStep'>, userId: Types.ObjectId | string): boolean {
  const step = a.steps[a.currentStep];
  return a.status === 'pending' && step?.status === 'pending' && step.approvers.some((x) => x.userId.equals(userId) && x.decision === null && !x.replacedById);
}

/**
 * A decision by one approver on the current step (pure). `step` is the step the decider saw (a card's
 * button): a decision meant for an earlier step is refused rather than applied to a later one.
 */
export function decide(
  a: ApprovalPlain,
  user: { _id: Types.ObjectId; name: string },
  decision: ApprovalDecision,
  comment: string | null,
  now: Date,
  step?: number,
): Transition | Refusal {
  const cur = a.steps[a.currentStep];
  const handledBy = (s: StepState | undefined) => {
    const d = s?.approvers.filter((x) => x.decision !== null).sort((x, y) => (y.decidedAt?.getTime() ?? 0) - (x.decidedAt?.getTime() ?? 0))[0];
    return d?.name ?? null;
  };
  if (step !== undefined && step !== a.currentStep) {
    if (a.steps[step]?.approvers.some((x) => x.userId.equals(user._id))) return { refused: 'handled', byName: handledBy(a.steps[step]) };
    return { refused: 'not-approver' };
  }
  if (a.status !== 'pending') return { refused: 'not-pending', status: a.status };
  if (!cur || cur.status !== 'pending') return { refused: 'handled', byName: handledBy(cur) };
  const me = cur.approvers.find((x) => x.userId.equals(user._id) && !x.replacedById);
  if (!me) {
    const earlier = a.steps.slice(0, a.currentStep + 1).find((st) => st.approvers.some((x) => x.userId.equals(user._id)));
    if (earlier) return { refused: 'handled', byName: handledBy(earlier) };
    return { refused: 'not-approver' };
  }
  if (me.decision !== null) return { refused: 'handled', byName: me.name };

  const steps = clone(a.steps);
  const s = steps[a.currentStep]!;
  const mine = s.approvers.find((x) => x.userId.equals(user._id) && !x.replacedById)!;
  mine.decision = decision;
  mine.comment = comment;
  mine.decidedAt = now;
  const history: HistoryEntry[] = [{ at: now, actorId: user._id, actorName: user.name, action: decision, comment, step: a.currentStep }];
  if (decision === 'reject') {
    s.status = 'rejected';
    return { status: 'rejected', currentStep: a.currentStep, steps, history, outcome: 'rejected' };
  }
  const active = s.approvers.filter((x) => !x.replacedById);
  const stepDone = s.mode === 'any' || active.every((x) => x.decision === 'approve');
  if (!stepDone) return { status: 'pending', currentStep: a.currentStep, steps, history, outcome: 'step-pending' };
  s.status = 'approved';
  const next = advance(steps, a.currentStep, now);
  if (next.done) return { status: 'approved', currentStep: a.currentStep, steps, history, outcome: 'approved' };
  return { status: 'pending', currentStep: next.currentStep, steps, history, outcome: 'step-advanced' };
}

export function withdraw(a: ApprovalPlain, user: { _id: Types.ObjectId; name: string }, comment: string | null, now: Date): Transition | Refusal {
  if (a.status !== 'pending') return { refused: 'not-pending', status: a.status };
  if (!a.requesterId.equals(user._id)) return { refused: 'not-approver' };
  return {
    status: 'withdrawn',
    currentStep: a.currentStep,
    steps: a.steps,
    history: [{ at: now, actorId: user._id, actorName: user.name, action: 'withdraw', comment, step: a.currentStep }],
    outcome: 'withdrawn',
  };
}

/** A request nobody finished in time (sweep). */
export function expire(a: ApprovalPlain, comment: string, now: Date): Transition | null {
  if (a.status !== 'pending') return null;
  return {
    status: 'expired',
    currentStep: a.currentStep,
    steps: a.steps,
    history: [{ at: now, actorId: null, actorName: null, action: 'expire', comment, step: a.currentStep }],
    outcome: 'expired',
  };
}

/**
 * Hands the silent approvers of the current step to their leaders (sweep). Approvers without a leader
 * stay. Null when nobody could be escalated.
 */
export function escalate(a: ApprovalPlain, leaders: Map<string, { _id: Types.ObjectId; name: string }>, now: Date): Transition | null {
  if (a.status !== 'pending') return null;
  const steps = clone(a.steps);
  const s = steps[a.currentStep]!;
  const history: HistoryEntry[] = [];
  for (const x of [...s.approvers]) {
    if (x.decision !== null || x.replacedById) continue;
    const leader = leaders.get(String(x.userId));
    if (!leader || s.approvers.some((y) => y.userId.equals(leader._id) && !y.replacedById)) continue;
    x.replacedById = leader._id;
    s.approvers.push({ userId: leader._id, name: leader.name, decision: null, comment: null, decidedAt: null, escalatedFromId: x.userId, replacedById: null });
    history.push({ at: now, actorId: null, actorName: null, action: 'escalate', comment: `${x.name} 超时未处理，转交 ${leader.name}`, step: a.currentStep });
  }
  s.escalatedAt = now;
  if (!history.length) return { status: a.status, currentStep: a.currentStep, steps, history: [], outcome: 'escalated' };
  return { status: a.status, currentStep: a.currentStep, steps, history, outcome: 'escalated' };
}

/**
 * Hands a user who left over to a stand-in on every step not yet settled (pure). The leaver is marked
 * replaced; the stand-in joins the step (unless already in it) with the reason. Null when nothing waits on the leaver.
 */
export function reassign(
  a: ApprovalPlain,
  leaverId: Types.ObjectId,
  standIn: { _id: Types.ObjectId; name: string },
  reason: string,
  now: Date,
): Transition | null {
  if (a.status !== 'pending') return null;
  const steps = clone(a.steps);
  const history: HistoryEntry[] = [];
  for (const s of steps) {
    if (s.status !== 'pending' && s.status !== 'waiting') continue;
    const leaver = s.approvers.find((x) => x.userId.equals(leaverId) && x.decision === null && !x.replacedById);
    if (!leaver) continue;
    leaver.replacedById = standIn._id;
    if (!s.approvers.some((x) => x.userId.equals(standIn._id) && !x.replacedById)) {
      s.approvers.push({
        userId: standIn._id,
        name: standIn.name,
        decision: null,
        comment: null,
        decidedAt: null,
        escalatedFromId: leaverId,
        replacedById: null,
        standInReason: reason,
      });
    }
    history.push({ at: now, actorId: null, actorName: null, action: 'reassign', comment: `${s.name}：${reason}`, step: s.index });
  }
  if (!history.length) return null;
  return { status: a.status, currentStep: a.currentStep, steps, history, outcome: 'reassigned' };
}

export const isRefusal = (x: unknown): x is Refusal => x !== null && typeof x === 'object' && 'refused' in x;
