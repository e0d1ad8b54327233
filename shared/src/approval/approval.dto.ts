/**
 * Approvals as the API returns them (`GET /api/v1/approvals`, `GET /api/v1/approvals/:id`), shared by the
 * API, the bot and the mini-app.
 */
export const APPROVAL_SUBJECT_TYPES = ['contract', 'discount', 'customer-report', 'pool-extension'] as const;
export type ApprovalSubjectType = (typeof APPROVAL_SUBJECT_TYPES)[number];
export const APPROVAL_SUBJECT_LABELS: Record<ApprovalSubjectType, string> = {
  contract: '合同审批',
  discount: '折扣审批',
  'customer-report': '客户报备',
  'pool-extension': '公海延期',
};

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const APPROVAL_STATUS_LABELS: Record<ApprovalStatus, string> = {
  pending: '审批中',
  approved: '已通过',
  rejected: '已驳回',
  withdrawn: '已撤回',
  expired: '已过期',
};

/** `todo`: waiting for me now; `done`: I decided; `mine`: I submitted. */
export const APPROVAL_BOXES = ['todo', 'done', 'mine'] as const;
export type ApprovalBox = (typeof APPROVAL_BOXES)[number];

export type ApprovalDecision = 'approve' | 'reject';

export interface ApprovalApproverDto {
  userId: string;
  name: string;
  decision: ApprovalDecision | null;
  comment: string | null;
  /** ISO time. */
  decidedAt: string | null;
  /** Set when this approver stands in through the fallback chain or a hand-over ("张伟 已离职，由上级 李娜 代为审批"). */
  standInReason?: string | null;
}

export interface ApprovalStepDto {
  index: number;
  /** e.g. "部门经理", "销售总监", "法务". */
  name: string;
  /** `any`: the first decision settles the step; `all`: everyone must approve. */
  mode: 'any' | 'all';
  status: 'waiting' | 'pending' | 'approved' | 'rejected' | 'skipped';
  /** Why the step is in the route, from the rule that added it ("折扣 18% > 15%", "默认（所有合同）"); null on approvals older than this field. */
  reason: string | null;
  approvers: ApprovalApproverDto[];
}

/** What changed since the rejected (or withdrawn, expired) approval this one resubmits. */
export interface ApprovalResubmissionDto {
  previousId: string;
  /** How the previous one ended, and by whom and why when it was rejected. */
  previousStatus: ApprovalStatus;
  rejectedBy: string | null;
  reason: string | null;
  /** e.g. { label: '金额', before: '¥100万', after: '¥120万' }; empty: resubmitted unchanged. */
  changes: Array<{ label: string; before: string; after: string }>;
}

export interface ApprovalHistoryEntryDto {
  at: string;
  actorId: string | null;
  actorName: string | null;
  /** submit, approve, reject, withdraw, remind, escalate, expire, resubmit */
  action: string;
  comment: string | null;
  step: number | null;
}

export interface ApprovalDto {
  id: string;
  subjectType: ApprovalSubjectType;
  subjectId: string;
  title: string;
  status: ApprovalStatus;
  requester: { id: string; name: string };
  customer: { id: string; name: string } | null;
  amountFen: number | null;
  discountPercent: number | null;
  currentStep: number;
  steps: ApprovalStepDto[];
  history: ApprovalHistoryEntryDto[];
  /** The requester's note (申请说明) given at submit. */
  note: string | null;
  /** The approval this one resubmits after a rejection. */
  previousId: string | null;
  /** Set on a resubmission: the previous outcome and what changed since. */
  resubmission: ApprovalResubmissionDto | null;
  createdAt: string;
  updatedAt: string;
}
