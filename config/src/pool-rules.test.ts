import { DEFAULT_POOL_RULES, poolRuleProblems, type PoolRulesConfig } from './pool-rules';

/** The pool and assignment rules are checked at start-up: the defaults pass, each kind of mistake is named. */
const base = (): PoolRulesConfig => structuredClone(DEFAULT_POOL_RULES);

describe('poolRuleProblems', () => {
  it('accepts the defaults', () => {
    expect(poolRuleProblems(DEFAULT_POOL_RULES)).toEqual([]);
  });

  it.each<[string, (c: PoolRulesConfig) => void, RegExp]>([
    ['a pool defined twice', (c) => c.pools.push({ ...c.pools[0]! }), /pool south is defined twice/],
    ['an unknown default pool', (c) => void (c.defaultPool = 'nowhere'), /defaultPool: no pool nowhere/],
    ['a pool without members', (c) => void (c.pools[0]!.members = {}), /members: name departments or users/],
    ['a tier named twice in a pool', (c) => c.pools[0]!.rules.push({ tiers: ['A'], noFollowUpDays: 10, warnDays: 2 }), /tier A is named twice/],
    ['a rule with neither a limit nor never', (c) => void (c.pools[1]!.rules[0] = { tiers: ['A'], warnDays: 2 }), /give a reclaim limit or never: true/],
    [
      'never with a limit',
      (c) => void (c.pools[0]!.rules[0] = { tiers: ['A'], never: true, noFollowUpDays: 5, warnDays: 2 }),
      /never: true takes no reclaim limit/,
    ],
    ['a warning as long as the limit', (c) => void (c.pools[1]!.rules[2]!.warnDays = 15), /warnDays must be shorter than noFollowUpDays/],
    ['an assignment rule to an unknown group', (c) => void (c.assignment.rules[0]!.to = { type: 'roundRobin', group: 'west' }), /no group west/],
    ['an assignment rule to an unknown pool', (c) => void (c.assignment.rules[0]!.to = { type: 'pool', pool: 'west' }), /no pool west/],
    ['a group returning to an unknown pool', (c) => void (c.assignment.groups.east!.pool = 'west'), /groups.east.pool: no pool west/],
    ['a last rule that does not match every lead', (c) => void (c.assignment.rules.at(-1)!.when = { industry: ['制造业'] }), /last rule must match every lead/],
    ['a negative claim limit', (c) => void (c.claimsPerDay = 0), /claimsPerDay/],
    ['an unknown field', (c) => Object.assign(c, { claimLimit: 3 }), /Unrecognized key|unrecognized/i],
  ])('names %s', (_name, mutate, problem) => {
    const c = base();
    mutate(c);
    expect(poolRuleProblems(c).join('\n')).toMatch(problem);
  });
});
