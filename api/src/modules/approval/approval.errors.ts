import { AppError } from '../../errors/app-error';
import type { Refusal } from './approval.logic';

export const ApprovalErrorCode = {
  HANDLED: 'APPROVAL_ALREADY_HANDLED',
  NOT_PENDING: 'APPROVAL_NOT_PENDING',
  NOT_APPROVER: 'APPROVAL_NOT_APPROVER',
  ALREADY_PENDING: 'APPROVAL_ALREADY_PENDING',
  INVALID_SUBJECT: 'APPROVAL_INVALID_SUBJECT',
  REASON_REQUIRED: 'APPROVAL_REASON_REQUIRED',
} as const;

export const statusText = (s: string): string =>
  ({ approved: '已通过', rejected: '已驳回', withdrawn: '已撤回', expired: '已过期', pending: '审批中' })[s] ?? s;

/** The subject cannot be submitted, or could not follow its approval. */
export const invalidSubject = (message: string): AppError => new AppError(409, ApprovalErrorCode.INVALID_SUBJECT, message);

export function refusalError(r: Refusal): AppError {
  if (r.refused === 'not-pending') return new AppError(409, ApprovalErrorCode.NOT_PENDING, `该审批${statusText(r.status)}`);
  if (r.refused === 'not-approver') return new AppError(403, ApprovalErrorCode.NOT_APPROVER, '你不是当前步骤的审批人');
  return new AppError(409, ApprovalErrorCode.HANDLED, r.byName ? `已由 ${r.byName} 处理` : '该步骤已处理');
}
