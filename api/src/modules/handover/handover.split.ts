import type { Split } from './handover.model';

/** A customer as the split sees it. */
export interface SplitCustomer {
  id: string;
  province?: string | null;
  industry?: string | null;
}

/** A successor and what they already serve (provinces and industries of their own customers, with counts). */
export interface SplitSuccessor {
  id: string;
  provinces: Map<string, number>;
  industries: Map<string, number>;
}

/**
 * The proposed split of the leaver's customers (customer id → successor id), deterministic for the same input:
 * - `all-to-one`: everything to the first successor;
 * - `even`: round robin in the given order (counts within 1);
 * - `by-customer`: each customer to the successor who already serves the most customers of its province and
 *   industry (province counts first, then industry); ties, and customers nobody knows, to whoever got the
 *   fewest in this split so far, then in the given order.
 */
export function proposeSplit(customers: readonly SplitCustomer[], successors: readonly SplitSuccessor[], split: Split): Map<string, string> {
  const out = new Map<string, string>();
  if (!successors.length) return out;
  const given = new Map(successors.map((s) => [s.id, 0]));
  customers.forEach((c, i) => {
    let to: string;
    if (split === 'all-to-one') to = successors[0]!.id;
    else if (split === 'even') to = successors[i % successors.length]!.id;
    else {
      const score = (s: SplitSuccessor): [number, number] => [
        c.province ? (s.provinces.get(c.province) ?? 0) : 0,
        c.industry ? (s.industries.get(c.industry) ?? 0) : 0,
      ];
      let best = successors[0]!;
      for (const s of successors.slice(1)) {
        const [p1, i1] = score(s);
        const [p0, i0] = score(best);
        if (p1 > p0 || (p1 === p0 && i1 > i0) || (p1 === p0 && i1 === i0 && given.get(s.id)! < given.get(best.id)!)) best = s;
      }
      to = best.id;
    }
    given.set(to, given.get(to)! + 1);
    out.set(c.id, to);
  });
  return out;
}
