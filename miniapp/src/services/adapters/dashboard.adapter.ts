import type { DrillDto, FunnelDto, RankingDto, RankingRowDto, SummaryDto, TeamOverdueDto } from '@shared/reports/report.dto';
import { formatAgo, formatMoney } from '../../lib/time';
import type { DashPeriod, DrillParams } from '../reports';

/**
 * The manager's phone dashboard as view models: the reports API's figures turned into what the page draws
 * with plain Views (bar widths in %, labels), no chart library (see docs/architecture.md → The mini-app).
 */

export const DASH_PERIODS: Array<{ key: DashPeriod; label: string }> = [
  { key: 'week', label: '本周' },
  { key: 'month', label: '本月' },
  { key: 'quarter', label: '本季' },
];

/** 0.756 → "76%"; below 10 % one decimal ("4.5%"); no denominator → "—". */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const p = share * 100;
  return p > 0 && p < 10 ? `${Math.round(p * 10) / 10}%` : `${Math.round(p)}%`;
}

/** This period against the previous one: "↑25%", "↓10%", "持平", or "新增" when the previous was zero. */
export function change(current: number, previous: number): { text: string; trend: 'up' | 'down' | 'flat' } {
  if (current === previous) return { text: '持平', trend: 'flat' };
  if (previous === 0) return { text: '新增', trend: 'up' };
  const p = Math.round(((current - previous) / previous) * 100);
  if (p === 0) return { text: '持平', trend: 'flat' };
  return p > 0 ? { text: `↑${p}%`, trend: 'up' } : { text: `↓${-p}%`, trend: 'down' };
}

export interface TileVM {
  key: string;
  label: string;
  value: string;
  change: string;
  trend: 'up' | 'down' | 'flat';
}

/** The team's headline figures (summary, scope team), each with its change against the previous period. */
export function toTiles(s: SummaryDto): TileVM[] {
  const tile = (key: keyof SummaryDto & string, label: string, m: { current: number; previous: number }, money = false): TileVM => ({
    key,
    label,
    value: money ? formatMoney(m.current) || '¥0' : String(m.current),
    ...(({ text, trend }) => ({ change: text, trend }))(change(m.current, m.previous)),
  });
  return [
    tile('wonAmountFen', '赢单金额', s.wonAmountFen, true),
    tile('contractAmountFen', '签约金额', s.contractAmountFen, true),
    tile('dealsWon', '赢单', s.dealsWon),
    tile('newDeals', '新商机', s.newDeals),
    tile('newCustomers', '新客户', s.newCustomers),
    tile('followUps', '跟进', s.followUps),
  ];
}

export interface FunnelStageVM {
  key: string;
  name: string;
  /** Deals now in this stage, and their amount. */
  count: number;
  amount: string;
  /** Deals that reached this stage or a later one: the funnel's width. */
  reached: number;
  /** 0–100, relative to the widest stage (never below 14 when something reached it, so the label fits). */
  width: number;
  /** To the next stage ("75%"); null on the last. */
  conversion: string | null;
  won: boolean;
}

export interface FunnelVM {
  stages: FunnelStageVM[];
  won: string;
  lost: string;
  lostReason: string | null;
  winRate: string;
  empty: boolean;
}

/** The funnel with stage-to-stage conversion (deals created in the period, as the reports API counts them). */
export function toFunnelChart(f: FunnelDto): FunnelVM {
  const max = Math.max(1, ...f.stages.map((s) => s.reached));
  const stages = f.stages.map((s) => ({
    key: s.key,
    name: s.name,
    count: s.count,
    amount: formatMoney(s.amountFen) || '¥0',
    reached: s.reached,
    width: s.reached ? Math.max(14, Math.round((s.reached / max) * 100)) : 0,
    conversion: s.outcome === 'won' || s.conversionToNext === null ? null : percent(s.conversionToNext),
    won: s.outcome === 'won',
  }));
  const reason = f.lost.reasons[0];
  return {
    stages,
    won: `${f.won.count} 个 · ${formatMoney(f.won.amountFen) || '¥0'}`,
    lost: `${f.lost.count} 个 · ${formatMoney(f.lost.amountFen) || '¥0'}`,
    lostReason: reason ? `${reason.reason} ${reason.count} 个` : null,
    winRate: percent(f.winRate),
    empty: f.total.count === 0 && f.lost.count === 0,
  };
}

export type RankMetric = 'wonAmountFen' | 'contractAmountFen' | 'dealsWon' | 'followUps';
export const RANK_METRICS: Array<{ key: RankMetric; label: string }> = [
  { key: 'wonAmountFen', label: '赢单金额' },
  { key: 'contractAmountFen', label: '签约金额' },
  { key: 'dealsWon', label: '赢单数' },
  { key: 'followUps', label: '跟进数' },
];
/** The list behind a ranking figure (drill `metric`). */
const DRILL_METRIC: Record<RankMetric, NonNullable<DrillParams['metric']>> = {
  wonAmountFen: 'won',
  contractAmountFen: 'contracts',
  dealsWon: 'won',
  followUps: 'followUps',
};

export interface RankRowVM {
  /** null: 公海 / 未分配 (no list to open). */
  id: string | null;
  rank: number;
  name: string;
  department: string;
  value: string;
  previous: string;
  change: string;
  trend: 'up' | 'down' | 'flat';
  width: number;
  drill: DrillParams | null;
}

/** The reps ranked by one figure (highest first, the top `limit`), with last period's beside it. */
export function toRanking(r: RankingDto, metric: RankMetric, period: DashPeriod, limit = 10): RankRowVM[] {
  const money = metric.endsWith('Fen');
  const show = (n: number) => (money ? formatMoney(n) || '¥0' : `${n}`);
  const rows = [...r.rows].sort((a: RankingRowDto, b: RankingRowDto) => b[metric].current - a[metric].current || a.name.localeCompare(b.name, 'zh-CN'));
  const max = Math.max(1, ...rows.map((x) => x[metric].current));
  return rows.slice(0, limit).map((x, i) => {
    const m = x[metric];
    const c = change(m.current, m.previous);
    return {
      id: x.id,
      rank: i + 1,
      name: x.name,
      department: x.departmentName ?? '',
      value: show(m.current),
      previous: `上期 ${show(m.previous)}`,
      change: c.text,
      trend: c.trend,
      width: m.current ? Math.max(4, Math.round((m.current / max) * 100)) : 0,
      drill: x.id ? { report: 'ranking', period, metric: DRILL_METRIC[metric], ownerId: x.id } : null,
    };
  });
}

export interface OverdueRepVM {
  id: string;
  name: string;
  overdue: number;
  oldest: string;
  width: number;
}

/** The team's overdue follow-ups by rep (most first), each a bar. */
export function toTeamOverdue(t: TeamOverdueDto, now: Date): { total: number; rows: OverdueRepVM[] } {
  const max = Math.max(1, ...t.rows.map((r) => r.overdue));
  return {
    total: t.total,
    rows: t.rows
      .filter((r) => r.overdue > 0)
      .map((r) => ({
        id: r.id,
        name: r.name,
        overdue: r.overdue,
        oldest: r.oldestDueAt ? `最早 ${formatAgo(r.oldestDueAt, now)}到期` : '',
        width: Math.max(4, Math.round((r.overdue / max) * 100)),
      })),
  };
}

export interface DrillRowVM {
  key: string;
  title: string;
  sub: string;
  right: string;
  customerId: string;
}

/** The records behind a figure, as list rows that open the customer. */
export function toDrillRows(d: DrillDto): DrillRowVM[] {
  return d.items.map((x) => ({
    key: `${x.kind}:${x.id}`,
    title: x.title,
    sub: [x.kind === 'opportunity' || x.kind === 'contract' ? x.customerName : null, x.ownerName, x.stageName].filter(Boolean).join(' · '),
    right: x.amountFen !== null ? formatMoney(x.amountFen) : '',
    customerId: x.customerId,
  }));
}

/** The list page's address for a figure (query of pages/manager/list). */
export function listQuery(p: { title: string } & ({ kind: 'drill'; drill: DrillParams } | { kind: 'overdue'; ownerId: string })): string {
  const q: Record<string, string> = { kind: p.kind, title: p.title };
  if (p.kind === 'drill') for (const [k, v] of Object.entries(p.drill)) if (v !== undefined) q[k] = String(v);
  if (p.kind === 'overdue') q.ownerId = p.ownerId;
  return Object.entries(q)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
}

/** The list page's query back into what to load (unknown values refused: the page says so). */
export function parseListQuery(
  params: Record<string, string | undefined>,
): { kind: 'drill'; title: string; drill: DrillParams } | { kind: 'overdue'; title: string; ownerId: string } | null {
  const title = decode(params.title) || '明细';
  const period = params.period as DashPeriod;
  if (params.kind === 'overdue' && params.ownerId) return { kind: 'overdue', title, ownerId: params.ownerId };
  if (params.kind !== 'drill' || !DASH_PERIODS.some((p) => p.key === period)) return null;
  if (params.report !== 'funnel' && params.report !== 'ranking') return null;
  const metric = params.metric as DrillParams['metric'];
  if (metric && !['deals', 'won', 'lost', 'contracts', 'followUps'].includes(metric)) return null;
  return {
    kind: 'drill',
    title,
    drill: {
      report: params.report,
      period,
      ...(params.stage ? { stage: params.stage } : {}),
      ...(metric ? { metric } : {}),
      ...(params.ownerId ? { ownerId: params.ownerId } : {}),
    },
  };
}

/** Taro hands page params still encoded on some platforms (H5 decodes them): decode once, safely. */
function decode(v: string | undefined): string {
  if (!v) return '';
  try {
    return /%[0-9A-Fa-f]{2}/.test(v) ? decodeURIComponent(v) : v;
  } catch {
    return v;
  }
}
