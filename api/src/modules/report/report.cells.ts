import type { Types } from 'mongoose';
import { wallClock, type StageDefinition } from '@crm/shared';

/**
 * What one record adds to the roll-ups (pure). A roll-up document holds the counters of one month, one owner and
 * one department (the record's scope copy, so the data-scope rule applies to roll-ups as it does to records);
 * inside it, flat counter keys carry the day of the month and the dimensions:
 *
 * | key | counts | by the day of |
 * |---|---|---|
 * | `fc\|dd\|stage\|reached` (+`~a` amount) | deals: funnel by created date | createdAt |
 * | `fx\|dd\|stage\|reached` (+`~a`) | closed deals (won / lost): funnel by closed date | closedAt |
 * | `lc\|dd\|reason`, `lx\|dd\|reason` (+`~a`) | lost deals by loss reason, by created / closed date | createdAt / closedAt |
 * | `sc\|dd\|source\|won` (+`~a`) | deals by their customer's source, won (1) or not (0) | createdAt |
 * | `y\|dd` (+`~m` minutes created→won), `ys\|dd\|stage~m` (minutes in the stage) | won deals: the sales cycle | closedAt |
 * | `wa\|dd` (+`~a`) | won deals, count and amount: the ranking (a handful of keys, where `fx` holds every loss reason) | closedAt |
 * | `cu\|dd\|source` | new customers | createdAt |
 * | `k\|dd` (+`~a`) | signed contracts (not void) | signedAt |
 * | `w\|dd\|author\|chat` | follow-ups per author, chat (1) or not (0) | happenedAt |
 *
 * A change of a record is `cells(after) − cells(before)`, applied as increments; ownership moves are the same
 * record under another scope. Days and months are calendar days in the business time zone.
 */
export interface Cell {
  /** YYYY-MM */
  month: string;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  key: string;
  value: number;
}

export interface DealFacts {
  _id: Types.ObjectId;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  amountFen: number;
  stage: string;
  stageHistory: Array<{ stage: string; enteredAt: Date }>;
  lostReason: string | null;
  closedAt: Date | null;
  createdAt: Date;
}
export interface FollowUpFacts {
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  authorId: Types.ObjectId;
  source: string;
  happenedAt: Date;
}
export interface CustomerFacts {
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  source: string;
  createdAt: Date;
}
export interface ContractFacts {
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  amountFen: number;
  status: string;
  signedAt: Date | null;
}

/** Calendar day in the zone, cached per hour (the rebuild reads millions of dates). */
export class DayClock {
  private readonly cache = new Map<number, { month: string; dd: string }>();
  constructor(readonly tz: string) {}
  day(at: Date): { month: string; dd: string } {
    const hour = Math.floor(at.getTime() / 3_600_000);
    let d = this.cache.get(hour);
    if (!d) {
      const w = wallClock(at, this.tz);
      d = { month: `${w.year}-${String(w.month).padStart(2, '0')}`, dd: String(w.day).padStart(2, '0') };
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(hour, d);
    }
    return d;
  }
}

/** Counter keys are field names: no `.`, no leading `$`, no `|` inside a dimension. */
export function encodeDim(s: string): string {
  return encodeURIComponent(s).replace(/\./g, '%2E');
}
export function decodeDim(s: string): string {
  return decodeURIComponent(s);
}

export class CellRules {
  readonly openStages: StageDefinition[];
  readonly wonKey: string;
  readonly lostKey: string;
  private readonly openIndex: Map<string, number>;

  constructor(
    readonly stages: StageDefinition[],
    readonly clock: DayClock,
  ) {
    this.openStages = stages.filter((s) => s.outcome === 'open');
    this.wonKey = stages.find((s) => s.outcome === 'won')!.key;
    this.lostKey = stages.find((s) => s.outcome === 'lost')!.key;
    this.openIndex = new Map(this.openStages.map((s, i) => [s.key, i]));
  }

  /**
   * How far a deal got: the index of the furthest open stage it entered (open stages in order); won = one past the
   * last open stage. A deal that skipped stages counts as having passed them.
   */
  reached(deal: Pick<DealFacts, 'stage' | 'stageHistory'>): number {
    if (deal.stage === this.wonKey) return this.openStages.length;
    let max = 0;
    for (const h of deal.stageHistory) {
      const i = this.openIndex.get(h.stage);
      if (i !== undefined && i > max) max = i;
    }
    const cur = this.openIndex.get(deal.stage);
    return cur !== undefined && cur > max ? cur : max;
  }

  deal(d: DealFacts, source: string | null): Cell[] {
    const out: Cell[] = [];
    const scope = { ownerId: d.ownerId, departmentId: d.departmentId };
    const reached = this.reached(d);
    const lost = d.stage === this.lostKey;
    const reason = lost ? encodeDim(d.lostReason ?? '未填写') : '';
    const created = this.clock.day(d.createdAt);
    const funnelKey = `${created.dd}|${d.stage}|${reached}`;
    out.push(
      { ...scope, month: created.month, key: `fc|${funnelKey}`, value: 1 },
      { ...scope, month: created.month, key: `fc|${funnelKey}~a`, value: d.amountFen },
    );
    // loss reasons apart from the funnel's stages: the funnel's documents stay a few dozen keys a month
    if (lost) {
      out.push(
        { ...scope, month: created.month, key: `lc|${created.dd}|${reason}`, value: 1 },
        { ...scope, month: created.month, key: `lc|${created.dd}|${reason}~a`, value: d.amountFen },
      );
    }
    const won = d.stage === this.wonKey ? 1 : 0;
    const src = encodeDim(source ?? '其他');
    out.push(
      { ...scope, month: created.month, key: `sc|${created.dd}|${src}|${won}`, value: 1 },
      { ...scope, month: created.month, key: `sc|${created.dd}|${src}|${won}~a`, value: d.amountFen },
    );
    if (d.closedAt && (won || lost)) {
      const closed = this.clock.day(d.closedAt);
      const k = `fx|${closed.dd}|${d.stage}|${reached}`;
      out.push({ ...scope, month: closed.month, key: k, value: 1 }, { ...scope, month: closed.month, key: `${k}~a`, value: d.amountFen });
      if (lost) {
        const l = `lx|${closed.dd}|${reason}`;
        out.push({ ...scope, month: closed.month, key: l, value: 1 }, { ...scope, month: closed.month, key: `${l}~a`, value: d.amountFen });
      }
      if (won) {
        out.push(
          { ...scope, month: closed.month, key: `wa|${closed.dd}`, value: 1 },
          { ...scope, month: closed.month, key: `wa|${closed.dd}~a`, value: d.amountFen },
          { ...scope, month: closed.month, key: `y|${closed.dd}`, value: 1 },
          { ...scope, month: closed.month, key: `y|${closed.dd}~m`, value: minutes(d.closedAt.getTime() - d.createdAt.getTime()) },
        );
        for (const [stage, ms] of this.timeInStages(d)) out.push({ ...scope, month: closed.month, key: `ys|${closed.dd}|${stage}~m`, value: minutes(ms) });
      }
    }
    return out;
  }

  /** Time spent in each open stage, from the stage history (an entry lasts until the next one). */
  timeInStages(d: Pick<DealFacts, 'stageHistory' | 'closedAt'>): Map<string, number> {
    const out = new Map<string, number>();
    const h = d.stageHistory;
    for (let i = 0; i < h.length; i++) {
      const e = h[i]!;
      if (!this.openIndex.has(e.stage)) continue;
      const end = h[i + 1]?.enteredAt ?? d.closedAt;
      if (!end) continue;
      out.set(e.stage, (out.get(e.stage) ?? 0) + Math.max(0, end.getTime() - e.enteredAt.getTime()));
    }
    return out;
  }

  followUp(f: FollowUpFacts): Cell[] {
    const day = this.clock.day(f.happenedAt);
    return [
      { ownerId: f.ownerId, departmentId: f.departmentId, month: day.month, key: `w|${day.dd}|${String(f.authorId)}|${f.source === 'bot' ? 1 : 0}`, value: 1 },
    ];
  }

  customer(c: CustomerFacts): Cell[] {
    const day = this.clock.day(c.createdAt);
    return [{ ownerId: c.ownerId, departmentId: c.departmentId, month: day.month, key: `cu|${day.dd}|${encodeDim(c.source)}`, value: 1 }];
  }

  contract(c: ContractFacts): Cell[] {
    if (c.status !== 'signed' || !c.signedAt) return [];
    const day = this.clock.day(c.signedAt);
    const scope = { ownerId: c.ownerId, departmentId: c.departmentId, month: day.month };
    return [
      { ...scope, key: `k|${day.dd}`, value: 1 },
      { ...scope, key: `k|${day.dd}~a`, value: c.amountFen },
    ];
  }
}

function minutes(ms: number): number {
  return Math.max(0, Math.round(ms / 60_000));
}

/** The document a cell goes to: generation, month, owner, department. */
export function rollupId(gen: number, month: string, ownerId: Types.ObjectId | null, departmentId: Types.ObjectId | null): string {
  return `${gen}|${month}|${ownerId ? String(ownerId) : '-'}|${departmentId ? String(departmentId) : '-'}`;
}
/** after − before, by document and key, zeros dropped. */
export function delta(
  gen: number,
  before: Cell[],
  after: Cell[],
): Map<string, { month: string; ownerId: Types.ObjectId | null; departmentId: Types.ObjectId | null; inc: Record<string, number> }> {
  const docs = new Map<string, { month: string; ownerId: Types.ObjectId | null; departmentId: Types.ObjectId | null; inc: Record<string, number> }>();
  const add = (c: Cell, sign: 1 | -1) => {
    const id = rollupId(gen, c.month, c.ownerId, c.departmentId);
    let d = docs.get(id);
    if (!d) docs.set(id, (d = { month: c.month, ownerId: c.ownerId, departmentId: c.departmentId, inc: {} }));
    d.inc[c.key] = (d.inc[c.key] ?? 0) + sign * c.value;
  };
  for (const c of before) add(c, -1);
  for (const c of after) add(c, 1);
  for (const [id, d] of docs) {
    for (const k of Object.keys(d.inc)) if (d.inc[k] === 0) delete d.inc[k];
    if (!Object.keys(d.inc).length) docs.delete(id);
  }
  return docs;
}
