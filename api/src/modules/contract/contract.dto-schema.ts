import { z } from 'zod';
import { CONTRACT_STATUSES, fen, idString, isoTime, pageOf } from '@crm/shared';
import { scopeDtoFields } from '../customer/customer.dto-schema';

const status = z.enum(CONTRACT_STATUSES).describe('draft 草稿，pending_approval 审批中，approved 已通过，rejected 已驳回，signed 已签约，void 已作废');

/** A contract as the API answers it. */
export const contractDtoSchema = z.strictObject({
  id: idString,
  customerId: idString,
  opportunityId: idString.nullable(),
  number: z.string().describe('合同编号（全局唯一）'),
  title: z.string(),
  amountFen: fen,
  discountPercent: z.number().min(0).max(100).describe('折扣百分比：超过 15% 需财务审批（默认规则）'),
  status,
  statusHistory: z.array(z.strictObject({ status, at: isoTime, byId: idString.nullable(), reason: z.string().optional() })),
  signedAt: isoTime.nullable(),
  endsAt: isoTime.nullable().describe('合同到期日：已签约合同到期后，公海规则 afterContractEndDays 从此日起算'),
  ...scopeDtoFields,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const contractPageDtoSchema = pageOf(contractDtoSchema);
