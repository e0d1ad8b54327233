import { act, fireEvent, render, screen } from '@testing-library/react';
import type { FunnelDto, RankingDto, SummaryDto, TeamOverdueDto } from '@shared/reports/report.dto';
import { calls } from './stubs/taro';

/** The manager's phone dashboard page against a fake reports service: what it shows and where a tap leads. */
const period = { kind: 'month' as const, from: '', to: '', previousFrom: '', previousTo: '', label: '2026年11月' };
const m = (current: number, previous: number) => ({ current, previous });
const asked: string[] = [];

jest.mock('../src/services', () => ({
  reminders: { list: async () => [], nudge: async () => undefined },
  reports: {
    summary: async (p: string): Promise<SummaryDto> => {
      asked.push(`summary:${p}`);
      const s = {
        period: { ...period, label: p === 'week' ? '11月23日–11月29日' : '2026年11月' },
        scope: 'team' as const,
        viewer: { id: 'v', name: '张伟' },
        wonAmountFen: m(15_000_000, 9_000_000),
        dealsWon: m(3, 2),
        contractAmountFen: m(12_000_000, 8_000_000),
        newDeals: m(6, 4),
        newCustomers: m(5, 7),
        followUps: m(42, 38),
        stalled: 2,
        overdue: 3,
        link: '',
      };
      return s;
    },
    funnel: async (p: string): Promise<FunnelDto> => {
      asked.push(`funnel:${p}`);
      return {
        period,
        by: 'created',
        total: { count: 40, amountFen: 100_000_000 },
        stages: [
          { key: 'initial', name: '初步接洽', outcome: 'open', count: 10, amountFen: 30_000_000, reached: 40, conversionToNext: 0.75 },
          { key: 'proposal', name: '方案报价', outcome: 'open', count: 20, amountFen: 60_000_000, reached: 30, conversionToNext: 0.3333 },
          { key: 'won', name: '赢单', outcome: 'won', count: 10, amountFen: 10_000_000, reached: 10, conversionToNext: null },
        ],
        won: { count: 10, amountFen: 10_000_000 },
        lost: { count: 5, amountFen: 5_000_000, reasons: [{ reason: '价格太高', count: 3, amountFen: 3_000_000 }] },
        winRate: 0.6667,
      };
    },
    ranking: async (): Promise<RankingDto> => ({
      period,
      dimension: 'rep',
      rows: [
        {
          rank: 1,
          id: 'u-wang',
          name: '王芳',
          departmentName: '华东销售部',
          contractAmountFen: m(9_000_000, 0),
          wonAmountFen: m(1_000_000, 0),
          dealsWon: m(1, 0),
          newCustomers: m(0, 0),
          followUps: m(5, 5),
        },
        {
          rank: 2,
          id: 'u-liu',
          name: '刘洋',
          departmentName: '华东销售部',
          contractAmountFen: m(0, 0),
          wonAmountFen: m(5_000_000, 1_000_000),
          dealsWon: m(2, 1),
          newCustomers: m(0, 0),
          followUps: m(30, 20),
        },
      ],
    }),
    teamOverdue: async (): Promise<TeamOverdueDto> => ({ total: 14, rows: [{ id: 'u-liu', name: '刘洋', overdue: 14, oldestDueAt: null }] }),
  },
}));

// imported after the mock (the page takes its services from ../src/services)
import ManagerPage from '../src/pages/manager/index';

const settle = () => act(async () => void (await new Promise((r) => setTimeout(r, 0))));
const lastNavigation = () => decodeURIComponent((calls.filter((c) => c.api === 'navigateTo').at(-1)!.args as { url: string }).url);

describe('the manager’s phone dashboard', () => {
  beforeEach(() => {
    asked.length = 0;
    calls.length = 0;
  });

  it('shows the team’s figures, the funnel with conversion, the ranking and overdue by rep', async () => {
    const { container } = render(<ManagerPage />);
    await settle();
    expect(asked.sort()).toEqual(['funnel:month', 'summary:month']);
    expect(screen.getByText('团队业绩 · 2026年11月')).toBeTruthy();
    expect(container.querySelector('.tile-wonAmountFen')!.textContent).toBe('赢单金额¥15万较上期 ↑67%');
    expect(Array.from(container.querySelectorAll('.funnel-stage .funnel-name')).map((n) => n.textContent)).toEqual(['初步接洽', '方案报价', '赢单']);
    expect(Array.from(container.querySelectorAll('.funnel-conv')).map((n) => n.textContent)).toEqual(['↓ 转化 75%', '↓ 转化 33%']);
    expect((container.querySelectorAll('.funnel-fill')[1] as HTMLElement).style.width).toBe('75%');
    expect(container.querySelector('.funnel-chart')!.textContent).toContain('赢率 67%');
    // ranking by won amount (the default): 刘洋 first
    expect(Array.from(container.querySelectorAll('.rank-row .item-title')).map((n) => n.textContent)).toEqual(['1 刘洋 华东销售部', '2 王芳 华东销售部']);
    expect(container.querySelector('.overdue-rep')!.textContent).toContain('逾期 14 条');
  });

  it('a tap opens the list behind the figure', async () => {
    const { container } = render(<ManagerPage />);
    await settle();
    fireEvent.click(container.querySelectorAll('.funnel-stage')[1]!);
    expect(lastNavigation()).toBe('/pages/manager/list?kind=drill&title=本月新建商机 · 方案报价&report=funnel&period=month&stage=proposal');
    fireEvent.click(screen.getByText(/输单 5 个/));
    expect(lastNavigation()).toContain('report=funnel&period=month&metric=lost');
    fireEvent.click(container.querySelector('.rank-row')!);
    expect(lastNavigation()).toContain('report=ranking&period=month&metric=won&ownerId=u-liu');
    fireEvent.click(container.querySelector('.overdue-rep')!);
    expect(lastNavigation()).toBe('/pages/manager/list?kind=overdue&title=刘洋 · 逾期未跟进&ownerId=u-liu');
  });

  it('another period reloads the figures; another ranking figure reorders the reps', async () => {
    const { container } = render(<ManagerPage />);
    await settle();
    asked.length = 0;
    fireEvent.click(screen.getByText('本周'));
    await settle();
    expect(asked.sort()).toEqual(['funnel:week', 'summary:week']);
    expect(screen.getByText('团队业绩 · 11月23日–11月29日')).toBeTruthy();
    fireEvent.click(screen.getByText('签约金额', { selector: '.tab span' }));
    expect(Array.from(container.querySelectorAll('.rank-row .item-title')).map((n) => n.textContent)).toEqual(['1 王芳 华东销售部', '2 刘洋 华东销售部']);
    fireEvent.click(container.querySelector('.rank-row')!);
    expect(lastNavigation()).toContain('report=ranking&period=week&metric=contracts&ownerId=u-wang');
  });
});
