import type { ApprovalBox, ApprovalDecision, ApprovalDto } from './api-types';
import { toApprovalDetail, toApprovalListItem, type ApprovalDetailVM, type ApprovalListItemVM } from './adapters/approval.adapter';
import type { Request } from './request';

/** My approvals (the approvals API: shared/src/approval/approval.dto.ts). */
export interface ApprovalService {
  /** `todo` 待我审批, `done` 我已审批, `mine` 我发起的. */
  list(box: ApprovalBox): Promise<ApprovalListItemVM[]>;
  get(id: string): Promise<ApprovalDetailVM>;
  /** A rejection needs a reason (checked here too, so the user hears it before a round trip). */
  decide(id: string, decision: ApprovalDecision, comment: string): Promise<ApprovalDetailVM>;
  /** The requester takes a pending request back. */
  withdraw(id: string): Promise<ApprovalDetailVM>;
  /** Submits the same subject again after a rejection (or a withdrawal, an expiry): a new approval. */
  resubmit(a: Pick<ApprovalDetailVM, 'subject'>, note: string): Promise<ApprovalDetailVM>;
}

export class ReasonRequiredError extends Error {
  constructor() {
    super('驳回时请填写原因');
    this.name = 'ReasonRequiredError';
  }
}

/** `me`: the signed-in user's id (what I decided, whether I may withdraw or resubmit). */
export function createApprovalService(request: Request, now: () => Date = () => new Date(), me: () => string | null = () => null): ApprovalService {
  const detail = (dto: ApprovalDto) => toApprovalDetail(dto, now(), me());
  return {
    async list(box) {
      const res = await request<{ items: ApprovalDto[] }>('GET', '/api/v1/approvals', { query: { box } });
      return res.items.map((a) => toApprovalListItem(a, now(), me()));
    },
    async get(id) {
      return detail(await request<ApprovalDto>('GET', `/api/v1/approvals/${encodeURIComponent(id)}`));
    },
    async decide(id, decision, comment) {
      const text = comment.trim();
      if (decision === 'reject' && !text) throw new ReasonRequiredError();
      const dto = await request<ApprovalDto>('POST', `/api/v1/approvals/${encodeURIComponent(id)}/decision`, {
        body: { decision, ...(text ? { comment: text } : {}) },
      });
      return detail(dto);
    },
    async withdraw(id) {
      return detail(await request<ApprovalDto>('POST', `/api/v1/approvals/${encodeURIComponent(id)}/withdraw`, { body: {} }));
    },
    async resubmit({ subject }, note) {
      const comment = note.trim();
      const extra = comment ? { comment } : {};
      const dto =
        subject.type === 'contract'
          ? await request<ApprovalDto>('POST', `/api/v1/contracts/${encodeURIComponent(subject.id)}/submit`, { body: extra })
          : await request<ApprovalDto>('POST', '/api/v1/approvals', {
              body: {
                subjectType: subject.type,
                subjectId: subject.id,
                ...(subject.type === 'discount' && subject.discountPercent !== null ? { discountPercent: subject.discountPercent } : {}),
                ...extra,
              },
            });
      return detail(dto);
    },
  };
}
