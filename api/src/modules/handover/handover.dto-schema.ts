import { z } from 'zod';
import { idString, isoTime, objectId, pageOf, pageQuery } from '@crm/shared';
import { HANDOVER_PHASES, HANDOVER_STATUSES, ITEM_TYPES, ON_REFUSED, SPLITS, WECOM_STATES } from './handover.model';

// ---- requests

const kind = z.enum(['resigned', 'in-service']).describe('resigned 离职继承 / in-service 在职继承');
const handoverRequest = {
  fromUserId: objectId.describe('被交接的成员'),
  kind,
  successors: z.array(objectId).min(1).max(20).describe('接替人（all-to-one 时取第一个）'),
  split: z.enum(SPLITS).describe('by-customer 按客户（地区、行业相近的接替人）/ even 平均 / all-to-one 全部给第一个接替人'),
};
export const previewHandoverBody = z.strictObject(handoverRequest);
export const startHandoverBody = z.strictObject({
  ...handoverRequest,
  assignments: z
    .array(z.strictObject({ customerId: objectId, successorId: objectId }))
    .max(20_000)
    .optional()
    .describe('对预览分配方案的修改：客户 → 接替人（未列出的客户按 split 分配）'),
  onRefused: z.enum(ON_REFUSED).describe('企业微信转接被拒绝、失败或超时的客户：successor-with-note 仍归接替人并备注 / pool 退回公海'),
  transferMessage: z.string().trim().max(200).optional().describe('在职继承时企业微信发给客户的消息（最多 200 字）'),
  newLeaderId: objectId.optional().describe('离职继承：离职人员下属的新上级（同停用用户）'),
});
export const listHandoversQuery = z.strictObject({ fromUserId: objectId.optional(), status: z.enum(HANDOVER_STATUSES).optional(), ...pageQuery });
export const listHandoverItemsQuery = z.strictObject({ type: z.enum(ITEM_TYPES).optional(), wecom: z.enum(WECOM_STATES).optional(), ...pageQuery });

// ---- answers

const person = z.strictObject({ id: idString, name: z.string() });
const count = z.number().int().min(0);
export const handoverProgressSchema = z.strictObject({
  customers: z.strictObject({ total: count, moved: count, skipped: count }),
  wecom: z.strictObject({ total: count, requested: count, waiting: count, accepted: count, refused: count, failed: count, timedOut: count }),
  groupChats: z.strictObject({ total: count, transferred: count, failed: count }),
  approvals: z.strictObject({ moved: count }),
  reminders: z.strictObject({ moved: count, cancelled: count }),
  reconciled: z.strictObject({ toSuccessor: count, toPool: count }),
});
export const handoverReportSchema = z.strictObject({
  perSuccessor: z.array(z.strictObject({ id: idString, name: z.string(), customers: count, accepted: count, refused: count })),
  refused: z.array(
    z.strictObject({
      customerId: idString,
      name: z.string().nullable(),
      successorId: idString,
      successorName: z.string().nullable(),
      outcome: z.enum(['successor', 'pool']),
      reason: z.string().nullable(),
    }),
  ),
});
const handoverBase = {
  id: idString,
  kind,
  status: z.enum(HANDOVER_STATUSES).describe('queued 排队 / running 进行中 / waiting 等待客户接受（24 小时内可拒绝）/ done 完成 / failed 失败'),
  phase: z.enum(HANDOVER_PHASES),
  from: person,
  successors: z.array(person),
  split: z.enum(SPLITS),
  onRefused: z.enum(ON_REFUSED),
  startedBy: person,
  createdAt: isoTime,
  finishedAt: isoTime.nullable(),
  error: z.string().nullable(),
  wecomUnavailable: z.number().int().nullable().describe('企业微信拒绝列出被交接人的客户时的错误码（如 48002 应用无客户联系权限）：只交接了 CRM'),
};
export const handoverDtoSchema = z.strictObject({ ...handoverBase, progress: handoverProgressSchema, report: handoverReportSchema.nullable() });
export const handoverListItemSchema = z.strictObject(handoverBase);
export const handoverPageDtoSchema = pageOf(handoverListItemSchema);
export const handoverItemDtoSchema = z.strictObject({
  id: idString,
  type: z.enum(ITEM_TYPES),
  customerId: idString.nullable(),
  customerName: z.string().nullable(),
  externalUserId: z.string().nullable(),
  chatId: z.string().nullable(),
  successorId: idString,
  crm: z.enum(['pending', 'moved', 'skipped']),
  wecom: z.enum(WECOM_STATES),
  errcode: z.number().int().nullable(),
  reconciled: z.enum(['none', 'pending', 'successor', 'pool', 'skipped']),
  note: z.string().nullable(),
});
export const handoverItemPageDtoSchema = pageOf(handoverItemDtoSchema);

const nameId = { id: idString, name: z.string() };
export const handoverPreviewDtoSchema = z.strictObject({
  from: z.strictObject({ ...nameId, status: z.string(), wecomUserId: z.string().nullable() }),
  kind,
  split: z.enum(SPLITS),
  successors: z.array(z.strictObject({ ...nameId, customers: count })),
  customers: z.array(
    z.strictObject({
      ...nameId,
      company: z.string().nullable(),
      tier: z.string(),
      contacts: count,
      externalUserIds: z.array(z.string()),
      openOpportunities: count,
      pendingContracts: count,
      successorId: idString,
    }),
  ),
  opportunities: z.array(z.strictObject({ ...nameId, customerId: idString, stage: z.string(), amountFen: z.number().int() })),
  contracts: z.array(z.strictObject({ id: idString, title: z.string(), customerId: idString, status: z.string() })),
  approvals: z.strictObject({
    requested: z.array(z.strictObject({ id: idString, title: z.string(), status: z.string() })),
    waiting: z.array(z.strictObject({ id: idString, title: z.string(), status: z.string() })),
  }),
  reminders: z.strictObject({ count, items: z.array(z.strictObject({ id: idString, title: z.string(), dueAt: isoTime })) }),
  wecom: z.strictObject({
    enabled: z.boolean(),
    externalContacts: z.array(z.strictObject({ externalUserId: z.string(), customerId: idString.nullable(), successorId: idString })),
    groupChats: z.array(z.strictObject({ chatId: z.string(), successorId: idString })),
  }),
  totals: z.strictObject({
    customers: count,
    contacts: count,
    openOpportunities: count,
    pendingContracts: count,
    approvalsRequested: count,
    approvalsWaiting: count,
    reminders: count,
    externalContacts: count,
    groupChats: count,
  }),
});
