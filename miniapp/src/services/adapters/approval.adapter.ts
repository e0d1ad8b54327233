import { APPROVAL_STATUS_LABELS, APPROVAL_SUBJECT_LABELS } from '@shared/approval/approval.dto';
import { approverStateLabel, changesLine, stepPeople, stepStateLabel } from '@shared/approval/approval-text';
import { formatMoneyShort } from '@shared/text/money';
import { formatDateTime } from '../../lib/time';
import type { ApprovalDto } from '../api-types';

export interface ApprovalListItemVM {
  id: string;
  kind: string;
  title: string;
  requester: string;
  customer: string;
  amount: string;
  status: string;
  statusClass: 'ok' | 'warn' | 'bad' | 'muted';
  submitted: string;
  /** Where it is now, in words: "当前：销售总监 李娜 审批中"; a rejection: "张伟 驳回：价格太低". */
  where: string;
  /** What I decided on it (我已审批): "我已同意" / "我已驳回"; empty when I did not decide. */
  myDecision: string;
  myDecisionClass: 'ok' | 'bad' | 'muted';
  /** I asked for it and it is still pending: 撤回. */
  canWithdraw: boolean;
  /** I asked for it and it ended without approval (rejected, withdrawn, expired): 重新提交. */
  canResubmit: boolean;
}

export interface ApprovalStepVM {
  index: number;
  name: string;
  mode: string;
  state: string;
  stateClass: 'ok' | 'warn' | 'bad' | 'muted';
  current: boolean;
  /** Why the step is in the route ("折扣 18% > 15%"). */
  reason: string;
  approvers: Array<{ name: string; decision: string; comment: string; at: string; standIn: string }>;
}

export interface ApprovalHistoryVM {
  at: string;
  text: string;
  comment: string;
}

export interface ApprovalDetailVM extends ApprovalListItemVM {
  discount: string;
  pending: boolean;
  /** I am an approver of the current step and have not decided: 同意 / 驳回. */
  canDecide: boolean;
  /** 申请说明. */
  note: string;
  /** The rejection, when it ended rejected: who and why. */
  rejection: { by: string; reason: string } | null;
  /** A resubmission: "上次 张伟 驳回「价格太低」", and what changed ("金额 ¥30万→¥25万"). */
  resubmission: { before: string; changes: string } | null;
  steps: ApprovalStepVM[];
  history: ApprovalHistoryVM[];
  /** What resubmitting sends (the subject and, for a discount, the percent asked). */
  subject: { type: ApprovalDto['subjectType']; id: string; discountPercent: number | null };
}

const STATUS_CLASS: Record<ApprovalDto['status'], ApprovalListItemVM['statusClass']> = {
  pending: 'warn',
  approved: 'ok',
  rejected: 'bad',
  withdrawn: 'muted',
  expired: 'muted',
};

const STEP_CLASS: Record<ApprovalDto['steps'][number]['status'], ApprovalStepVM['stateClass']> = {
  waiting: 'muted',
  pending: 'warn',
  approved: 'ok',
  rejected: 'bad',
  skipped: 'muted',
};

const ACTIONS: Record<string, string> = {
  submit: '提交审批',
  approve: '同意',
  reject: '驳回',
  withdraw: '撤回',
  remind: '催办',
  escalate: '升级',
  expire: '超时',
  resubmit: '重新提交',
  reassign: '转交',
  'stand-in': '代审批',
};

function lastRejection(a: ApprovalDto): { by: string; reason: string } | null {
  if (a.status !== 'rejected') return null;
  const h = [...a.history].reverse().find((x) => x.action === 'reject');
  return h ? { by: h.actorName ?? '系统', reason: h.comment ?? '' } : null;
}

function where(a: ApprovalDto): string {
  if (a.status === 'pending') {
    const s = a.steps[a.currentStep];
    if (!s) return '';
    const names = stepPeople(s)
      .filter((x) => x.decision === null)
      .map((x) => x.name)
      .join('、');
    return `当前：${s.name} ${names} 审批中`;
  }
  const r = lastRejection(a);
  if (r) return `${r.by} 驳回：${r.reason}`;
  return '';
}

/** `me`: the signed-in user's id (what I decided, what I may do). */
export function toApprovalListItem(a: ApprovalDto, now: Date, me: string | null = null): ApprovalListItemVM {
  const mine = a.steps.flatMap((s) => s.approvers).filter((x) => x.userId === me && x.decision !== null);
  const decided = mine.at(-1)?.decision ?? null;
  const requester = me !== null && a.requester.id === me;
  return {
    id: a.id,
    kind: APPROVAL_SUBJECT_LABELS[a.subjectType] ?? a.subjectType,
    title: a.title,
    requester: a.requester.name,
    customer: a.customer?.name ?? '',
    amount: formatMoneyShort(a.amountFen),
    status: APPROVAL_STATUS_LABELS[a.status] ?? a.status,
    statusClass: STATUS_CLASS[a.status] ?? 'muted',
    submitted: formatDateTime(a.createdAt, now),
    where: where(a),
    myDecision: decided === 'approve' ? '我已同意' : decided === 'reject' ? '我已驳回' : '',
    myDecisionClass: decided === 'approve' ? 'ok' : decided === 'reject' ? 'bad' : 'muted',
    canWithdraw: requester && a.status === 'pending',
    canResubmit: requester && (a.status === 'rejected' || a.status === 'withdrawn' || a.status === 'expired'),
  };
}

export function toApprovalDetail(a: ApprovalDto, now: Date, me: string | null = null): ApprovalDetailVM {
  const r = a.resubmission ?? null;
  return {
    ...toApprovalListItem(a, now, me),
    discount: a.discountPercent ? `${a.discountPercent}%` : '',
    pending: a.status === 'pending',
    canDecide:
      a.status === 'pending' &&
      me !== null &&
      Boolean(a.steps[a.currentStep]?.status === 'pending' && stepPeople(a.steps[a.currentStep]!).some((x) => x.userId === me && x.decision === null)),
    note: a.note ?? '',
    rejection: lastRejection(a),
    resubmission: r
      ? {
          before:
            r.previousStatus === 'rejected'
              ? `上次${r.rejectedBy ? ` ${r.rejectedBy} ` : ''}驳回${r.reason ? `「${r.reason}」` : ''}`
              : `上次${APPROVAL_STATUS_LABELS[r.previousStatus]}`,
          changes: changesLine(r.changes),
        }
      : null,
    steps: a.steps.map((s) => ({
      index: s.index,
      name: s.name,
      mode: s.mode === 'all' ? '会签（全部同意）' : '或签（一人同意即可）',
      state: stepStateLabel(s, a.status),
      stateClass: a.status !== 'pending' && s.status === 'pending' ? 'muted' : (STEP_CLASS[s.status] ?? 'muted'),
      current: a.status === 'pending' && s.index === a.currentStep,
      reason: s.reason ?? '',
      approvers: stepPeople(s).map((p) => ({
        name: p.name,
        decision: approverStateLabel(p.decision, s, a.status),
        comment: p.comment ?? '',
        at: formatDateTime(p.decidedAt, now),
        standIn: p.standInReason ?? '',
      })),
    })),
    history: a.history.map((h) => ({
      at: formatDateTime(h.at, now),
      text: `${h.actorName ?? '系统'} ${ACTIONS[h.action] ?? h.action}${h.step !== null ? `（第 ${h.step + 1} 步）` : ''}`,
      comment: h.comment ?? '',
    })),
    subject: { type: a.subjectType, id: a.subjectId, discountPercent: a.discountPercent },
  };
}
