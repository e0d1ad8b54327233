import { Types } from 'mongoose';
import {
  buildScopeFilter,
  CUSTOMER_SOURCES,
  daysInMonth,
  type ActionListQuery,
  type AdoptionDto,
  type CycleDto,
  type DrillQuery,
  type DrillRowDto,
  type ForgottenCustomerDto,
  type FunnelDto,
  type FunnelQuery,
  type RankingDto,
  type RankingQuery,
  type ReportPeriodQuery,
  type SourcesDto,
  type StalledDealDto,
  type SummaryDto,
  type SummaryQuery,
  type TeamOverdueDto,
} from '@crm/shared';
import type { Actor } from '../../context';
import { AppError, CommonErrorCode, forbidden } from '../../errors/app-error';
import type { OrgService } from '../org/org.service';
import { decodeDim } from './report.cells';
import type { Counters, Family, Rollup } from './report.model';
import { daysOf, periodDto, resolvePeriod, weekStartOf, type Period } from './report.period';
import type { ReportReader } from './report-read';
import type { ContractRow, CustomerRow, DealRow, FollowUpRow, ReportRollups } from './report.rollups';

type Id = Types.ObjectId;
export interface ReminderRow {
  _id: Id;
  userId: Id;
  kind: string;
  status: string;
  dueAt: Date;
  sentAt: Date | null;
  doneAt: Date | null;
}

export interface ReportDeps {
  rollups: ReportRollups;
  org: OrgService;
  deals: ReportReader<DealRow>;
  customers: ReportReader<CustomerRow>;
  followUps: ReportReader<FollowUpRow>;
  contracts: ReportReader<ContractRow>;
  reminders: ReportReader<ReminderRow>;
  /** Days without a follow-up after which a customer of a tier is forgotten (reminder policy coldDaysByTier). */
  coldDaysByTier: Record<string, number | null>;
  businessTz: string;
  consoleUrl: string;
  now: () => Date;
}

const POOL = '公海 / 未分配';
const OPEN_REMINDER = ['scheduled', 'sending', 'sent'];
const DAY_MS = 86_400_000;
const PAIR_FIELDS = { owner: 'ownerId', department: 'departmentId' };

/**
 * Sums the counters of a family over the days of a period, handing each (document, key rest, value) to `fn`: a
 * month the period covers whole is read from its month totals (day `m`), the others day by day.
 */
/**
 * A counter key taken apart (`03|needs|1|~a` → day 03, dimensions, amount): the same few thousand keys recur in
 * every document, so each is split once per process.
 */
type ParsedKey = { dd: string; rest: string[]; amount: boolean };
const parsedKeys = new Map<string, ParsedKey>();
function parseKey(key: string): ParsedKey {
  let p = parsedKeys.get(key);
  if (!p) {
    const tilde = key.indexOf('~');
    const parts = (tilde < 0 ? key : key.slice(0, tilde)).split('|');
    p = { dd: parts[0]!, rest: parts.slice(1), amount: tilde >= 0 };
    if (parsedKeys.size >= 200_000) parsedKeys.clear();
    parsedKeys.set(key, p);
  }
  return p;
}

function each(
  docs: Rollup[],
  family: Family,
  days: Map<string, Set<string>>,
  fn: (doc: Rollup, rest: string[], value: number, amount: boolean, dd: string) => void,
): void {
  for (const doc of docs) {
    const set = days.get(doc.month);
    if (!set) continue;
    // month totals when read (report.rollups.ts read()), else the day counters
    const whole = isWhole(doc.month, set) && doc[`${family}M`] !== undefined;
    const counters = doc[whole ? `${family}M` : family] as Counters | undefined;
    if (!counters) continue;
    for (const key in counters) {
      const value = counters[key]!;
      if (!value) continue;
      const k = parseKey(key);
      if (!whole && !set.has(k.dd)) continue;
      fn(doc, k.rest, value, k.amount, k.dd);
    }
  }
}

function isWhole(month: string, set: Set<string>): boolean {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return set.size === daysInMonth(y, m);
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const avg = (minutes: number, n: number): number | null => (n > 0 ? Math.round((minutes / n / 1440) * 10) / 10 : null);
const idOf = (x: Id | null | undefined) => (x ? String(x) : null);

/**
 * The reports (GET /reports/*): period figures from the roll-ups (ReportRollups), lists to act on and drill-downs
 * from the owning modules' records (through their report readers), every one within the viewer's data scope.
 */
export class ReportService {
  constructor(private readonly d: ReportDeps) {}

  get rollups(): ReportRollups {
    return this.d.rollups;
  }

  period(q: ReportPeriodQuery): Period {
    return resolvePeriod(q, this.d.now(), this.d.businessTz);
  }

  // ---- scope ----------------------------------------------------------------------------------------------

  private assertReports(actor: Actor): void {
    if (actor.viewer.roles.includes('partner') && !actor.viewer.roles.includes('admin')) throw forbidden('合作方账号没有报表');
  }

  /** The narrowing a query asks for (owner, department and its sub-departments), on scope-copy fields. */
  private async narrowing(q: { ownerId?: string; departmentId?: string }): Promise<Record<string, unknown>[]> {
    const and: Record<string, unknown>[] = [];
    if (q.ownerId) and.push({ ownerId: new Types.ObjectId(q.ownerId) });
    if (q.departmentId) and.push({ departmentId: { $in: await this.d.org.departmentTree([new Types.ObjectId(q.departmentId)]) } });
    return and;
  }

  /** The viewer's data scope over roll-ups (their owner and department copies), ANDed with the narrowing. */
  private async rollupScope(actor: Actor, q: { ownerId?: string; departmentId?: string }, mine = false): Promise<Record<string, unknown>> {
    this.assertReports(actor);
    const and = [buildScopeFilter(actor.viewer, PAIR_FIELDS), ...(await this.narrowing(q))];
    if (mine) and.push({ ownerId: actor.user._id });
    return { $and: and };
  }

  /** The same scope over records (deals, customers, follow-ups, contracts), ANDed with the narrowing. */
  private async recordScope(actor: Actor, q: { ownerId?: string; departmentId?: string }): Promise<Record<string, unknown>[]> {
    this.assertReports(actor);
    return [buildScopeFilter(actor.viewer), ...(await this.narrowing(q))];
  }

  /**
   * The roll-ups of the periods' months in the viewer's scope; `byDay`: day counters even for whole months (daily
   * figures); `foldOwners`: the report needs no figure per owner, so a viewer who sees everything (no owner narrowing)
   * reads the month totals per department, a tenth of the documents.
   */
  private async load(
    actor: Actor,
    q: { ownerId?: string; departmentId?: string },
    periods: Period[],
    families: Family[],
    opts: { mine?: boolean; byDay?: boolean; foldOwners?: boolean } = {},
  ): Promise<Rollup[]> {
    const scope = await this.rollupScope(actor, q, opts.mine);
    const seesAll = Object.keys(buildScopeFilter(actor.viewer, PAIR_FIELDS)).length === 0;
    // a month wanted whole by one period and in part by another is read day by day (its day counters serve both)
    const months = new Map<string, boolean>();
    for (const p of periods) {
      for (const [m, set] of daysOf(p.from, p.to, this.d.businessTz)) months.set(m, !opts.byDay && (months.get(m) ?? true) && isWhole(m, set));
    }
    return this.d.rollups.read(
      scope,
      [...months].map(([month, whole]) => ({ month, whole })),
      families,
      { byDepartment: !!opts.foldOwners && seesAll && !q.ownerId && !opts.mine },
    );
  }

  // ---- funnel ---------------------------------------------------------------------------------------------

  async funnel(actor: Actor, q: FunnelQuery): Promise<FunnelDto> {
    const p = this.period(q);
    const family = q.by === 'closed' ? 'fx' : 'fc';
    const reasonFamily = q.by === 'closed' ? 'lx' : 'lc';
    const docs = await this.load(actor, q, [p], [family, reasonFamily], { foldOwners: true });
    const rules = this.d.rollups.rules;
    const open = rules.openStages;
    const count = new Map<string, number>();
    const amount = new Map<string, number>();
    const reachedAtLeast = new Array<number>(open.length + 1).fill(0);
    const reasons = new Map<string, { count: number; amountFen: number }>();
    let total = 0;
    let totalAmount = 0;
    const days = daysOf(p.from, p.to, this.d.businessTz);
    each(docs, family, days, (_doc, [stage, reached], v, isAmount) => {
      if (isAmount) {
        amount.set(stage!, (amount.get(stage!) ?? 0) + v);
        totalAmount += v;
        return;
      }
      count.set(stage!, (count.get(stage!) ?? 0) + v);
      total += v;
      for (let i = 0; i <= Number(reached) && i < reachedAtLeast.length; i++) reachedAtLeast[i]! += v;
    });
    each(docs, reasonFamily, days, (_doc, [reason], v, isAmount) => {
      const r = reasons.get(reason!) ?? { count: 0, amountFen: 0 };
      if (isAmount) r.amountFen += v;
      else r.count += v;
      reasons.set(reason!, r);
    });
    const stages: FunnelDto['stages'] = open.map((s, i) => ({
      key: s.key,
      name: s.name,
      outcome: 'open' as const,
      count: count.get(s.key) ?? 0,
      amountFen: amount.get(s.key) ?? 0,
      reached: reachedAtLeast[i]!,
      conversionToNext: ratio(reachedAtLeast[i + 1]!, reachedAtLeast[i]!),
    }));
    const wonDef = rules.stages.find((s) => s.key === rules.wonKey)!;
    const won = { count: count.get(rules.wonKey) ?? 0, amountFen: amount.get(rules.wonKey) ?? 0 };
    stages.push({ key: wonDef.key, name: wonDef.name, outcome: 'won', count: won.count, amountFen: won.amountFen, reached: won.count, conversionToNext: null });
    const lost = { count: count.get(rules.lostKey) ?? 0, amountFen: amount.get(rules.lostKey) ?? 0 };
    return {
      period: periodDto(p),
      by: q.by,
      total: { count: total, amountFen: totalAmount },
      stages,
      won,
      lost: {
        ...lost,
        reasons: [...reasons]
          .map(([r, x]) => ({ reason: decodeDim(r), ...x }))
          .sort((a, b) => b.count - a.count || b.amountFen - a.amountFen || a.reason.localeCompare(b.reason)),
      },
      winRate: ratio(won.count, won.count + lost.count),
    };
  }

  // ---- ranking --------------------------------------------------------------------------------------------

  async ranking(actor: Actor, q: RankingQuery): Promise<RankingDto> {
    const p = this.period(q);
    const prev: Period = { ...p, from: p.previousFrom, to: p.previousTo };
    const byRep = q.dimension === 'rep';
    const docs = await this.load(actor, q, [p, prev], ['wa', 'k', 'cu', 'w'], { foldOwners: !byRep });
    type Row = {
      contract: [number, number];
      wonAmt: [number, number];
      won: [number, number];
      cust: [number, number];
      fu: [number, number];
      dept: string | null;
    };
    const rows = new Map<string, Row>();
    const row = (key: string) => {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { contract: [0, 0], wonAmt: [0, 0], won: [0, 0], cust: [0, 0], fu: [0, 0], dept: null }));
      return r;
    };
    const keyOf = (doc: Rollup) => (byRep ? (idOf(doc.ownerId) ?? '-') : (idOf(doc.departmentId) ?? '-'));
    for (const [i, period] of [p, prev].entries()) {
      const days = daysOf(period.from, period.to, this.d.businessTz);
      each(docs, 'wa', days, (doc, _rest, v, isAmount) => {
        const r = row(keyOf(doc));
        if (isAmount) r.wonAmt[i]! += v;
        else r.won[i]! += v;
        if (byRep && !r.dept) r.dept = idOf(doc.departmentId);
      });
      each(docs, 'k', days, (doc, _rest, v, isAmount) => {
        if (isAmount) row(keyOf(doc)).contract[i]! += v;
      });
      each(docs, 'cu', days, (doc, _rest, v) => {
        row(keyOf(doc)).cust[i]! += v;
      });
      each(docs, 'w', days, (doc, [author], v) => {
        row(byRep ? author! : keyOf(doc)).fu[i]! += v;
      });
    }
    for (const doc of docs)
      if (byRep && doc.ownerId && rows.get(String(doc.ownerId)) && !rows.get(String(doc.ownerId))!.dept)
        rows.get(String(doc.ownerId))!.dept = idOf(doc.departmentId);
    const ids = [...rows.keys()].filter((k) => k !== '-').map((k) => new Types.ObjectId(k));
    const deptNames = await this.departmentNames(actor);
    const userNames = byRep ? await this.d.org.namesOf(ids) : new Map<string, string>();
    const name = (k: string) => (k === '-' ? POOL : byRep ? (userNames.get(k) ?? '（未知）') : (deptNames.get(k) ?? '（其他部门）'));
    const out = [...rows]
      .map(([k, r]) => ({
        id: k === '-' ? null : k,
        name: name(k),
        departmentName: byRep && r.dept ? (deptNames.get(r.dept) ?? null) : null,
        contractAmountFen: { current: r.contract[0], previous: r.contract[1] },
        wonAmountFen: { current: r.wonAmt[0], previous: r.wonAmt[1] },
        dealsWon: { current: r.won[0], previous: r.won[1] },
        newCustomers: { current: r.cust[0], previous: r.cust[1] },
        followUps: { current: r.fu[0], previous: r.fu[1] },
      }))
      .sort(
        (a, b) =>
          b.contractAmountFen.current - a.contractAmountFen.current ||
          b.wonAmountFen.current - a.wonAmountFen.current ||
          b.followUps.current - a.followUps.current ||
          a.name.localeCompare(b.name),
      )
      .map((r, i) => ({ rank: i + 1, ...r }));
    return { period: periodDto(p), dimension: q.dimension, rows: out };
  }

  private async departmentNames(actor: Actor): Promise<Map<string, string>> {
    const list = await this.d.org.listDepartments(actor);
    return new Map(list.map((d) => [String((d as unknown as { _id: Id })._id), d.name]));
  }

  // ---- sources --------------------------------------------------------------------------------------------

  async sources(actor: Actor, q: ReportPeriodQuery): Promise<SourcesDto> {
    const p = this.period(q);
    const docs = await this.load(actor, q, [p], ['sc', 'cu'], { foldOwners: true });
    const days = daysOf(p.from, p.to, this.d.businessTz);
    const rows = new Map(CUSTOMER_SOURCES.map((s) => [s as string, { source: s as string, customers: 0, deals: 0, dealsWon: 0, wonAmountFen: 0 }]));
    const row = (s: string) => {
      let r = rows.get(s);
      if (!r) rows.set(s, (r = { source: s, customers: 0, deals: 0, dealsWon: 0, wonAmountFen: 0 }));
      return r;
    };
    each(docs, 'sc', days, (_doc, [src, won], v, isAmount) => {
      const r = row(decodeDim(src!));
      if (isAmount) {
        if (won === '1') r.wonAmountFen += v;
      } else {
        r.deals += v;
        if (won === '1') r.dealsWon += v;
      }
    });
    each(docs, 'cu', days, (_doc, [src], v) => void (row(decodeDim(src!)).customers += v));
    return { period: periodDto(p), rows: [...rows.values()].map((r) => ({ ...r, conversion: ratio(r.dealsWon, r.deals) })) };
  }

  // ---- cycle ----------------------------------------------------------------------------------------------

  async cycle(actor: Actor, q: ReportPeriodQuery): Promise<CycleDto> {
    const p = this.period(q);
    const docs = await this.load(actor, q, [p], ['y', 'ys']);
    const days = daysOf(p.from, p.to, this.d.businessTz);
    let deals = 0;
    let minutes = 0;
    const reps = new Map<string, { deals: number; minutes: number }>();
    each(docs, 'y', days, (doc, _rest, v, isMinutes) => {
      const k = idOf(doc.ownerId) ?? '-';
      const r = reps.get(k) ?? { deals: 0, minutes: 0 };
      if (isMinutes) {
        minutes += v;
        r.minutes += v;
      } else {
        deals += v;
        r.deals += v;
      }
      reps.set(k, r);
    });
    const stageMinutes = new Map<string, number>();
    each(docs, 'ys', days, (_doc, [stage], v) => void stageMinutes.set(stage!, (stageMinutes.get(stage!) ?? 0) + v));
    const names = await this.d.org.namesOf([...reps.keys()].filter((k) => k !== '-').map((k) => new Types.ObjectId(k)));
    return {
      period: periodDto(p),
      overall: { deals, avgDays: avg(minutes, deals) },
      byStage: this.d.rollups.rules.openStages.map((s) => ({ key: s.key, name: s.name, deals, avgDays: avg(stageMinutes.get(s.key) ?? 0, deals) })),
      byRep: [...reps]
        .map(([k, r]) => ({
          id: k === '-' ? null : k,
          name: k === '-' ? POOL : (names.get(k) ?? '（未知）'),
          deals: r.deals,
          avgDays: avg(r.minutes, r.deals),
        }))
        .sort((a, b) => (a.avgDays ?? 0) - (b.avgDays ?? 0) || a.name.localeCompare(b.name)),
    };
  }

  // ---- adoption -------------------------------------------------------------------------------------------

  async adoption(actor: Actor, q: ReportPeriodQuery): Promise<AdoptionDto> {
    const p = this.period(q);
    const [docs, users] = await Promise.all([this.load(actor, q, [p], ['w'], { byDay: true }), this.usersInScope(actor, q)]);
    const days = daysOf(p.from, p.to, this.d.businessTz);
    const daily = new Map<string, Set<string>>();
    const weekly = new Map<string, Set<string>>();
    const perRep = new Map<string, Map<string, number>>();
    let fromChat = 0;
    let total = 0;
    // the few dozen days of the period, each looked up once (the counters name them thousands of times)
    const dayKeys = new Map<string, { date: string; week: string }>();
    each(docs, 'w', days, (doc, [author, chat], v, _a, dd) => {
      const at = `${doc.month}-${dd}`;
      let d = dayKeys.get(at);
      if (!d) dayKeys.set(at, (d = { date: at, week: weekStartOf(doc.month, dd) }));
      const { date, week } = d;
      (daily.get(date) ?? daily.set(date, new Set()).get(date)!).add(author!);
      (weekly.get(week) ?? weekly.set(week, new Set()).get(week)!).add(author!);
      const rep = perRep.get(author!) ?? perRep.set(author!, new Map()).get(author!)!;
      rep.set(week, (rep.get(week) ?? 0) + v);
      total += v;
      if (chat === '1') fromChat += v;
    });
    const allDates: string[] = [];
    const allWeeks = new Set<string>();
    for (const [m, set] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
      for (const dd of [...set].sort()) {
        allDates.push(`${m}-${dd}`);
        allWeeks.add(weekStartOf(m, dd));
      }
    }
    const weeks = [...allWeeks].sort();
    const names = await this.d.org.namesOf([...perRep.keys()].map((k) => new Types.ObjectId(k)));
    const reminders = await this.remindersAnswered(
      users.map((u) => u._id),
      p,
    );
    return {
      period: periodDto(p),
      usersInScope: users.length,
      activeDaily: allDates.map((date) => ({ date, users: daily.get(date)?.size ?? 0 })),
      activeWeekly: weeks.map((weekStart) => ({ weekStart, users: weekly.get(weekStart)?.size ?? 0 })),
      followUpsPerRep: [...perRep]
        .map(([id, w]) => ({
          id,
          name: names.get(id) ?? '（未知）',
          total: [...w.values()].reduce((a, b) => a + b, 0),
          weeks: weeks.map((weekStart) => ({ weekStart, count: w.get(weekStart) ?? 0 })),
        }))
        .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)),
      chat: { fromChat, total, share: ratio(fromChat, total) },
      reminders,
    };
  }

  /** Active users the viewer may see (their user scope), narrowed like the figures. */
  private async usersInScope(actor: Actor, q: { ownerId?: string; departmentId?: string }): Promise<Array<{ _id: Id; name: string }>> {
    this.assertReports(actor);
    const out: Array<{ _id: Id; name: string }> = [];
    let cursor: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const page = await this.d.org.listUsers(actor, { status: 'active', limit: 100, cursor, departmentId: q.departmentId });
      for (const u of page.items as unknown as Array<{ _id: Id; name: string; roles: string[] }>) {
        if (u.roles.length && u.roles.every((r) => r === 'partner')) continue;
        if (q.ownerId && String(u._id) !== q.ownerId) continue;
        out.push({ _id: u._id, name: u.name });
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return out;
  }

  /** Reminders sent in the period to these users, and how many were done within 24 h of being sent. */
  private async remindersAnswered(userIds: Id[], p: Period): Promise<AdoptionDto['reminders']> {
    if (!userIds.length) return { sent: 0, answeredWithinDay: 0, share: null };
    const rows = await this.d.reminders.find(
      { userId: { $in: userIds }, kind: { $ne: 'digest' }, sentAt: { $gte: p.from, $lt: p.to } },
      { projection: { sentAt: 1, doneAt: 1 } },
    );
    const answered = rows.filter((r) => r.doneAt && r.sentAt && r.doneAt.getTime() - r.sentAt.getTime() <= DAY_MS).length;
    return { sent: rows.length, answeredWithinDay: answered, share: ratio(answered, rows.length) };
  }

  // ---- lists to act on ------------------------------------------------------------------------------------

  private stalledFilter(now: Date): Record<string, unknown> {
    return {
      $or: this.d.rollups.rules.openStages
        .filter((s) => s.slaDays != null)
        .map((s) => ({ stage: s.key, stageEnteredAt: { $lt: new Date(now.getTime() - s.slaDays! * DAY_MS) } })),
    };
  }

  async stalled(actor: Actor, q: Omit<ActionListQuery, 'format'>): Promise<{ items: StalledDealDto[]; total: number; nextCursor: string | null }> {
    const now = this.d.now();
    const filter = { $and: [...(await this.recordScope(actor, q)), this.stalledFilter(now)] };
    const skip = offsetOf(q.cursor);
    const [rows, total] = await Promise.all([
      this.d.deals.find(filter, { sort: { stageEnteredAt: 1, _id: 1 }, skip, limit: q.limit }),
      this.d.deals.count(filter),
    ]);
    const customers = await this.customerNames(rows.map((r) => r.customerId));
    const owners = await this.d.org.namesOf(rows.map((r) => r.ownerId));
    const stageOf = new Map(this.d.rollups.rules.stages.map((s) => [s.key, s]));
    const items = rows.map((r) => {
      const s = stageOf.get(r.stage);
      return {
        id: String(r._id),
        name: r.name,
        customerId: String(r.customerId),
        customerName: customers.get(String(r.customerId)) ?? '',
        ownerId: idOf(r.ownerId),
        ownerName: r.ownerId ? (owners.get(String(r.ownerId)) ?? '（未知）') : POOL,
        stage: r.stage,
        stageName: s?.name ?? r.stage,
        stageEnteredAt: r.stageEnteredAt.toISOString(),
        daysInStage: Math.floor((now.getTime() - r.stageEnteredAt.getTime()) / DAY_MS),
        limitDays: s?.slaDays ?? 0,
        amountFen: r.amountFen,
      };
    });
    return { items, total, nextCursor: skip + rows.length < total ? String(skip + rows.length) : null };
  }

  /** How many stalled deals the viewer has (mine: owned by them). */
  async stalledCount(actor: Actor, mine: boolean): Promise<number> {
    const and = [...(await this.recordScope(actor, {})), this.stalledFilter(this.d.now())];
    if (mine) and.push({ ownerId: actor.user._id });
    return this.d.deals.count({ $and: and });
  }

  private forgottenFilter(now: Date): Record<string, unknown> {
    const or: Record<string, unknown>[] = [];
    for (const [tier, days] of Object.entries(this.d.coldDaysByTier)) {
      if (days == null) continue;
      const before = new Date(now.getTime() - days * DAY_MS);
      or.push({ tier, lastFollowUpAt: { $lt: before } }, { tier, lastFollowUpAt: null, createdAt: { $lt: before } });
    }
    return or.length ? { status: 'owned', $or: or } : { _id: { $in: [] } };
  }

  async forgotten(actor: Actor, q: Omit<ActionListQuery, 'format'>): Promise<{ items: ForgottenCustomerDto[]; total: number; nextCursor: string | null }> {
    const now = this.d.now();
    const filter = { $and: [...(await this.recordScope(actor, q)), this.forgottenFilter(now)] };
    const skip = offsetOf(q.cursor);
    const [rows, total] = await Promise.all([
      this.d.customers.find(filter, { sort: { lastFollowUpAt: 1, createdAt: 1, _id: 1 }, skip, limit: q.limit }),
      this.d.customers.count(filter),
    ]);
    const owners = await this.d.org.namesOf(rows.map((r) => r.ownerId));
    const items = rows.map((r) => {
      const since = r.lastFollowUpAt ?? r.createdAt;
      return {
        id: String(r._id),
        name: r.name,
        company: r.company ?? null,
        tier: r.tier,
        ownerId: idOf(r.ownerId),
        ownerName: r.ownerId ? (owners.get(String(r.ownerId)) ?? '（未知）') : POOL,
        lastFollowUpAt: r.lastFollowUpAt ? r.lastFollowUpAt.toISOString() : null,
        daysSince: Math.floor((now.getTime() - since.getTime()) / DAY_MS),
        limitDays: this.d.coldDaysByTier[r.tier] ?? 0,
      };
    });
    return { items, total, nextCursor: skip + rows.length < total ? String(skip + rows.length) : null };
  }

  /** Open next-step reminders past due, per person the viewer may see. */
  async teamOverdue(actor: Actor): Promise<TeamOverdueDto> {
    const users = await this.usersInScope(actor, {});
    if (!users.length) return { total: 0, rows: [] };
    const rows = await this.d.reminders.find(
      { userId: { $in: users.map((u) => u._id) }, kind: 'next-step', status: { $in: OPEN_REMINDER }, dueAt: { $lt: this.d.now() } },
      { projection: { userId: 1, dueAt: 1 } },
    );
    const by = new Map<string, { overdue: number; oldest: Date | null }>();
    for (const r of rows) {
      const x = by.get(String(r.userId)) ?? { overdue: 0, oldest: null };
      x.overdue++;
      if (!x.oldest || r.dueAt < x.oldest) x.oldest = r.dueAt;
      by.set(String(r.userId), x);
    }
    const names = new Map(users.map((u) => [String(u._id), u.name]));
    return {
      total: rows.length,
      rows: [...by]
        .map(([id, x]) => ({ id, name: names.get(id) ?? '（未知）', overdue: x.overdue, oldestDueAt: x.oldest ? x.oldest.toISOString() : null }))
        .sort((a, b) => b.overdue - a.overdue || a.name.localeCompare(b.name)),
    };
  }

  async overdueCount(actor: Actor, mine: boolean): Promise<number> {
    if (mine) return this.d.reminders.count({ userId: actor.user._id, kind: 'next-step', status: { $in: OPEN_REMINDER }, dueAt: { $lt: this.d.now() } });
    return (await this.teamOverdue(actor)).total;
  }

  // ---- drill-down -----------------------------------------------------------------------------------------

  /** The records behind a figure: same period, scope and narrowing as the report, a page at a time. */
  async drill(actor: Actor, q: Omit<DrillQuery, 'format'>): Promise<{ items: DrillRowDto[]; total: number; nextCursor: string | null }> {
    const p = this.period(q);
    const inPeriod = { $gte: p.from, $lt: p.to };
    const rules = this.d.rollups.rules;
    const metric = q.metric ?? (q.report === 'adoption' ? 'followUps' : q.report === 'cycle' ? 'won' : 'deals');
    // follow-ups in the ranking and adoption are per author: ownerId narrows by author there
    const authorNarrow = metric === 'followUps' && q.ownerId;
    const scope = await this.recordScope(actor, { ...q, ownerId: authorNarrow ? undefined : q.ownerId });
    const skip = offsetOf(q.cursor);
    const page = { skip, limit: q.limit };
    let sourceCustomers: Id[] | null = null;
    if (q.source) {
      const c = await this.d.customers.find({ $and: [...scope, { source: q.source }] }, { projection: { _id: 1 } });
      sourceCustomers = c.map((x) => x._id);
    }
    const deals = async (cond: Record<string, unknown>) => {
      const filter = { $and: [...scope, cond, ...(sourceCustomers ? [{ customerId: { $in: sourceCustomers } }] : [])] };
      const [rows, total] = await Promise.all([this.d.deals.find(filter, { sort: { _id: -1 }, ...page }), this.d.deals.count(filter)]);
      return {
        total,
        rows: rows.map((r) => ({
          kind: 'opportunity' as const,
          r,
          title: r.name,
          amountFen: r.amountFen,
          stage: r.stage,
          at: q.by === 'closed' || cond.closedAt ? r.closedAt! : r.createdAt,
        })),
      };
    };
    let result: {
      total: number;
      rows: Array<{
        kind: DrillRowDto['kind'];
        r: { _id: Id; customerId?: Id; ownerId: Id | null };
        title: string;
        amountFen: number | null;
        stage: string | null;
        at: Date;
      }>;
    };
    const byClosed = q.report === 'funnel' && q.by === 'closed';
    if (metric === 'contracts') {
      const filter = { $and: [...scope, { status: 'signed', signedAt: inPeriod }] };
      const [rows, total] = await Promise.all([this.d.contracts.find(filter, { sort: { _id: -1 }, ...page }), this.d.contracts.count(filter)]);
      result = { total, rows: rows.map((r) => ({ kind: 'contract', r, title: r.title, amountFen: r.amountFen, stage: null, at: r.signedAt! })) };
    } else if (metric === 'customers') {
      const filter = { $and: [...scope, { createdAt: inPeriod }, ...(q.source ? [{ source: q.source }] : [])] };
      const [rows, total] = await Promise.all([this.d.customers.find(filter, { sort: { _id: -1 }, ...page }), this.d.customers.count(filter)]);
      result = {
        total,
        rows: rows.map((r) => ({ kind: 'customer', r: { ...r, customerId: r._id }, title: r.name, amountFen: null, stage: null, at: r.createdAt })),
      };
    } else if (metric === 'followUps') {
      const filter = { $and: [...scope, { happenedAt: inPeriod }, ...(authorNarrow ? [{ authorId: new Types.ObjectId(q.ownerId!) }] : [])] };
      const [rows, total] = await Promise.all([this.d.followUps.find(filter, { sort: { _id: -1 }, ...page }), this.d.followUps.count(filter)]);
      result = { total, rows: rows.map((r) => ({ kind: 'followUp', r, title: r.content.slice(0, 60), amountFen: null, stage: null, at: r.happenedAt })) };
    } else if (metric === 'won' || metric === 'lost') {
      const stage = metric === 'won' ? rules.wonKey : rules.lostKey;
      // the funnel by created counts won / lost deals created in the period; the ranking, cycle and by-closed funnel, those closed in it
      const created = (q.report === 'funnel' && !byClosed) || q.report === 'sources';
      result = await deals(created ? { stage, createdAt: inPeriod } : { stage, closedAt: inPeriod });
    } else {
      const cond: Record<string, unknown> = byClosed ? { closedAt: inPeriod, stage: { $in: [rules.wonKey, rules.lostKey] } } : { createdAt: inPeriod };
      if (q.stage) cond.stage = q.stage;
      result = await deals(cond);
    }
    const customers = await this.customerNames(result.rows.map((x) => x.r.customerId ?? null));
    const owners = await this.d.org.namesOf(result.rows.map((x) => x.r.ownerId));
    const stageName = new Map(rules.stages.map((s) => [s.key, s.name]));
    const items = result.rows.map((x) => ({
      kind: x.kind,
      id: String(x.r._id),
      title: x.title,
      customerId: String(x.r.customerId),
      customerName: customers.get(String(x.r.customerId)) ?? '',
      ownerId: idOf(x.r.ownerId),
      ownerName: x.r.ownerId ? (owners.get(String(x.r.ownerId)) ?? '（未知）') : POOL,
      amountFen: x.amountFen,
      stage: x.stage,
      stageName: x.stage ? (stageName.get(x.stage) ?? x.stage) : null,
      at: x.at.toISOString(),
    }));
    return { items, total: result.total, nextCursor: skip + items.length < result.total ? String(skip + items.length) : null };
  }

  private async customerNames(ids: Array<Id | null | undefined>): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((x): x is Id => !!x).map(String))].map((x) => new Types.ObjectId(x));
    if (!wanted.length) return new Map();
    const rows = await this.d.customers.find({ _id: { $in: wanted } }, { projection: { name: 1 } });
    return new Map(rows.map((r) => [String(r._id), r.name]));
  }

  // ---- summary (chat card, phone dashboard header) --------------------------------------------------------

  async summary(actor: Actor, q: SummaryQuery): Promise<SummaryDto> {
    const p = this.period(q);
    const mine = q.scope === 'mine';
    const prev: Period = { ...p, from: p.previousFrom, to: p.previousTo };
    const docs = await this.load(actor, q, [p, prev], ['sc', 'wa', 'k', 'cu', 'w'], { mine, foldOwners: true });
    const me = String(actor.user._id);
    const m = { wonAmt: [0, 0], won: [0, 0], contract: [0, 0], newDeals: [0, 0], cust: [0, 0], fu: [0, 0] };
    for (const [i, period] of [p, prev].entries()) {
      const days = daysOf(period.from, period.to, this.d.businessTz);
      each(docs, 'wa', days, (_d, _rest, v, isAmount) => {
        (isAmount ? m.wonAmt : m.won)[i]! += v;
      });
      // deals created, from the source family (a few keys per month; the funnel's holds every stage and reason)
      each(docs, 'sc', days, (_d, _r, v, isAmount) => {
        if (!isAmount) m.newDeals[i]! += v;
      });
      each(docs, 'k', days, (_d, _r, v, isAmount) => {
        if (isAmount) m.contract[i]! += v;
      });
      each(docs, 'cu', days, (_d, _r, v) => void (m.cust[i]! += v));
      each(docs, 'w', days, (_d, [author], v) => {
        if (!mine || author === me) m.fu[i]! += v;
      });
    }
    const pair = (x: number[]) => ({ current: x[0]!, previous: x[1]! });
    const [stalled, overdue] = await Promise.all([this.stalledCount(actor, mine), this.overdueCount(actor, mine)]);
    return {
      period: periodDto(p),
      scope: q.scope,
      viewer: { id: me, name: actor.user.name },
      wonAmountFen: pair(m.wonAmt),
      dealsWon: pair(m.won),
      contractAmountFen: pair(m.contract),
      newDeals: pair(m.newDeals),
      newCustomers: pair(m.cust),
      followUps: pair(m.fu),
      stalled,
      overdue,
      link: this.d.consoleUrl,
    };
  }
}

function offsetOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  const n = Number(cursor);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000)
    throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '无效的分页游标', { details: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  return n;
}
