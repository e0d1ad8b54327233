import type { ApprovalDto } from '@crm/shared';
import type { ApprovalPlain } from './approval.model';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** An approval as the API, the bot and the mini-app see it (shared/src/approval/approval.dto.ts). */
export function toApprovalDto(a: ApprovalPlain): ApprovalDto & { ruleIds: string[]; version: number } {
  return {
    id: String(a._id),
    subjectType: a.subjectType,
    subjectId: String(a.subjectId),
    title: a.title,
    status: a.status,
    requester: { id: String(a.requesterId), name: a.requesterName },
    customer: a.customerId ? { id: String(a.customerId), name: a.customerName ?? '' } : null,
    amountFen: a.amountFen ?? null,
    discountPercent: a.discountPercent ?? null,
    currentStep: a.currentStep,
    steps: a.steps.map((s) => ({
      index: s.index,
      name: s.name,
      mode: s.mode,
      status: s.status,
      reason: s.reason ?? null,
      approvers: s.approvers.map((x) => ({
        userId: String(x.userId),
        name: x.name,
        decision: x.decision ?? null,
        comment: x.comment ?? null,
        decidedAt: iso(x.decidedAt),
        escalatedFromId: x.escalatedFromId ? String(x.escalatedFromId) : null,
        replacedById: x.replacedById ? String(x.replacedById) : null,
        standInReason: x.standInReason ?? null,
      })),
    })),
    history: a.history.map((h) => ({
      at: iso(h.at)!,
      actorId: h.actorId ? String(h.actorId) : null,
      actorName: h.actorName ?? null,
      action: h.action,
      comment: h.comment ?? null,
      step: h.step ?? null,
    })),
    note: a.note ?? null,
    previousId: a.previousId ? String(a.previousId) : null,
    resubmission:
      a.previousId && a.resubmission
        ? {
            previousId: String(a.previousId),
            previousStatus: a.resubmission.previousStatus,
            rejectedBy: a.resubmission.rejectedBy ?? null,
            reason: a.resubmission.reason ?? null,
            changes: a.resubmission.changes.map((c) => ({ label: c.label, before: c.before, after: c.after })),
          }
        : null,
    createdAt: iso(a.createdAt)!,
    updatedAt: iso(a.updatedAt)!,
    ruleIds: a.ruleIds,
    version: a.version,
  };
}
