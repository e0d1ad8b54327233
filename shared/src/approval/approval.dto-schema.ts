import { z } from 'zod';
import { fen, idString, isoTime } from '../common/dto.schemas';
import { APPROVAL_STATUSES, APPROVAL_SUBJECT_TYPES, type ApprovalDto } from './approval.dto';

const approver = z.strictObject({
  userId: idString,
  name: z.string(),
  decision: z.enum(['approve', 'reject']).nullable().describe('approve 同意 / reject 驳回；null 尚未处理'),
  comment: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  escalatedFromId: idString.nullable().describe('超时未处理时由谁升级而来（原审批人）'),
  replacedById: idString.nullable().describe('已被谁替代（离职交接、超时升级）'),
  standInReason: z.string().nullable().describe('代为审批的原因，例如“张伟 已离职，由上级 李娜 代为审批”'),
});

const step = z.strictObject({
  index: z.number().int().min(0),
  name: z.string().describe('步骤名，例如 部门经理、销售总监、法务、财务'),
  mode: z.enum(['any', 'all']).describe('any：任一审批人决定即完成本步；all：需全部同意'),
  status: z
    .enum(['waiting', 'pending', 'approved', 'rejected', 'skipped'])
    .describe('waiting 未开始，pending 当前步骤，approved 已同意，rejected 已驳回，skipped 已跳过'),
  reason: z.string().nullable().describe('为什么有这一步（来自加入它的规则），例如“折扣 18% > 15%”；较早的审批为 null'),
  approvers: z.array(approver),
});

const historyEntry = z.strictObject({
  at: isoTime,
  actorId: idString.nullable(),
  actorName: z.string().nullable(),
  action: z.string().describe('submit 提交，approve 同意，reject 驳回，withdraw 撤回，remind 催办，escalate 升级，expire 过期，resubmit 重新提交 等'),
  comment: z.string().nullable(),
  step: z.number().int().nullable(),
});

/** ApprovalDto (and the API's extra ruleIds / version) as a schema: documented and checked against live answers. */
export const approvalDtoSchema = z.strictObject({
  id: idString,
  subjectType: z.enum(APPROVAL_SUBJECT_TYPES).describe('contract 合同审批，discount 折扣审批，customer-report 客户报备'),
  subjectId: idString.describe('合同、商机或客户的 id'),
  title: z.string(),
  status: z.enum(APPROVAL_STATUSES).describe('pending 审批中，approved 已通过，rejected 已驳回，withdrawn 已撤回，expired 已过期'),
  requester: z.strictObject({ id: idString, name: z.string() }),
  customer: z.strictObject({ id: idString, name: z.string() }).nullable(),
  amountFen: fen.nullable(),
  discountPercent: z.number().min(0).max(100).nullable().describe('折扣百分比，例如 18 表示 18%'),
  currentStep: z.number().int().describe('当前步骤的 index（steps[currentStep]）'),
  steps: z.array(step).describe('审批路线：提交时按审批规则和当时的组织生成，之后不变'),
  history: z.array(historyEntry).describe('完整历史，按时间顺序'),
  note: z.string().nullable().describe('申请说明（提交时填写）'),
  previousId: idString.nullable().describe('驳回后重新提交时，上一次审批的 id'),
  resubmission: z
    .strictObject({
      previousId: idString,
      previousStatus: z.enum(APPROVAL_STATUSES),
      rejectedBy: z.string().nullable(),
      reason: z.string().nullable().describe('上次驳回的原因'),
      changes: z
        .array(z.strictObject({ label: z.string(), before: z.string(), after: z.string() }))
        .describe('与上次相比改了什么，例如 { label: "金额", before: "¥100万", after: "¥120万" }'),
    })
    .nullable()
    .describe('重新提交时：上一次的结果和之后的改动'),
  createdAt: isoTime,
  updatedAt: isoTime,
  ruleIds: z.array(z.string()).describe('命中的审批规则（config/src/approval-rules.ts）'),
  version: z.number().int().describe('每次变更加一'),
}) satisfies z.ZodType<ApprovalDto>;
