import { Text, View } from '@tarojs/components';
import { ActionButton } from '../../components/action-button';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES, toastOk } from '../../platform/ui';
import { manager, reminders } from '../../services';

/**
 * Manager view: the team reminders (a rep's stalled deal, naming the rep, answered with 提醒他), the team's
 * overdue follow-ups and a simple funnel by stage (within the manager's data scope).
 */
export default function ManagerPage() {
  const team = useAsync(() => reminders.list('team'), []);
  const overdue = useAsync(() => manager.overdue(), []);
  const funnel = useAsync(() => manager.funnel(), []);

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

      <Text className="section-title">逾期未跟进</Text>
      <StateView state={overdue.state} error={overdue.error} onRetry={overdue.reload} empty={(overdue.data ?? []).length === 0} emptyText="团队没有逾期的跟进">
        <View className="card">
          {(overdue.data ?? []).map((o) => (
            <View key={o.customerId} className="list-item" onClick={() => go(ROUTES.customer(o.customerId))}>
              <View className="row between">
                <Text className="item-title">{o.customer}</Text>
                <Text className="bad small">{o.due}</Text>
              </View>
              <Text className="muted small">
                负责人 {o.owner} · 上次联系 {o.lastContact}
              </Text>
            </View>
          ))}
        </View>
      </StateView>

      <Text className="section-title">商机漏斗</Text>
      <StateView
        state={funnel.state}
        error={funnel.error}
        onRetry={funnel.reload}
        empty={(funnel.data ?? []).every((f) => f.count === 0)}
        emptyText="暂无进行中的商机"
      >
        <View className="card funnel">
          {(funnel.data ?? []).map((f) => (
            <View key={f.key} className="funnel-row">
              <View className="row between small">
                <Text>{f.name}</Text>
                <Text className="muted">
                  {f.count} 个 · {f.amount}
                </Text>
              </View>
              <View className="bar">
                <View className="bar-fill" style={{ width: `${Math.max(f.width, f.count ? 4 : 0)}%` }} />
              </View>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
