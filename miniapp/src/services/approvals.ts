import type { ApprovalBox, ApprovalDecision, ApprovalDto } from './api-types';
import { toApprovalDetail, toApprovalListItem, type ApprovalDetailVM, type ApprovalListItemVM } from './adapters/approval.adapter';
import type { Request } from './request';

/** My approvals (the approvals API: shared/src/approval/approval.dto.ts). */
export interface ApprovalService {
  list(box: ApprovalBox): Promise<ApprovalListItemVM[]>;
  get(id: string): Promise<ApprovalDetailVM>;
  /** A rejection needs a reason (checked here too, so the user hears it before a round trip). */
  decide(id: string, decision: ApprovalDecision, comment: string): Promise<ApprovalDetailVM>;
}

export class ReasonRequiredError extends Error {
  constructor() {
    super('驳回时请填写原因');
    this.name = 'ReasonRequiredError';
  }
}

export function createApprovalService(request: Request, now: () => Date = () => new Date()): ApprovalService {
  return {
    async list(box) {
      const res = await request<{ items: ApprovalDto[] }>('GET', '/api/v1/approvals', { query: { box } });
      return res.items.map((a) => toApprovalListItem(a, now()));
    },
    async get(id) {
      return toApprovalDetail(await request<ApprovalDto>('GET', `/api/v1/approvals/${encodeURIComponent(id)}`), now());
    },
    async decide(id, decision, comment) {
      const text = comment.trim();
      if (decision === 'reject' && !text) throw new ReasonRequiredError();
      const dto = await request<ApprovalDto>('POST', `/api/v1/approvals/${encodeURIComponent(id)}/decision`, {
        body: { decision, ...(text ? { comment: text } : {}) },
      });
      return toApprovalDetail(dto, now());
    },
  };
}
