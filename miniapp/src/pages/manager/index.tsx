import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { ActionButton } from '../../components/action-button';
import { FunnelChart, OverdueBars, RankingBars, Tiles } from '../../components/dash-charts';
import { StateView } from '../../components/state-view';
import { Tabs } from '../../components/tabs';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES, toastOk } from '../../platform/ui';
import { reminders, reports } from '../../services';
import {
  DASH_PERIODS,
  listQuery,
  RANK_METRICS,
  toFunnelChart,
  toRanking,
  toTeamOverdue,
  toTiles,
  type RankMetric,
} from '../../services/adapters/dashboard.adapter';
import type { DashPeriod } from '../../services/reports';

/**
 * The manager's phone dashboard (issue #16): the team's figures for the week / month / quarter against the
 * previous one, the funnel with stage-to-stage conversion, the ranking by rep, overdue follow-ups by rep, and
 * the team reminders (提醒他). Every figure comes from the reports API in the viewer's data scope; a tap opens
 * the list behind it (pages/manager/list).
 */
export default function ManagerPage() {
  const [period, setPeriod] = useState<DashPeriod>('month');
  const [metric, setMetric] = useState<RankMetric>('wonAmountFen');
  const team = useAsync(() => reminders.list('team'), []);
  const summary = useAsync(() => reports.summary(period), [period]);
  const funnel = useAsync(() => reports.funnel(period), [period]);
  const ranking = useAsync(() => reports.ranking(period), [period]);
  const overdue = useAsync(() => reports.teamOverdue(), []);
  const periodLabel = DASH_PERIODS.find((p) => p.key === period)!.label;
  const funnelVM = funnel.data ? toFunnelChart(funnel.data) : null;
  const rankRows = ranking.data ? toRanking(ranking.data, metric, period) : [];
  const overdueVM = overdue.data ? toTeamOverdue(overdue.data, new Date()) : null;

  const nudge = async (id: string, name: string) => {
    try {
      await reminders.nudge(id);
      toastOk(`已提醒 ${name}`);
      team.setData((list) => (list ?? []).filter((x) => x.id !== id));
    } catch {
      // the request wrapper already showed why
    }
  };

  return (
    <View className="page manager">
      {(team.data ?? []).length > 0 ? (
        <>
          <Text className="section-title">团队提醒 · {team.data!.length}</Text>
          <View className="card">
            {team.data!.map((m) => (
              <View key={m.id} className="list-item team-reminder">
                <View className="row between">
                  <Text className="item-title">{m.title}</Text>
                  <Text className={m.overdue ? 'bad small' : 'muted small'}>{m.due}</Text>
                </View>
                <Text className="small">{m.text}</Text>
                <View className="row between">
                  <Text className="muted small">负责人 {m.aboutName}</Text>
                  <ActionButton className="btn btn-small btn-primary action-nudge" onClick={() => void nudge(m.id, m.aboutName ?? '负责人')}>
                    提醒他
                  </ActionButton>
                </View>
              </View>
            ))}
          </View>
        </>
      ) : null}

      <Tabs<DashPeriod> value={period} items={DASH_PERIODS} onChange={setPeriod} />
      <Text className="section-title">团队业绩 · {summary.data?.period.label ?? periodLabel}</Text>
      <StateView state={summary.state} error={summary.error} errorStatus={summary.errorStatus} onRetry={summary.reload}>
        {summary.data ? <Tiles tiles={toTiles(summary.data)} /> : null}
      </StateView>

      <Text className="section-title">商机漏斗 · 按创建时间</Text>
      <StateView
        state={funnel.state}
        error={funnel.error}
        errorStatus={funnel.errorStatus}
        onRetry={funnel.reload}
        empty={funnelVM?.empty}
        emptyText={`${periodLabel}没有新建商机`}
      >
        {funnelVM ? (
          <FunnelChart
            funnel={funnelVM}
            onStage={(stage, name) =>
              go(ROUTES.managerList(listQuery({ kind: 'drill', title: `${periodLabel}新建商机 · ${name}`, drill: { report: 'funnel', period, stage } })))
            }
            onLost={() =>
              go(ROUTES.managerList(listQuery({ kind: 'drill', title: `${periodLabel}输单`, drill: { report: 'funnel', period, metric: 'lost' } })))
            }
          />
        ) : null}
      </StateView>

      <Text className="section-title">排行榜</Text>
      <Tabs<RankMetric> value={metric} items={RANK_METRICS} onChange={setMetric} />
      <StateView
        state={ranking.state}
        error={ranking.error}
        errorStatus={ranking.errorStatus}
        onRetry={ranking.reload}
        empty={rankRows.length === 0}
        emptyText="范围内没有销售"
      >
        <RankingBars
          rows={rankRows}
          onRow={(r) => {
            if (r.drill)
              go(
                ROUTES.managerList(
                  listQuery({ kind: 'drill', title: `${r.name} · ${periodLabel}${RANK_METRICS.find((m) => m.key === metric)!.label}`, drill: r.drill }),
                ),
              );
          }}
        />
      </StateView>

      <Text className="section-title">逾期未跟进 · {overdueVM?.total ?? 0} 条</Text>
      <StateView
        state={overdue.state}
        error={overdue.error}
        errorStatus={overdue.errorStatus}
        onRetry={overdue.reload}
        empty={(overdueVM?.rows ?? []).length === 0}
        emptyText="团队没有逾期的跟进"
      >
        <OverdueBars
          rows={overdueVM?.rows ?? []}
          onRow={(r) => go(ROUTES.managerList(listQuery({ kind: 'overdue', title: `${r.name} · 逾期未跟进`, ownerId: r.id })))}
        />
      </StateView>
    </View>
  );
}
