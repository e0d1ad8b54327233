import { z } from 'zod';
import { APPROVAL_SUBJECT_TYPES, ROLES, yuanToFen, type ApprovalCondition, type ApprovalRulesConfig, type ApprovalStepSpec } from '@crm/shared';

/**
 * Approval routing rules (issue #6). Edit freely; `loadConfig` validates them at startup and refuses to
 * start on a mistake. How a route is built (see shared/src/approval/approval-rules.ts):
 *
 * - every rule whose `subject` and `when` match adds its steps; a step key named by several matching
 *   rules counts once; steps run in ascending `order`;
 * - no matching rule: the approval is approved at once (auto-approve below every threshold);
 * - money is in fen (100,000 元 = 10,000,000 fen); discounts in percent;
 * - `when` is a leaf (every key given must hold), `{ all: [...] }` or `{ any: [...] }`;
 * - approvers: `users` (logins), `role` (in the requester's department), `directLeader`,
 *   `supervisor` (N levels up; a shorter chain gives its top), `departmentLeader` (e.g. 财务部, 法务部);
 *   the requester never approves their own request; a step nobody can approve is never skipped: the
 *   fallback chain (leader's leader → department leader → admin) stands in, else the submit is refused (422);
 * - a route is resolved and stored when an approval is submitted: changing rules never alters approvals in flight.
 *
 * Example: contracts from 200,000 元 for A-tier customers of 华南销售部 also need the finance manager:
 *   { id: 'south-a-big', subject: 'contract',
 *     when: { all: [{ amountFen: { gte: yuanToFen(200_000) } }, { customerTier: ['A'] }, { department: ['华南销售部'] }] },
 *     steps: [FINANCE] }
 */
const MANAGER: ApprovalStepSpec = { key: 'manager', name: '部门经理', order: 10, mode: 'any', approvers: [{ type: 'directLeader' }] };
const DIRECTOR: ApprovalStepSpec = {
  key: 'director',
  name: '销售总监',
  order: 20,
  mode: 'any',
  approvers: [{ type: 'departmentLeader', department: '销售中心' }],
};
const LEGAL: ApprovalStepSpec = { key: 'legal', name: '法务', order: 30, mode: 'any', approvers: [{ type: 'departmentLeader', department: '法务部' }] };
const FINANCE: ApprovalStepSpec = { key: 'finance', name: '财务', order: 40, mode: 'any', approvers: [{ type: 'departmentLeader', department: '财务部' }] };
const GM: ApprovalStepSpec = { key: 'gm', name: '总经理', order: 50, mode: 'any', approvers: [{ type: 'departmentLeader', department: '总经办' }] };

export const DEFAULT_APPROVAL_RULES: ApprovalRulesConfig = {
  rules: [
    { id: 'contract-manager', subject: 'contract', steps: [MANAGER] },
    { id: 'contract-100k', subject: 'contract', when: { amountFen: { gte: yuanToFen(100_000) } }, steps: [MANAGER, DIRECTOR] },
    { id: 'contract-500k', subject: 'contract', when: { amountFen: { gte: yuanToFen(500_000) } }, steps: [LEGAL] },
    { id: 'contract-1m', subject: 'contract', when: { amountFen: { gte: yuanToFen(1_000_000) } }, steps: [GM] },
    { id: 'contract-discount-15', subject: 'contract', when: { discountPercent: { gt: 15 } }, steps: [FINANCE] },
    // Discounts up to 5% need nobody (auto-approved); above that the manager; above 15% finance too.
    { id: 'discount-5', subject: 'discount', when: { discountPercent: { gt: 5 } }, steps: [MANAGER] },
    { id: 'discount-15', subject: 'discount', when: { discountPercent: { gt: 15 } }, steps: [FINANCE] },
    { id: 'customer-report', subject: 'customer-report', steps: [MANAGER] },
    // 申请延期 from the reclaim warning card (issue #18): the manager decides
    { id: 'pool-extension', subject: 'pool-extension', steps: [MANAGER] },
  ],
  remindAfterHours: 4,
  escalateAfterHours: 24,
  expireAfterHours: 7 * 24,
  cardRefreshAfterHours: 66,
  sweepIntervalSeconds: 60,
};

const range = z.strictObject({ gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional() });
const names = z.array(z.string().min(1)).min(1);
const condition: z.ZodType<ApprovalCondition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(condition).min(1) }),
    z.strictObject({ any: z.array(condition).min(1) }),
    z
      .strictObject({
        amountFen: range.optional(),
        discountPercent: range.optional(),
        customerTier: names.optional(),
        department: names.optional(),
        productLine: names.optional(),
      })
      .refine((l) => Object.keys(l).length > 0, { message: 'an empty condition (leave `when` out to match always)' }),
  ]),
);
const approver = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('users'), users: names }),
  z.strictObject({ type: z.literal('role'), role: z.enum(ROLES) }),
  z.strictObject({ type: z.literal('directLeader') }),
  z.strictObject({ type: z.literal('supervisor'), levels: z.number().int().min(1).max(20) }),
  z.strictObject({ type: z.literal('departmentLeader'), department: z.string().min(1) }),
]);
const step = z.strictObject({
  key: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1).max(20),
  order: z.number().int(),
  mode: z.enum(['any', 'all']),
  approvers: z.array(approver).min(1),
});
export const approvalRulesSchema = z.strictObject({
  rules: z.array(z.strictObject({ id: z.string().min(1), subject: z.enum(APPROVAL_SUBJECT_TYPES), when: condition.optional(), steps: z.array(step).min(1) })),
  remindAfterHours: z.number().positive(),
  escalateAfterHours: z.number().positive(),
  expireAfterHours: z.number().positive(),
  cardRefreshAfterHours: z.number().positive().max(71),
  sweepIntervalSeconds: z.number().int().min(1),
});

/** Problems with a rule set, as readable lines (empty: valid). */
export function approvalRuleProblems(input: unknown): string[] {
  const parsed = approvalRulesSchema.safeParse(input);
  if (!parsed.success) return parsed.error.issues.map((i) => `approvals.${i.path.join('.')}: ${i.message}`);
  const c = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>();
  const stepByKey = new Map<string, string>();
  for (const r of c.rules) {
    if (ids.has(r.id)) problems.push(`approvals.rules: rule id ${r.id} is used twice`);
    ids.add(r.id);
    for (const s of r.steps) {
      const shape = JSON.stringify(s);
      const seen = stepByKey.get(s.key);
      if (seen !== undefined && seen !== shape) problems.push(`approvals.rules.${r.id}: step ${s.key} is defined differently in another rule`);
      stepByKey.set(s.key, shape);
    }
  }
  if (c.escalateAfterHours <= c.remindAfterHours) problems.push('approvals.escalateAfterHours: must be later than remindAfterHours');
  if (c.expireAfterHours <= c.escalateAfterHours) problems.push('approvals.expireAfterHours: must be later than escalateAfterHours');
  return problems;
}
