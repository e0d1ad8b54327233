import type { FunnelDto, RankingDto, RankingRowDto, SummaryDto } from '@shared/reports/report.dto';
import { change, listQuery, parseListQuery, percent, toFunnelChart, toRanking, toTeamOverdue, toTiles } from './dashboard.adapter';

const period = { kind: 'month' as const, from: '', to: '', previousFrom: '', previousTo: '', label: '2026年11月' };

describe('dashboard figures', () => {
  it.each([
    [0.75, '75%'],
    [0.6667, '67%'],
    [0.045, '4.5%'],
    [0, '0%'],
    [1, '100%'],
    [null, '—'],
  ])('percent(%p) → %s', (share, text) => {
    expect(percent(share)).toBe(text);
  });

  it.each([
    [12, 8, '↑50%', 'up'],
    [6, 8, '↓25%', 'down'],
    [5, 5, '持平', 'flat'],
    [3, 0, '新增', 'up'],
    [1000, 999, '持平', 'flat'],
  ])('change(%p, %p) → %s', (current, previous, text, trend) => {
    expect(change(current, previous)).toEqual({ text, trend });
  });

  it('tiles: money in 万 / yuan, counts, each against the previous period', () => {
    const m = (current: number, previous: number) => ({ current, previous });
    const s: SummaryDto = {
      period,
      scope: 'team',
      viewer: { id: 'v', name: '张伟' },
      wonAmountFen: m(15_000_000_00, 9_000_000_00),
      dealsWon: m(3, 3),
      contractAmountFen: m(860_000, 0),
      newDeals: m(6, 4),
      newCustomers: m(5, 7),
      followUps: m(42, 38),
      stalled: 2,
      overdue: 3,
      link: '',
    };
    expect(toTiles(s).map((t) => [t.label, t.value, t.change])).toEqual([
      ['赢单金额', '¥1,500万', '↑67%'],
      ['签约金额', '¥8,600', '新增'],
      ['赢单', '3', '持平'],
      ['新商机', '6', '↑50%'],
      ['新客户', '5', '↓29%'],
      ['跟进', '42', '↑11%'],
    ]);
  });

  const funnel: FunnelDto = {
    period,
    by: 'created',
    total: { count: 120, amountFen: 360_000_000 },
    stages: [
      { key: 'initial', name: '初步接洽', outcome: 'open', count: 30, amountFen: 90_000_000, reached: 120, conversionToNext: 0.75 },
      { key: 'needs', name: '需求确认', outcome: 'open', count: 20, amountFen: 60_000_000, reached: 90, conversionToNext: 0.6667 },
      { key: 'proposal', name: '方案报价', outcome: 'open', count: 10, amountFen: 0, reached: 60, conversionToNext: 0.05 },
      { key: 'won', name: '赢单', outcome: 'won', count: 3, amountFen: 80_000_000, reached: 3, conversionToNext: null },
    ],
    won: { count: 3, amountFen: 80_000_000 },
    lost: { count: 15, amountFen: 40_000_000, reasons: [{ reason: '价格太高', count: 9, amountFen: 25_000_000 }] },
    winRate: 0.1667,
  };

  it('funnel: widths follow the deals that reached each stage (a small stage still shows), conversion between stages', () => {
    const vm = toFunnelChart(funnel);
    expect(vm.stages.map((s) => [s.name, s.width, s.conversion, s.count, s.amount])).toEqual([
      ['初步接洽', 100, '75%', 30, '¥90万'],
      ['需求确认', 75, '67%', 20, '¥60万'],
      ['方案报价', 50, '5%', 10, '¥0'],
      ['赢单', 14, null, 3, '¥80万'],
    ]);
    expect(vm).toMatchObject({ won: '3 个 · ¥80万', lost: '15 个 · ¥40万', lostReason: '价格太高 9 个', winRate: '17%', empty: false });
    expect(
      toFunnelChart({
        ...funnel,
        total: { count: 0, amountFen: 0 },
        stages: funnel.stages.map((s) => ({ ...s, reached: 0, count: 0 })),
        lost: { count: 0, amountFen: 0, reasons: [] },
      }),
    ).toMatchObject({
      empty: true,
      lostReason: null,
    });
  });

  const row = (name: string, id: string | null, won: number, contracts: number, followUps: number): RankingRowDto => ({
    rank: 1,
    id,
    name,
    departmentName: '华东销售部',
    contractAmountFen: { current: contracts, previous: 0 },
    wonAmountFen: { current: won, previous: won / 2 },
    dealsWon: { current: won ? 1 : 0, previous: 0 },
    newCustomers: { current: 0, previous: 0 },
    followUps: { current: followUps, previous: followUps },
  });
  const ranking: RankingDto = {
    period,
    dimension: 'rep',
    rows: [row('王芳', 'u1', 100_00, 900_00, 3), row('刘洋', 'u2', 300_00, 0, 40), row('公海', null, 0, 0, 0)],
  };

  it.each([
    ['wonAmountFen', ['刘洋', '王芳', '公海'], ['¥300', '¥100', '¥0'], 'won'],
    ['contractAmountFen', ['王芳', '公海', '刘洋'], ['¥900', '¥0', '¥0'], 'contracts'],
    ['followUps', ['刘洋', '王芳', '公海'], ['40', '3', '0'], 'followUps'],
  ] as const)('ranking by %s: highest first, the list behind each rep (none for 公海)', (metric, names, values, drillMetric) => {
    const rows = toRanking(ranking, metric, 'month');
    expect(rows.map((r) => r.name)).toEqual(names);
    expect(rows.map((r) => r.value)).toEqual(values);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(rows[0]!.width).toBe(100);
    const u = rows.find((r) => r.id === 'u2')!;
    expect(u.drill).toEqual({ report: 'ranking', period: 'month', metric: drillMetric, ownerId: 'u2' });
    expect(rows.find((r) => r.id === null)!.drill).toBeNull();
  });

  it('ranking shows last period beside this one', () => {
    const [first] = toRanking(ranking, 'wonAmountFen', 'week');
    expect(first).toMatchObject({ name: '刘洋', previous: '上期 ¥150', change: '↑100%', trend: 'up' });
  });

  it('team overdue by rep: bars relative to the most, who is behind and since when', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    const vm = toTeamOverdue(
      {
        total: 16,
        rows: [
          { id: 'a', name: '刘洋', overdue: 12, oldestDueAt: '2026-11-20T02:00:00Z' },
          { id: 'b', name: '王芳', overdue: 4, oldestDueAt: null },
          { id: 'c', name: '陈静', overdue: 0, oldestDueAt: null },
        ],
      },
      now,
    );
    expect(vm.total).toBe(16);
    expect(vm.rows.map((r) => [r.name, r.overdue, r.width])).toEqual([
      ['刘洋', 12, 100],
      ['王芳', 4, 33],
    ]);
    expect(vm.rows[0]!.oldest).toMatch(/^最早 .+到期$/);
  });

  it.each([
    [{ kind: 'drill', title: '本月新建商机 · 方案报价', drill: { report: 'funnel', period: 'month', stage: 'proposal' } }],
    [{ kind: 'drill', title: '本季输单', drill: { report: 'funnel', period: 'quarter', metric: 'lost' } }],
    [{ kind: 'drill', title: '刘洋 · 本周签约金额', drill: { report: 'ranking', period: 'week', metric: 'contracts', ownerId: 'u2' } }],
    [{ kind: 'overdue', title: '刘洋 · 逾期未跟进', ownerId: 'u2' }],
  ] as const)('the list page reads back what the dashboard asked for: %j', (spec) => {
    const params = Object.fromEntries(new URLSearchParams(listQuery(spec as Parameters<typeof listQuery>[0])));
    expect(parseListQuery(params)).toEqual(spec);
    // some platforms hand the params still encoded
    const encoded = Object.fromEntries(
      listQuery(spec as Parameters<typeof listQuery>[0])
        .split('&')
        .map((kv) => kv.split('=') as [string, string]),
    );
    expect(parseListQuery(encoded)?.title).toBe(spec.title);
  });

  it.each([
    [{}],
    [{ kind: 'drill', report: 'funnel', period: 'year' }],
    [{ kind: 'drill', report: 'sql', period: 'month' }],
    [{ kind: 'drill', report: 'funnel', period: 'month', metric: 'all' }],
    [{ kind: 'overdue' }],
  ])('refuses an incomplete or unknown list address %j', (params) => {
    expect(parseListQuery(params as Record<string, string>)).toBeNull();
  });
});
