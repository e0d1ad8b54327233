import { formatMoneyShort } from '../text/money';
import type { ApprovalStatus, ApprovalStepDto } from './approval.dto';

/**
 * Approval wording shared by cards, notices and the mini-app, so chat and app say the same thing: the
 * current step in words (审批中), steps not reached yet 未开始, money as ¥120万.
 */

type StepLike = { status: ApprovalStepDto['status']; name: string; approvers: Array<{ name: string; decision: string | null; replacedById?: unknown }> };

/** A step's state in words, given the approval's status (a withdrawn approval's open step is 未完成, not 审批中). */
export function stepStateLabel(step: Pick<StepLike, 'status'>, approvalStatus: ApprovalStatus): string {
  switch (step.status) {
    case 'waiting':
      return '未开始';
    case 'pending':
      return approvalStatus === 'pending' ? '审批中' : '未完成';
    case 'approved':
      return '已同意';
    case 'rejected':
      return '已驳回';
    default:
      return '已跳过';
  }
}

/** An approver's decision in words: 已同意 / 已驳回, else the state of their step (审批中, 未开始). */
export function approverStateLabel(decision: string | null, step: Pick<StepLike, 'status'>, approvalStatus: ApprovalStatus): string {
  if (decision === 'approve') return '已同意';
  if (decision === 'reject') return '已驳回';
  if (step.status === 'approved' || step.status === 'rejected') return '无需处理';
  return stepStateLabel(step, approvalStatus);
}

/** Who is on a step now (those replaced by a stand-in only when they decided). */
export const stepPeople = <P extends { decision: string | null; replacedById?: unknown }>(s: { approvers: P[] }): P[] =>
  s.approvers.filter((x) => !x.replacedById || x.decision);

/** The route in one line, every step in words: "张伟 已同意 → 李娜 审批中 → 吴昊 未开始". */
export function routeSummary(a: { status: ApprovalStatus; steps: StepLike[] }): string {
  return a.steps
    .filter((s) => s.status !== 'skipped')
    .map(
      (s) =>
        `${stepPeople(s)
          .map((x) => x.name)
          .join('/')} ${stepStateLabel(s, a.status)}`,
    )
    .join(' → ');
}

/** What a resubmission is compared on. */
export interface ApprovalSnapshot {
  title: string;
  amountFen: number | null;
  discountPercent: number | null;
  customerName: string | null;
  note: string | null;
}

const pct = (n: number | null) => (n === null ? '—' : `${n}%`);
const money = (n: number | null) => (n === null ? '—' : formatMoneyShort(n));

/** What changed between a previous approval and its resubmission, field by field (empty: nothing). */
export function resubmissionChanges(before: ApprovalSnapshot, after: ApprovalSnapshot): Array<{ label: string; before: string; after: string }> {
  const out: Array<{ label: string; before: string; after: string }> = [];
  if (before.amountFen !== after.amountFen) out.push({ label: '金额', before: money(before.amountFen), after: money(after.amountFen) });
  if ((before.discountPercent ?? 0) !== (after.discountPercent ?? 0))
    out.push({ label: '折扣', before: pct(before.discountPercent), after: pct(after.discountPercent) });
  if (before.title !== after.title) out.push({ label: '标题', before: before.title, after: after.title });
  if ((before.customerName ?? '') !== (after.customerName ?? ''))
    out.push({ label: '客户', before: before.customerName ?? '—', after: after.customerName ?? '—' });
  if ((before.note ?? '') !== (after.note ?? '')) out.push({ label: '申请说明', before: before.note || '—', after: after.note || '—' });
  return out;
}

/** "金额 ¥100万→¥120万；折扣 18%→12%", or "内容未修改". */
export function changesLine(changes: Array<{ label: string; before: string; after: string }>): string {
  return changes.length ? changes.map((c) => `${c.label} ${c.before}→${c.after}`).join('；') : '内容未修改';
}
