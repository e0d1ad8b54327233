import { randomBytes } from 'node:crypto';
import { formatMoneyShort, type RankingDto, type SummaryDto } from '@crm/shared';
import type { Actor } from '@crm/api';
import type { Card } from '../core/bot-event';
import type { Services } from '@crm/api';

/** Task ids of report cards (never redrawn: a new question gets a new card). */
export const REPORT_TASK_PREFIX = 'rpt';
const taskId = () => `${REPORT_TASK_PREFIX}_${randomBytes(8).toString('hex')}`;

const vs = (cur: number, prev: number, label: string) => `${cur}（${label} ${prev}${cur > prev ? ' ↑' : cur < prev ? ' ↓' : ''}）`;
const vsMoney = (cur: number, prev: number, label: string) =>
  `${formatMoneyShort(cur)}（${label} ${formatMoneyShort(prev)}${cur > prev ? ' ↑' : cur < prev ? ' ↓' : ''}）`;
const openConsole = (link: string) => ({ key: 'rpt.console', text: '打开工作台', url: link, style: 'primary' as const });
const PREVIOUS: Record<SummaryDto['period']['kind'], string> = { week: '上周', month: '上月', quarter: '上季度', custom: '上期' };
const CURRENT: Record<SummaryDto['period']['kind'], string> = { week: '本周', month: '本月', quarter: '本季度', custom: '本期' };

/** 业绩 / 本月 (本周): my numbers this month (week) against the one before, and what needs doing (stalled deals, overdue follow-ups). */
export function myNumbersCard(s: SummaryDto): Card {
  const prev = PREVIOUS[s.period.kind];
  return {
    taskId: taskId(),
    title: `${s.viewer.name} ${CURRENT[s.period.kind]}业绩`,
    description: `跟进：${s.followUps.current} 次（${prev} ${s.followUps.previous}）· ${s.period.label}`,
    fields: [
      { label: '赢单', value: `${s.dealsWon.current} 个 ${vsMoney(s.wonAmountFen.current, s.wonAmountFen.previous, prev)}` },
      { label: '签约合同', value: vsMoney(s.contractAmountFen.current, s.contractAmountFen.previous, prev) },
      { label: '新商机', value: vs(s.newDeals.current, s.newDeals.previous, prev) },
      { label: '新客户', value: vs(s.newCustomers.current, s.newCustomers.previous, prev) },
      { label: '停滞商机', value: `${s.stalled} 个` },
      { label: '逾期跟进', value: `${s.overdue} 条` },
    ],
    url: s.link,
    buttons: [openConsole(s.link)],
  };
}

/** 团队 / 团队情况 (managers): the team's numbers against last month, the top and the bottom of the ranking, what is late. */
export function teamNumbersCard(s: SummaryDto, ranking: RankingDto, opts: { title?: string } = {}): Card {
  const prev = PREVIOUS[s.period.kind];
  const people = ranking.rows.filter((r) => r.id);
  const top = people[0];
  const bottom = people.length > 1 ? people.at(-1) : undefined;
  const who = (r: RankingDto['rows'][number]) =>
    `${r.name} 签约 ${formatMoneyShort(r.contractAmountFen.current)} · 赢单 ${r.dealsWon.current} · 跟进 ${r.followUps.current}`;
  return {
    taskId: taskId(),
    title: opts.title ?? `团队${CURRENT[s.period.kind]} · ${s.period.label}`,
    description: `赢单 ${s.dealsWon.current} 个 ${vsMoney(s.wonAmountFen.current, s.wonAmountFen.previous, prev)} · 跟进 ${s.followUps.current} 次`,
    fields: [
      { label: '签约合同', value: vsMoney(s.contractAmountFen.current, s.contractAmountFen.previous, prev) },
      { label: '新商机', value: vs(s.newDeals.current, s.newDeals.previous, prev) },
      { label: '新客户', value: vs(s.newCustomers.current, s.newCustomers.previous, prev) },
      ...(top ? [{ label: '第一名', value: who(top) }] : []),
      ...(bottom ? [{ label: '待加油', value: who(bottom) }] : []),
      { label: '要处理', value: `停滞商机 ${s.stalled} 个 · 逾期跟进 ${s.overdue} 条` },
    ],
    url: s.link,
    buttons: [openConsole(s.link)],
  };
}

/**
 * The numbers behind both cards, through the report service with the asker's scope: this month or this week, or
 * the week of `at` (the Monday push: 团队周报 of last week).
 */
export async function reportCardFor(services: Services, actor: Actor, which: 'mine' | 'team', period: 'month' | 'week' = 'month', at?: Date): Promise<Card> {
  const base = { period, at, departmentId: undefined, ownerId: undefined } as const;
  const summary = await services.reports.summary(actor, { ...base, scope: which });
  if (which === 'mine') return myNumbersCard(summary);
  const ranking = await services.reports.ranking(actor, { ...base, dimension: 'rep' });
  return teamNumbersCard(summary, ranking, period === 'week' && at ? { title: `团队周报 · ${summary.period.label}` } : {});
}
