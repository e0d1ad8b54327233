import type { PoolRulesConfig, PoolSpec, PoolTierRule } from '@crm/config';

export const DAY_MS = 86_400_000;
/** A customer no rule would ever reclaim (locked, a `never` tier, no rule for its tier) is looked at again after this (its tier or the rules may change). */
export const RECHECK_MS = 7 * DAY_MS;

export type ReclaimKind = 'no-follow-up' | 'no-opportunity' | 'contract-ended';

/** What the rules read of one owned customer. */
export interface ClockFacts {
  tier: PoolTierRule['tiers'][number];
  /** When the current owner got it (claim, assignment, transfer, creation). */
  since: Date;
  lastFollowUpAt: Date | null;
  lastOpportunityAt: Date | null;
  contractEndsAt: Date | null;
  locked: boolean;
  /** An approved extension (申请延期): not before this. */
  extendedUntil: Date | null;
}

export interface ReclaimDue {
  at: Date;
  kind: ReclaimKind;
  /** In words: "30 天未跟进". */
  reason: string;
  warnAt: Date;
}

const later = (a: Date | null, b: Date): Date => (a && a > b ? a : b);
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);

/** The rule of a pool for a tier: the first entry naming it (none: never reclaimed). */
export function ruleFor(pool: PoolSpec, tier: ClockFacts['tier']): PoolTierRule | undefined {
  return pool.rules.find((r) => r.tiers.includes(tier));
}

/**
 * When the customer goes back to the pool, and why: the earliest of the pool's limits for its tier, each
 * counted from the later of the last activity and the claim (a follow-up resets the follow-up clock, a new
 * deal the deal clock). Null: never (locked, a `never` tier, no rule).
 */
export function reclaimDue(pool: PoolSpec, f: ClockFacts): ReclaimDue | null {
  const rule = ruleFor(pool, f.tier);
  if (!rule || rule.never || f.locked) return null;
  const candidates: Array<{ at: Date; kind: ReclaimKind; reason: string }> = [];
  if (rule.noFollowUpDays !== undefined) {
    candidates.push({ at: plusDays(later(f.lastFollowUpAt, f.since), rule.noFollowUpDays), kind: 'no-follow-up', reason: `${rule.noFollowUpDays} 天未跟进` });
  }
  if (rule.noOpportunityDays !== undefined) {
    candidates.push({
      at: plusDays(later(f.lastOpportunityAt, f.since), rule.noOpportunityDays),
      kind: 'no-opportunity',
      reason: `${rule.noOpportunityDays} 天没有新商机`,
    });
  }
  if (rule.afterContractEndDays !== undefined && f.contractEndsAt) {
    candidates.push({
      at: plusDays(later(f.contractEndsAt, f.since), rule.afterContractEndDays),
      kind: 'contract-ended',
      reason: `合同到期已 ${rule.afterContractEndDays} 天`,
    });
  }
  if (!candidates.length) return null;
  const first = candidates.reduce((a, b) => (b.at < a.at ? b : a));
  const at = f.extendedUntil && f.extendedUntil > first.at ? f.extendedUntil : first.at;
  return { ...first, at, warnAt: plusDays(at, -rule.warnDays) };
}

/** Whole days from now until `at`, rounded up (0 = today or overdue). */
export function daysUntil(at: Date, now: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - now.getTime()) / DAY_MS));
}

/** "3 天后将退回公海" / "今天将退回公海". */
export function warningText(inDays: number, reason: string): string {
  return `${inDays > 0 ? `${inDays} 天后` : '今天'}将退回公海：${reason}`;
}

export function poolByKey(config: PoolRulesConfig, key: string | null | undefined): PoolSpec {
  return config.pools.find((p) => p.key === key) ?? config.pools.find((p) => p.key === config.defaultPool)!;
}
