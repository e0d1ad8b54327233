import type { Connection, Model, Types } from 'mongoose';
import type { StageDefinition } from '@crm/shared';
import { CellRules, DayClock, delta, rollupId, type Cell, type ContractFacts, type CustomerFacts, type DealFacts, type FollowUpFacts } from './report.cells';
import { FAMILIES, rollupModels, type Family, type Rollup, type RollupMeta } from './report.model';
import type { ReportReader } from './report-read';

type Id = Types.ObjectId;
export type DealRow = DealFacts & { customerId: Id; name: string; updatedAt: Date; stageEnteredAt: Date };
export type CustomerRow = CustomerFacts & { _id: Id; name: string; company?: string; tier: string; status: string; lastFollowUpAt: Date | null };
export type FollowUpRow = FollowUpFacts & { _id: Id; customerId: Id; content: string; updatedAt: Date };
export type ContractRow = ContractFacts & { _id: Id; customerId: Id; title: string; updatedAt: Date };

/** The other modules' records, read through their own services (report-read.ts). */
export interface ReportSources {
  deals: ReportReader<DealRow>;
  customers: ReportReader<CustomerRow>;
  followUps: ReportReader<FollowUpRow>;
  contracts: ReportReader<ContractRow>;
}

/** A customer changed hands: its records move from one scope to the other. */
export interface ScopeMove {
  customerId: Id;
  at: Date;
  from: { ownerId: Id | null; departmentId: Id | null };
  to: { ownerId: Id | null; departmentId: Id | null };
}

const META_ID = 'rollups';
const OPS_KEPT = 64;
/** A department's month totals take every change of its people: a longer memory of the changes applied. */
const DEPARTMENT_OPS_KEPT = 512;

/**
 * The roll-ups behind every period report: counters per month × owner × department (report.cells.ts), kept up to
 * date by the owning modules' change listeners (wired in buildServices) and rebuilt from scratch by `rebuild()`
 * (`npm run reports:rebuild`). A change is applied as increments to each document it touches, in one update per
 * document conditional on the change's id not being among the document's last applied ones, so a repeated call
 * (a recovery rerun) changes nothing. Reports read only these documents: those of the period's months
 * whose scope copy (owner, department) matches the viewer's data scope.
 *
 * A rebuild writes a new generation and switches to it when done; changes made meanwhile go to both. A listener
 * that fails never fails the write it follows: it is counted (`failures` in report_meta) and the next rebuild
 * heals it.
 */
export class ReportRollups {
  readonly #rollups: Model<Rollup>;
  readonly #months: Model<Rollup>;
  readonly #departments: Model<Rollup>;
  readonly #meta: Model<RollupMeta>;
  readonly rules: CellRules;

  constructor(
    conn: Connection,
    private readonly sources: ReportSources,
    stages: StageDefinition[],
    readonly tz: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    const m = rollupModels(conn);
    this.#rollups = m.rollups;
    this.#months = m.months;
    this.#departments = m.departments;
    this.#meta = m.meta;
    this.rules = new CellRules(stages, new DayClock(tz));
  }

  // ---- listeners (called by the owning modules after their write) ----------------------------------------

  async dealChanged(before: DealRow | null, after: DealRow | null): Promise<void> {
    await this.guard(async () => {
      const d = (after ?? before)!;
      const source = await this.sourceOf(d.customerId);
      const op = `d:${String(d._id)}:${after ? `${after.updatedAt.getTime()}:${after.stageHistory.length}:${after.amountFen}:${after.stage}` : 'x'}`;
      await this.apply(op, before ? this.rules.deal(before, source) : [], after ? this.rules.deal(after, source) : []);
    });
  }

  async followUpChanged(before: FollowUpRow | null, after: FollowUpRow | null): Promise<void> {
    await this.guard(async () => {
      const f = (after ?? before)!;
      const op = `f:${String(f._id)}:${!before ? 'c' : after ? after.updatedAt.getTime() : 'x'}`;
      await this.apply(op, before ? this.rules.followUp(before) : [], after ? this.rules.followUp(after) : []);
    });
  }

  async customerCreated(customerId: Id): Promise<void> {
    await this.guard(async () => {
      const [c] = await this.sources.customers.find({ _id: customerId }, { projection: { ownerId: 1, departmentId: 1, source: 1, createdAt: 1 } });
      if (c) await this.apply(`c:${String(customerId)}:c`, [], this.rules.customer(c));
    });
  }

  async contractChanged(before: ContractRow | null, after: ContractRow | null): Promise<void> {
    await this.guard(async () => {
      const c = (after ?? before)!;
      const op = `k:${String(c._id)}:${after ? `${after.updatedAt.getTime()}:${after.status}` : 'x'}`;
      await this.apply(op, before ? this.rules.contract(before) : [], after ? this.rules.contract(after) : []);
    });
  }

  /** A customer changed hands: the customer and its deals, follow-ups and contracts move to the new scope. */
  async scopeMoved(move: ScopeMove): Promise<void> {
    if (String(move.from.ownerId) === String(move.to.ownerId) && String(move.from.departmentId) === String(move.to.departmentId)) return;
    await this.guard(async () => {
      const tag = `m:${String(move.customerId)}:${move.at.getTime()}`;
      const at = <T extends { ownerId: Id | null; departmentId: Id | null }>(r: T, s: ScopeMove['from']): T => ({ ...r, ...s });
      const [customer] = await this.sources.customers.find({ _id: move.customerId });
      if (customer) await this.apply(`${tag}:c`, this.rules.customer(at(customer, move.from)), this.rules.customer(at(customer, move.to)));
      const source = customer?.source ?? null;
      for (const d of await this.sources.deals.find({ customerId: move.customerId }))
        await this.apply(`${tag}:d${String(d._id)}`, this.rules.deal(at(d, move.from), source), this.rules.deal(at(d, move.to), source));
      for (const f of await this.sources.followUps.find({ customerId: move.customerId }))
        await this.apply(`${tag}:f${String(f._id)}`, this.rules.followUp(at(f, move.from)), this.rules.followUp(at(f, move.to)));
      for (const k of await this.sources.contracts.find({ customerId: move.customerId }))
        await this.apply(`${tag}:k${String(k._id)}`, this.rules.contract(at(k, move.from)), this.rules.contract(at(k, move.to)));
    });
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.onError(err);
      await this.#meta.updateOne({ _id: META_ID }, { $inc: { failures: 1 } }, { upsert: true }).catch(() => undefined);
    }
  }

  private async sourceOf(customerId: Id): Promise<string | null> {
    const [c] = await this.sources.customers.find({ _id: customerId }, { projection: { source: 1 } });
    return c?.source ?? null;
  }

  private async apply(op: string, before: Cell[], after: Cell[]): Promise<void> {
    const meta = await this.meta();
    for (const gen of meta.building ? [meta.gen, meta.building] : [meta.gen]) {
      const byDepartment = new Map<string, { month: string; departmentId: Id | null; inc: Record<string, number> }>();
      for (const [id, d] of delta(gen, before, after)) {
        const day: Record<string, number> = {};
        const month: Record<string, number> = {};
        for (const [key, n] of Object.entries(d.inc)) {
          const [dayField, monthField] = fieldsOf(key);
          day[dayField] = (day[dayField] ?? 0) + n;
          month[monthField] = (month[monthField] ?? 0) + n;
        }
        await this.increment(this.#rollups, id, op, day, { gen, month: d.month, ownerId: d.ownerId, departmentId: d.departmentId });
        await this.increment(this.#months, id, op, month, { gen, month: d.month, ownerId: d.ownerId, departmentId: d.departmentId });
        const deptId = rollupId(gen, d.month, null, d.departmentId);
        const dept = byDepartment.get(deptId) ?? { month: d.month, departmentId: d.departmentId, inc: {} };
        for (const [f, n] of Object.entries(month)) dept.inc[f] = (dept.inc[f] ?? 0) + n;
        byDepartment.set(deptId, dept);
      }
      for (const [id, d] of byDepartment) {
        for (const f of Object.keys(d.inc)) if (d.inc[f] === 0) delete d.inc[f]; // a move between two owners of one department
        if (Object.keys(d.inc).length)
          await this.increment(this.#departments, id, op, d.inc, { gen, month: d.month, ownerId: null, departmentId: d.departmentId }, DEPARTMENT_OPS_KEPT);
      }
    }
  }

  /**
   * One document's increments, refused when the document has taken this change already (its last applied change
   * ids), so a rerun after a crash between the documents of one change completes it without counting twice.
   */
  private async increment(
    model: Model<Rollup>,
    id: string,
    op: string,
    inc: Record<string, number>,
    fields: { gen: number; month: string; ownerId: Id | null; departmentId: Id | null },
    kept = OPS_KEPT,
  ): Promise<void> {
    try {
      await model
        .updateOne({ _id: id, ops: { $ne: op } }, { $inc: inc, $push: { ops: { $each: [op], $slice: -kept } }, $setOnInsert: fields }, { upsert: true })
        .exec();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err; // the document has this change already
    }
  }

  async meta(): Promise<RollupMeta> {
    const m = await this.#meta.findById(META_ID).lean<RollupMeta>().exec();
    return m ?? { _id: META_ID, gen: 1, building: null, builtAt: null, tookMs: null, counted: null, failures: 0 };
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  /**
   * The roll-up documents of these months (current generation) matching a filter on their scope copy (the viewer's
   * data scope ANDed with any narrowing), with only the families asked for: the month totals (`<family>M`, their own
   * small documents) for months read whole, the day counters for the others. One query per kind; the documents of a
   * month number the owner × department pairs that had records, whatever the number of records.
   */
  async read(
    scope: Record<string, unknown>,
    months: Array<{ month: string; whole: boolean }>,
    families: readonly Family[],
    opts: { byDepartment?: boolean } = {},
  ): Promise<Rollup[]> {
    if (!months.length) return [];
    const { gen } = await this.meta();
    const out: Rollup[] = [];
    for (const whole of [true, false]) {
      const wanted = months.filter((m) => m.whole === whole).map((m) => m.month);
      if (!wanted.length) continue;
      const projection: Record<string, 1> = { month: 1, ownerId: 1, departmentId: 1 };
      for (const f of families) projection[whole ? `${f}M` : f] = 1;
      out.push(
        ...(await (whole ? (opts.byDepartment ? this.#departments : this.#months) : this.#rollups)
          .find({ $and: [{ gen, month: { $in: wanted } }, scope] }, projection)
          .lean<Rollup[]>()
          .exec()),
      );
    }
    return out;
  }

  // ---- rebuild ----------------------------------------------------------------------------------------------

  /**
   * Recomputes every roll-up from the records into a new generation, then switches reports to it and drops the
   * old one. Changes made while it runs go to both generations (a record changed after it was read may be off
   * until the next rebuild: run it in a quiet hour).
   */
  async rebuild(log: (line: string) => void = () => undefined): Promise<{ gen: number; tookMs: number; counted: Record<string, number>; documents: number }> {
    const started = Date.now();
    const meta = await this.meta();
    const gen = Math.max(meta.gen, meta.building ?? 0) + 1;
    await this.#rollups.deleteMany({ gen }).exec();
    await this.#months.deleteMany({ gen }).exec();
    await this.#departments.deleteMany({ gen }).exec();
    await this.#meta.updateOne({ _id: META_ID }, { $set: { building: gen }, $setOnInsert: { gen: meta.gen, failures: 0 } }, { upsert: true }).exec();
    const docs = new Map<string, { month: string; ownerId: Id | null; departmentId: Id | null; inc: Record<string, number> }>();
    const add = (cells: Cell[]) => {
      for (const c of cells) {
        const id = rollupId(gen, c.month, c.ownerId, c.departmentId);
        let d = docs.get(id);
        if (!d) docs.set(id, (d = { month: c.month, ownerId: c.ownerId, departmentId: c.departmentId, inc: {} }));
        for (const f of fieldsOf(c.key)) d.inc[f] = (d.inc[f] ?? 0) + c.value;
      }
    };
    const counted: Record<string, number> = { customers: 0, deals: 0, followUps: 0, contracts: 0 };
    const sourceById = new Map<string, string>();
    for await (const c of this.sources.customers.stream({}, { ownerId: 1, departmentId: 1, source: 1, createdAt: 1 })) {
      sourceById.set(String(c._id), c.source);
      add(this.rules.customer(c));
      counted.customers!++;
    }
    log(`customers: ${counted.customers}`);
    const dealFields = {
      ownerId: 1,
      departmentId: 1,
      customerId: 1,
      amountFen: 1,
      stage: 1,
      stageHistory: 1,
      lostReason: 1,
      closedAt: 1,
      createdAt: 1,
    } as const;
    for await (const d of this.sources.deals.stream({}, dealFields)) {
      add(this.rules.deal(d, sourceById.get(String(d.customerId)) ?? null));
      counted.deals!++;
    }
    log(`deals: ${counted.deals}`);
    sourceById.clear();
    for await (const f of this.sources.followUps.stream({}, { ownerId: 1, departmentId: 1, authorId: 1, source: 1, happenedAt: 1 })) {
      add(this.rules.followUp(f));
      counted.followUps!++;
    }
    log(`follow-ups: ${counted.followUps}`);
    for await (const k of this.sources.contracts.stream({ status: 'signed' }, { ownerId: 1, departmentId: 1, amountFen: 1, status: 1, signedAt: 1 })) {
      add(this.rules.contract(k));
      counted.contracts!++;
    }
    const entries = [...docs];
    // the day counters and the month totals, each in whole documents of their own collection
    for (const [model, monthly] of [
      [this.#rollups, false],
      [this.#months, true],
    ] as const)
      await this.writeGeneration(model, gen, entries, monthly);
    // and the month totals per department (owners folded in)
    const departments = new Map<string, { month: string; ownerId: Id | null; departmentId: Id | null; inc: Record<string, number> }>();
    for (const [, d] of entries) {
      const id = rollupId(gen, d.month, null, d.departmentId);
      const dept = departments.get(id) ?? { month: d.month, ownerId: null, departmentId: d.departmentId, inc: {} };
      for (const [f, n] of Object.entries(d.inc)) if (f.slice(0, f.indexOf('.')).endsWith('M')) dept.inc[f] = (dept.inc[f] ?? 0) + n;
      departments.set(id, dept);
    }
    await this.writeGeneration(this.#departments, gen, [...departments], true);
    const tookMs = Date.now() - started;
    await this.#meta.updateOne({ _id: META_ID }, { $set: { gen, building: null, builtAt: new Date(), tookMs, counted } }).exec();
    await this.#rollups.deleteMany({ gen: { $ne: gen } }).exec();
    await this.#months.deleteMany({ gen: { $ne: gen } }).exec();
    await this.#departments.deleteMany({ gen: { $ne: gen } }).exec();
    log(`roll-up documents: ${entries.length}, generation ${gen}, ${tookMs} ms`);
    return { gen, tookMs, counted, documents: entries.length };
  }

  /**
   * Inserts one generation's documents in unordered batches: the day families (`fc`…) or the month totals (`fcM`…);
   * a document a listener created meanwhile (E11000) gets the counts added instead.
   */
  private async writeGeneration(
    model: Model<Rollup>,
    gen: number,
    entries: Array<[string, { month: string; ownerId: Id | null; departmentId: Id | null; inc: Record<string, number> }]>,
    monthly: boolean,
  ): Promise<void> {
    for (let i = 0; i < entries.length; i += 200) {
      const batch = entries.slice(i, i + 200).map(([id, d]) => {
        const inc: Record<string, number> = {};
        for (const [field, n] of Object.entries(d.inc)) if (field.slice(0, field.indexOf('.')).endsWith('M') === monthly) inc[field] = n;
        return [id, d, inc] as const;
      });
      const whole = batch.map(([id, d, inc]) => {
        const doc: Record<string, unknown> = { _id: id, gen, month: d.month, ownerId: d.ownerId, departmentId: d.departmentId, ops: [] };
        for (const [field, n] of Object.entries(inc)) {
          const dot = field.indexOf('.');
          ((doc[field.slice(0, dot)] ??= {}) as Record<string, number>)[field.slice(dot + 1)] = n;
        }
        return doc;
      });
      const taken = await model.collection.insertMany(whole, { ordered: false }).then(
        () => new Set<number>(),
        (err: { writeErrors?: Array<{ index: number; code: number }> | { index: number; code: number }; code?: number }) => {
          const errors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
          if (!errors.length || errors.some((e) => e.code !== 11000)) throw err;
          return new Set(errors.map((e) => e.index));
        },
      );
      for (const index of taken) {
        const [id, , inc] = batch[index]!;
        await model.updateOne({ _id: id }, { $inc: inc }).exec();
      }
    }
  }
}

/** `fc|03|needs|1|` → `fc.03|needs|1|` (the day's counter) and `fcM.m|needs|1|` (the month's). */
function fieldsOf(key: string): [string, string] {
  const bar = key.indexOf('|');
  const family = key.slice(0, bar) as Family;
  if (!FAMILIES.includes(family)) throw new Error(`unknown roll-up family in ${key}`);
  const rest = key.slice(bar + 1);
  const cut = rest.search(/[|~]/);
  return [`${family}.${rest}`, `${family}M.m${cut < 0 ? '' : rest.slice(cut)}`];
}
