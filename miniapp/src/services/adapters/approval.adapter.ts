import { APPROVAL_STATUS_LABELS, APPROVAL_SUBJECT_LABELS } from '../../../../shared/src/approval/approval.dto';
import { formatDateTime, formatMoney } from '../../lib/time';
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
}

export interface ApprovalStepVM {
  index: number;
  name: string;
  mode: string;
  state: string;
  stateClass: 'ok' | 'warn' | 'bad' | 'muted';
  current: boolean;
  approvers: Array<{ name: string; decision: string; comment: string; at: string }>;
}

export interface ApprovalHistoryVM {
  at: string;
  text: string;
  comment: string;
}

export interface ApprovalDetailVM extends ApprovalListItemVM {
  discount: string;
  pending: boolean;
  steps: ApprovalStepVM[];
  history: ApprovalHistoryVM[];
}

const STATUS_CLASS: Record<ApprovalDto['status'], ApprovalListItemVM['statusClass']> = {
  pending: 'warn',
  approved: 'ok',
  rejected: 'bad',
  withdrawn: 'muted',
  expired: 'muted',
};

const STEP_STATE: Record<ApprovalDto['steps'][number]['status'], [string, ApprovalStepVM['stateClass']]> = {
  waiting: ['未开始', 'muted'],
  pending: ['审批中', 'warn'],
  approved: ['已通过', 'ok'],
  rejected: ['已驳回', 'bad'],
  skipped: ['已跳过', 'muted'],
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
};

export function toApprovalListItem(a: ApprovalDto, now: Date): ApprovalListItemVM {
  return {
    id: a.id,
    kind: APPROVAL_SUBJECT_LABELS[a.subjectType] ?? a.subjectType,
    title: a.title,
    requester: a.requester.name,
    customer: a.customer?.name ?? '',
    amount: formatMoney(a.amountFen),
    status: APPROVAL_STATUS_LABELS[a.status] ?? a.status,
    statusClass: STATUS_CLASS[a.status] ?? 'muted',
    submitted: formatDateTime(a.createdAt, now),
  };
}

export function toApprovalDetail(a: ApprovalDto, now: Date): ApprovalDetailVM {
  return {
    ...toApprovalListItem(a, now),
    discount: a.discountPercent ? `${a.discountPercent}%` : '',
    pending: a.status === 'pending',
    steps: a.steps.map((s) => {
      const [state, stateClass] = STEP_STATE[s.status] ?? [s.status, 'muted'];
      return {
        index: s.index,
        name: s.name,
        mode: s.mode === 'all' ? '会签（全部同意）' : '或签（一人同意即可）',
        state,
        stateClass,
        current: a.status === 'pending' && s.index === a.currentStep,
        approvers: s.approvers.map((p) => ({
          name: p.name,
          decision: p.decision === 'approve' ? '同意' : p.decision === 'reject' ? '驳回' : '待处理',
          comment: p.comment ?? '',
          at: formatDateTime(p.decidedAt, now),
        })),
      };
    }),
    history: a.history.map((h) => ({
      at: formatDateTime(h.at, now),
      text: `${h.actorName ?? '系统'} ${ACTIONS[h.action] ?? h.action}${h.step !== null ? `（第 ${h.step + 1} 步）` : ''}`,
      comment: h.comment ?? '',
    })),
  };
}
