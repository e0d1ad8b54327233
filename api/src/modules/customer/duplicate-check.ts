import type { Model, Types } from 'mongoose';
import { companyKey as toCompanyKey, normalizeCompanyName } from '@crm/shared';
import type { Customer } from './customer.model';

export type DuplicateReason = 'mobile' | 'email' | 'company' | 'name_and_company';

export type DuplicateCandidate =
  | { visible: true; id: string; name: string; company: string | null; status: string; ownerName: string | null; reasons: DuplicateReason[] }
  | { visible: false; ownedBy: string; reasons: DuplicateReason[] };

const MAX_CANDIDATES = 10;

/** Dice coefficient over character bigrams: 1 for equal strings, 0 for nothing in common. */
export function bigramSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = (s: string) => {
    const m = new Map<string, number>();
    for (let i = 0; i < s.length - 1; i++) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
    return m;
  };
  const ga = grams(a);
  const gb = grams(b);
  let overlap = 0;
  for (const [g, n] of ga) overlap += Math.min(n, gb.get(g) ?? 0);
  return (2 * overlap) / (a.length - 1 + (b.length - 1));
}

/** Two company names that plausibly name the same company (same core, one inside the other, or ≥ 0.5 similar). */
export function similarCompany(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  const na = normalizeCompanyName(a);
  const nb = normalizeCompanyName(b);
  return toCompanyKey(a) === toCompanyKey(b) || na.includes(nb) || nb.includes(na) || bigramSimilarity(na, nb) >= 0.5;
}

export interface DuplicateProbe {
  company?: string | null;
  companyKey?: string;
  dedupe: Customer['dedupe'];
}

/**
 * The duplicate rules (查重): same normalized mobile, same email, same company core, or the same person
 * name with a similar company (or both without one). One query on indexed fields, then the name rule
 * is confirmed in memory.
 */
export async function findDuplicateCandidates(
  customers: Model<Customer>,
  probe: DuplicateProbe,
  excludeId?: Types.ObjectId,
): Promise<Array<{ customer: Customer & { _id: Types.ObjectId }; reasons: DuplicateReason[] }>> {
  const or: Record<string, unknown>[] = [];
  if (probe.dedupe.mobiles.length) or.push({ 'dedupe.mobiles': { $in: probe.dedupe.mobiles } });
  if (probe.dedupe.emails.length) or.push({ 'dedupe.emails': { $in: probe.dedupe.emails } });
  if (probe.companyKey) or.push({ companyKey: probe.companyKey });
  if (probe.dedupe.personNames.length) or.push({ 'dedupe.personNames': { $in: probe.dedupe.personNames } });
  if (!or.length) return [];
  const filter: Record<string, unknown> = excludeId ? { $and: [{ $or: or }, { _id: { $ne: excludeId } }] } : { $or: or };
  const rows = await customers.find(filter).limit(200).lean().exec();
  const out: Array<{ customer: Customer & { _id: Types.ObjectId }; reasons: DuplicateReason[] }> = [];
  for (const c of rows) {
    const reasons: DuplicateReason[] = [];
    if (c.dedupe.mobiles.some((m) => probe.dedupe.mobiles.includes(m))) reasons.push('mobile');
    if (c.dedupe.emails.some((e) => probe.dedupe.emails.includes(e))) reasons.push('email');
    if (probe.companyKey && c.companyKey === probe.companyKey) reasons.push('company');
    else if (c.dedupe.personNames.some((n) => probe.dedupe.personNames.includes(n)) && similarCompany(c.company, probe.company))
      reasons.push('name_and_company');
    if (reasons.length) out.push({ customer: c, reasons });
    if (out.length >= MAX_CANDIDATES) break;
  }
  return out;
}
