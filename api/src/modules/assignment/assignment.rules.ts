import type { AssignmentRule, PoolRulesConfig } from '@crm/config';

/** What the assignment rules read of a lead. */
export interface LeadFacts {
  region?: { province?: string; city?: string } | null;
  industry?: string | null;
  source?: string | null;
}

/** The first rule whose `when` holds (every key given must match; a province matches with or without 省/市/自治区). */
export function matchRule(rules: PoolRulesConfig['assignment']['rules'], lead: LeadFacts): AssignmentRule {
  const province = (lead.region?.province ?? '').replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/, '');
  return (
    rules.find((r) => {
      const w = r.when;
      if (!w) return true;
      if (w.region && !w.region.some((p) => p === province || p === lead.region?.province || p === lead.region?.city)) return false;
      if (w.industry && !(lead.industry && w.industry.includes(lead.industry))) return false;
      if (w.source && !(lead.source && w.source.includes(lead.source))) return false;
      return true;
    }) ?? rules[rules.length - 1]!
  );
}

/** Round robin: the n-th lead (1-based, from the group's counter) goes to member (n-1) mod size; members in a stable order. */
export function roundRobinPick<T>(members: readonly T[], n: number): T {
  return members[(((n - 1) % members.length) + members.length) % members.length]!;
}

/** By load: the member with the fewest owned customers below `max` (ties: the first); undefined when all are full. */
export function leastLoaded<T extends { id: string }>(members: readonly T[], load: ReadonlyMap<string, number>, max: number): T | undefined {
  let best: T | undefined;
  for (const m of members) {
    const n = load.get(m.id) ?? 0;
    if (n >= max) continue;
    if (!best || n < (load.get(best.id) ?? 0)) best = m;
  }
  return best;
}
