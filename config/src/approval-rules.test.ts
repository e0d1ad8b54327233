import { routeFor, yuanToFen, type ApprovalFacts, type ApprovalRule } from '@crm/shared';
import { approvalRuleProblems, DEFAULT_APPROVAL_RULES } from './approval-rules';

const facts = (f: Partial<ApprovalFacts>): ApprovalFacts => ({
  amountFen: null,
  discountPercent: 0,
  customerTier: 'B',
  departments: ['华东销售部', '销售中心', '示例科技有限公司'],
  productLine: null,
  ...f,
});
const keys = (subject: 'contract' | 'discount' | 'customer-report', f: Partial<ApprovalFacts>) =>
  routeFor(DEFAULT_APPROVAL_RULES.rules, subject, facts(f)).steps.map((s) => s.key);

describe('shipped approval rules: amount and discount boundaries', () => {
  it.each([
    [0, ['manager']],
    [99_999.99, ['manager']],
    [100_000, ['manager', 'director']],
    [499_999.99, ['manager', 'director']],
    [500_000, ['manager', 'director', 'legal']],
    [999_999.99, ['manager', 'director', 'legal']],
    [1_000_000, ['manager', 'director', 'legal', 'gm']],
  ])('a contract of %s 元 goes to %j', (yuan, expected) => {
    expect(keys('contract', { amountFen: yuanToFen(yuan) })).toEqual(expected);
  });

  it.each([
    [15, ['manager']],
    [15.01, ['manager', 'finance']],
  ])('a 50,000 元 contract with %s%% discount goes to %j', (discount, expected) => {
    expect(keys('contract', { amountFen: yuanToFen(50_000), discountPercent: discount })).toEqual(expected);
  });

  it('finance comes before the GM on a big discounted contract (steps ordered by `order`)', () => {
    expect(keys('contract', { amountFen: yuanToFen(2_000_000), discountPercent: 20 })).toEqual(['manager', 'director', 'legal', 'finance', 'gm']);
  });

  it.each([
    [0, []],
    [5, []],
    [5.5, ['manager']],
    [15, ['manager']],
    [16, ['manager', 'finance']],
  ])('a discount of %s%% needs %j (none: auto-approve)', (discount, expected) => {
    expect(keys('discount', { amountFen: yuanToFen(10_000), discountPercent: discount })).toEqual(expected);
  });

  it('a customer report goes to the manager', () => {
    expect(keys('customer-report', {})).toEqual(['manager']);
  });
});

describe('conditions: and / or, tier, department, product line', () => {
  const step = { key: 'x', name: 'X', order: 1, mode: 'any' as const, approvers: [{ type: 'directLeader' as const }] };
  const rules: ApprovalRule[] = [
    {
      id: 'combo',
      subject: 'contract',
      when: {
        any: [
          { all: [{ customerTier: ['A'] }, { amountFen: { gte: 100 } }, { department: ['华南销售部'] }] },
          { productLine: ['硬件'], discountPercent: { gt: 10 } },
        ],
      },
      steps: [step],
    },
  ];
  const hit = (f: Partial<ApprovalFacts>) => routeFor(rules, 'contract', facts(f)).ruleIds.length === 1;
  it('matches the and-branch only when every part holds', () => {
    expect(hit({ customerTier: 'A', amountFen: 100, departments: ['华南销售部', '销售中心'] })).toBe(true);
    expect(hit({ customerTier: 'B', amountFen: 100, departments: ['华南销售部'] })).toBe(false);
    expect(hit({ customerTier: 'A', amountFen: 99, departments: ['华南销售部'] })).toBe(false);
    expect(hit({ customerTier: 'A', amountFen: 100, departments: ['华东销售部'] })).toBe(false);
  });
  it('matches the or-branch on product line and discount together', () => {
    expect(hit({ productLine: '硬件', discountPercent: 11 })).toBe(true);
    expect(hit({ productLine: '硬件', discountPercent: 10 })).toBe(false);
    expect(hit({ productLine: '软件', discountPercent: 50 })).toBe(false);
  });
  it('a missing fact never matches a range', () => {
    expect(hit({ customerTier: 'A', amountFen: null, departments: ['华南销售部'] })).toBe(false);
  });
});

describe('validation at startup', () => {
  it('accepts the shipped rules', () => {
    expect(approvalRuleProblems(DEFAULT_APPROVAL_RULES)).toEqual([]);
  });
  it('lists every problem: unknown approver type, duplicate ids, a step key defined two ways, timeouts out of order', () => {
    const bad = structuredClone(DEFAULT_APPROVAL_RULES) as unknown as { rules: Array<Record<string, unknown>>; escalateAfterHours: number };
    bad.rules.push({ ...bad.rules[0], steps: [{ key: 'manager', name: '经理', order: 1, mode: 'any', approvers: [{ type: 'directLeader' }] }] });
    bad.escalateAfterHours = 1;
    const problems = approvalRuleProblems(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        'approvals.rules: rule id contract-manager is used twice',
        expect.stringContaining('step manager is defined differently'),
        'approvals.escalateAfterHours: must be later than remindAfterHours',
      ]),
    );
    const typo = structuredClone(DEFAULT_APPROVAL_RULES) as unknown as { rules: Array<{ steps: Array<{ approvers: unknown[] }> }> };
    typo.rules[0]!.steps[0]!.approvers = [{ type: 'boss' }];
    expect(approvalRuleProblems(typo)[0]).toMatch(/^approvals\.rules\.0\.steps\.0\.approvers\.0/);
  });
});
