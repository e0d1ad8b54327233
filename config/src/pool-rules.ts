import { z } from 'zod';

/**
 * Pools (公海) and lead assignment (issue #18). Edit freely; `loadConfig` validates them at start-up and refuses
 * to start on a mistake, like the approval rules.
 *
 * Pools:
 * - each pool has members (department names: the department and everything below it; user logins) and
 *   admins (logins); only members browse and claim its customers;
 * - an owned customer's rules come from its owner's pool: the first pool (in this order) the owner is a member
 *   of, else `defaultPool`; that is also where it returns;
 * - per pool, rules by customer tier (the first entry naming the tier): reclaim after `noFollowUpDays` without a
 *   follow-up, `noOpportunityDays` without a new opportunity, or `afterContractEndDays` after its contract ends
 *   (whichever comes first); the clock starts at the later of the last follow-up (opportunity) and the claim;
 *   a warning `warnDays` before; `never: true` keeps that tier (key accounts); a tier no entry names is never
 *   reclaimed; a customer can also be locked one by one (`PUT /pools/locks/:customerId`);
 * - claims: at most `claimsPerDay` per rep per business day, at most `maxOwned` owned customers, and the owner
 *   a customer was reclaimed from waits `cooldownDays` before claiming it again.
 *
 * Assignment (new customers without an owner: import, API, web form): the first rule whose `when` matches
 * (region = province, industry, source; a rule without `when` matches all) sends it to a `group` by
 * `roundRobin` or by `load` (fewest owned customers, never above `maxOwned`), or to a `pool`. The reason is
 * recorded in words ("按地区：华南 → 黄磊", using the rule's `label`). The new owner gets a card (接受 /
 * 退回公海); a lead not accepted within `acceptWithinHours` goes to the group's pool.
 */
export const CUSTOMER_TIER_KEYS = ['A', 'B', 'C', 'D'] as const;
type Tier = (typeof CUSTOMER_TIER_KEYS)[number];

export interface PoolTierRule {
  tiers: Tier[];
  noFollowUpDays?: number;
  noOpportunityDays?: number;
  afterContractEndDays?: number;
  warnDays: number;
  never?: boolean;
}

export interface PoolSpec {
  key: string;
  name: string;
  members: { departments?: string[]; users?: string[] };
  admins: string[];
  rules: PoolTierRule[];
}

export interface AssignmentRule {
  id: string;
  /** Words of the reason: "按地区：华南". */
  label: string;
  when?: { region?: string[]; industry?: string[]; source?: string[] };
  to: { type: 'roundRobin'; group: string } | { type: 'load'; group: string } | { type: 'pool'; pool: string };
}

export interface PoolRulesConfig {
  pools: PoolSpec[];
  defaultPool: string;
  /** Pool browsing shows contact details (phones, e-mails, contacts) only after a claim. */
  hideContactsUntilClaimed: boolean;
  claimsPerDay: number;
  maxOwned: number;
  cooldownDays: number;
  /** An approved 申请延期 (the warning card → the manager) moves the return this many days past its due date. */
  extensionDays: number;
  /** How often the reclaim job runs (it also sends the warnings). */
  reclaimEveryMinutes: number;
  assignment: {
    groups: Record<string, { users?: string[]; departments?: string[]; pool: string }>;
    rules: AssignmentRule[];
    acceptWithinHours: number;
  };
}

const SOUTH = ['广东', '广西', '海南', '福建'];

export const DEFAULT_POOL_RULES: PoolRulesConfig = {
  pools: [
    {
      key: 'south',
      name: '华南公海',
      members: { departments: ['华南销售部'] },
      admins: ['demo-director'],
      rules: [
        { tiers: ['A'], never: true, warnDays: 3 },
        { tiers: ['B'], noFollowUpDays: 30, noOpportunityDays: 90, afterContractEndDays: 60, warnDays: 3 },
        { tiers: ['C', 'D'], noFollowUpDays: 15, noOpportunityDays: 60, afterContractEndDays: 30, warnDays: 3 },
      ],
    },
    {
      key: 'company',
      name: '公司公海',
      members: { departments: ['销售中心'] },
      admins: ['demo-director', 'demo-manager'],
      rules: [
        { tiers: ['A'], noFollowUpDays: 60, noOpportunityDays: 180, afterContractEndDays: 90, warnDays: 5 },
        { tiers: ['B'], noFollowUpDays: 30, noOpportunityDays: 90, afterContractEndDays: 60, warnDays: 3 },
        { tiers: ['C', 'D'], noFollowUpDays: 15, noOpportunityDays: 60, afterContractEndDays: 30, warnDays: 3 },
      ],
    },
  ],
  defaultPool: 'company',
  hideContactsUntilClaimed: true,
  claimsPerDay: 10,
  maxOwned: 200,
  cooldownDays: 7,
  extensionDays: 7,
  reclaimEveryMinutes: 10,
  assignment: {
    groups: {
      east: { departments: ['华东销售部'], pool: 'company' },
      south: { departments: ['华南销售部'], pool: 'south' },
    },
    rules: [
      { id: 'south', label: '按地区：华南', when: { region: SOUTH }, to: { type: 'roundRobin', group: 'south' } },
      { id: 'default', label: '轮流分配：华东', to: { type: 'roundRobin', group: 'east' } },
    ],
    acceptWithinHours: 24,
  },
};

const days = z.number().int().min(1).max(3650);
const names = z.array(z.string().min(1)).min(1);
const tierRule = z.strictObject({
  tiers: z.array(z.enum(CUSTOMER_TIER_KEYS)).min(1),
  noFollowUpDays: days.optional(),
  noOpportunityDays: days.optional(),
  afterContractEndDays: days.optional(),
  warnDays: z.number().int().min(0).max(365),
  never: z.boolean().optional(),
});
const key = z.string().regex(/^[a-z0-9-]+$/);
export const poolRulesSchema = z.strictObject({
  pools: z
    .array(
      z.strictObject({
        key,
        name: z.string().min(1).max(20),
        members: z.strictObject({ departments: names.optional(), users: names.optional() }),
        admins: z.array(z.string().min(1)),
        rules: z.array(tierRule),
      }),
    )
    .min(1),
  defaultPool: key,
  hideContactsUntilClaimed: z.boolean(),
  claimsPerDay: z.number().int().min(1),
  maxOwned: z.number().int().min(1),
  cooldownDays: z.number().int().min(0),
  extensionDays: z.number().int().min(1).max(365),
  reclaimEveryMinutes: z.number().int().min(1),
  assignment: z.strictObject({
    groups: z.record(key, z.strictObject({ users: names.optional(), departments: names.optional(), pool: key })),
    rules: z
      .array(
        z.strictObject({
          id: z.string().min(1),
          label: z.string().min(1).max(30),
          when: z.strictObject({ region: names.optional(), industry: names.optional(), source: names.optional() }).optional(),
          to: z.discriminatedUnion('type', [
            z.strictObject({ type: z.literal('roundRobin'), group: key }),
            z.strictObject({ type: z.literal('load'), group: key }),
            z.strictObject({ type: z.literal('pool'), pool: key }),
          ]),
        }),
      )
      .min(1),
    acceptWithinHours: z.number().positive(),
  }),
});

/** Problems with the pool and assignment rules, as readable lines (empty: valid). */
export function poolRuleProblems(input: unknown): string[] {
  const parsed = poolRulesSchema.safeParse(input);
  if (!parsed.success) return parsed.error.issues.map((i) => `pools.${i.path.join('.')}: ${i.message}`);
  const c = parsed.data;
  const problems: string[] = [];
  const pools = new Set<string>();
  for (const p of c.pools) {
    if (pools.has(p.key)) problems.push(`pools.pools: pool ${p.key} is defined twice`);
    pools.add(p.key);
    if (!p.members.departments && !p.members.users) problems.push(`pools.pools.${p.key}.members: name departments or users`);
    const seen = new Set<string>();
    for (const r of p.rules) {
      for (const t of r.tiers) {
        if (seen.has(t)) problems.push(`pools.pools.${p.key}.rules: tier ${t} is named twice`);
        seen.add(t);
      }
      const limits = [r.noFollowUpDays, r.noOpportunityDays, r.afterContractEndDays].filter((d) => d !== undefined);
      if (!r.never && limits.length === 0) problems.push(`pools.pools.${p.key}.rules[${r.tiers.join('')}]: give a reclaim limit or never: true`);
      if (r.never && limits.length > 0) problems.push(`pools.pools.${p.key}.rules[${r.tiers.join('')}]: never: true takes no reclaim limit`);
      if (r.noFollowUpDays !== undefined && r.warnDays >= r.noFollowUpDays) {
        problems.push(`pools.pools.${p.key}.rules[${r.tiers.join('')}]: warnDays must be shorter than noFollowUpDays`);
      }
    }
  }
  if (!pools.has(c.defaultPool)) problems.push(`pools.defaultPool: no pool ${c.defaultPool}`);
  for (const [g, spec] of Object.entries(c.assignment.groups)) {
    if (!spec.users && !spec.departments) problems.push(`pools.assignment.groups.${g}: name departments or users`);
    if (!pools.has(spec.pool)) problems.push(`pools.assignment.groups.${g}.pool: no pool ${spec.pool}`);
  }
  const ids = new Set<string>();
  for (const r of c.assignment.rules) {
    if (ids.has(r.id)) problems.push(`pools.assignment.rules: rule id ${r.id} is used twice`);
    ids.add(r.id);
    if (r.to.type === 'pool' && !pools.has(r.to.pool)) problems.push(`pools.assignment.rules.${r.id}.to.pool: no pool ${r.to.pool}`);
    if (r.to.type !== 'pool' && !c.assignment.groups[r.to.group]) problems.push(`pools.assignment.rules.${r.id}.to.group: no group ${r.to.group}`);
  }
  if (c.assignment.rules.at(-1)?.when) problems.push('pools.assignment.rules: the last rule must match every lead (leave out `when`)');
  return problems;
}
