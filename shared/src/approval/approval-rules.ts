import type { Role } from '../org/roles';
import { formatMoneyShort } from '../text/money';
import type { ApprovalSubjectType } from './approval.dto';

/**
 * Approval routing rules: pure data and pure evaluation (no database), so rule tables can be tested
 * directly. `config/src/approval-rules.ts` holds the shipped defaults and validates them at startup;
 * the API resolves the approvers of the route against the org when an approval is submitted.
 */

/** A numeric range; every bound given must hold. */
export interface NumberRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** Every key given must hold (and). Lists match when the fact is one of them. */
export interface ConditionLeaf {
  amountFen?: NumberRange;
  discountPercent?: NumberRange;
  customerTier?: string[];
  /** The requester's department or any department above it, by name. */
  department?: string[];
  productLine?: string[];
}

export type ApprovalCondition = ConditionLeaf | { all: ApprovalCondition[] } | { any: ApprovalCondition[] };

/** Who approves a step; resolved from the org when the approval is submitted and stored on it. */
export type ApproverSpec =
  /** Named users, by login (WeCom userid) or user id. */
  | { type: 'users'; users: string[] }
  /** Users holding this role in the requester's (first) department. */
  | { type: 'role'; role: Role }
  /** The requester's direct leader. */
  | { type: 'directLeader' }
  /** The leader `levels` up the requester's chain (1 = direct leader); a shorter chain gives its top. */
  | { type: 'supervisor'; levels: number }
  /** The leaders of a named department: finance (财务部), legal (法务部), the general manager's office... */
  | { type: 'departmentLeader'; department: string };

export interface ApprovalStepSpec {
  /** Identifies the step across rules: two matching rules naming the same key give one step. */
  key: string;
  name: string;
  /** Steps run in ascending order. */
  order: number;
  mode: 'any' | 'all';
  approvers: ApproverSpec[];
}

export interface ApprovalRule {
  id: string;
  subject: ApprovalSubjectType;
  /** Absent: always matches. */
  when?: ApprovalCondition;
  steps: ApprovalStepSpec[];
}

export interface ApprovalRulesConfig {
  rules: ApprovalRule[];
  /** Remind a silent approver after this many hours on a step. */
  remindAfterHours: number;
  /** Hand the step to the approver's leader after this many hours. */
  escalateAfterHours: number;
  /** A request still pending after this many hours expires (the subject goes back to its draft state). */
  expireAfterHours: number;
  /** Re-issue a WeCom card when its response code is older than this (codes last 72 h). */
  cardRefreshAfterHours: number;
  /** How often the timeout sweep runs. */
  sweepIntervalSeconds: number;
}

/** What rules look at. */
export interface ApprovalFacts {
  amountFen: number | null;
  discountPercent: number | null;
  customerTier: string | null;
  /** Names of the requester's departments and all above them. */
  departments: string[];
  productLine: string | null;
}

function inRange(value: number | null, r: NumberRange): boolean {
  if (value === null) return false;
  if (r.gt !== undefined && !(value > r.gt)) return false;
  if (r.gte !== undefined && !(value >= r.gte)) return false;
  if (r.lt !== undefined && !(value < r.lt)) return false;
  if (r.lte !== undefined && !(value <= r.lte)) return false;
  return true;
}

export function matchesCondition(c: ApprovalCondition, f: ApprovalFacts): boolean {
  if ('all' in c) return c.all.every((x) => matchesCondition(x, f));
  if ('any' in c) return c.any.some((x) => matchesCondition(x, f));
  if (c.amountFen && !inRange(f.amountFen, c.amountFen)) return false;
  if (c.discountPercent && !inRange(f.discountPercent, c.discountPercent)) return false;
  if (c.customerTier && !(f.customerTier !== null && c.customerTier.includes(f.customerTier))) return false;
  if (c.department && !f.departments.some((d) => c.department!.includes(d))) return false;
  if (c.productLine && !(f.productLine !== null && c.productLine.includes(f.productLine))) return false;
  return true;
}

/**
 * The steps for a subject: every matching rule adds its steps; a step key named by several rules counts
 * once (the first rule's definition); steps are ordered by `order`. Empty: nothing to approve (auto-approve).
 */
export function routeFor(rules: readonly ApprovalRule[], subject: ApprovalSubjectType, facts: ApprovalFacts): { ruleIds: string[]; steps: ApprovalStepSpec[] } {
  const ruleIds: string[] = [];
  const steps = new Map<string, ApprovalStepSpec>();
  for (const rule of rules) {
    if (rule.subject !== subject) continue;
    if (rule.when && !matchesCondition(rule.when, facts)) continue;
    ruleIds.push(rule.id);
    for (const s of rule.steps) if (!steps.has(s.key)) steps.set(s.key, s);
  }
  return { ruleIds, steps: [...steps.values()].sort((a, b) => a.order - b.order) };
}

const SUBJECT_NOUNS: Record<ApprovalSubjectType, string> = {
  contract: '合同',
  discount: '折扣申请',
  'customer-report': '客户报备',
  'pool-extension': '公海延期申请',
};
const OPS: Array<[keyof NumberRange, string]> = [
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
];

function describeRange(label: string, value: number | null, r: NumberRange, show: (n: number) => string): string {
  const bounds = OPS.filter(([k]) => r[k] !== undefined).map(([k, op]) => `${op} ${show(r[k]!)}`);
  return `${label} ${value === null ? '—' : show(value)} ${bounds.join('、')}`;
}

/**
 * Why a condition holds for these facts, in words ("折扣 18% > 15%", "金额 ¥120万 ≥ ¥100万"). For `any`,
 * the first alternative that holds; for `all` and leaves, every part, joined with "，". Null when it does not hold.
 */
export function describeCondition(c: ApprovalCondition, f: ApprovalFacts): string | null {
  if (!matchesCondition(c, f)) return null;
  if ('all' in c)
    return c.all
      .map((x) => describeCondition(x, f))
      .filter(Boolean)
      .join('，');
  if ('any' in c) return c.any.map((x) => describeCondition(x, f)).find(Boolean) ?? null;
  const parts: string[] = [];
  if (c.amountFen) parts.push(describeRange('金额', f.amountFen, c.amountFen, formatMoneyShort));
  if (c.discountPercent) parts.push(describeRange('折扣', f.discountPercent, c.discountPercent, (n) => `${n}%`));
  if (c.customerTier) parts.push(`客户等级 ${f.customerTier ?? '—'}`);
  if (c.department) parts.push(`部门 ${f.departments.find((d) => c.department!.includes(d)) ?? '—'}`);
  if (c.productLine) parts.push(`产品线 ${f.productLine ?? '—'}`);
  return parts.join('，');
}

/**
 * `routeFor` with the reason of each step, from the rule that put it in the route (the first matching rule
 * naming its key): what of the facts made it match ("折扣 18% > 15%"), or "默认（所有合同）" for a rule
 * without `when`. Stored on the step at submit, shown on cards and in the app ("财务：折扣 18% > 15%").
 */
export function explainRoute(
  rules: readonly ApprovalRule[],
  subject: ApprovalSubjectType,
  facts: ApprovalFacts,
): { ruleIds: string[]; steps: Array<ApprovalStepSpec & { reason: string }> } {
  const { ruleIds, steps } = routeFor(rules, subject, facts);
  const reasons = new Map<string, string>();
  for (const rule of rules) {
    if (!ruleIds.includes(rule.id) || rule.subject !== subject) continue;
    const why = rule.when ? describeCondition(rule.when, facts) || `规则 ${rule.id}` : `默认（所有${SUBJECT_NOUNS[subject]}）`;
    for (const s of rule.steps) if (!reasons.has(s.key)) reasons.set(s.key, why);
  }
  return { ruleIds, steps: steps.map((s) => ({ ...s, reason: reasons.get(s.key) ?? '' })) };
}

/** 100,000 元 in fen. */
export const yuanToFen = (yuan: number): number => Math.round(yuan * 100);
