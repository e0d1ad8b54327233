import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { ActionButton } from '../../components/action-button';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES } from '../../platform/ui';
import { manager, reports } from '../../services';
import { parseListQuery, toDrillRows, type DrillRowVM } from '../../services/adapters/dashboard.adapter';

/**
 * The list behind a dashboard figure: a funnel stage's deals, a rep's won deals / contracts / follow-ups (the
 * reports API's drill, the same records the figure counted, in the viewer's scope), or a rep's overdue
 * customers. A row opens the customer.
 */
export default function ManagerListPage() {
  const q = parseListQuery(useRouter().params);
  const [more, setMore] = useState(false);
  const list = useAsync(async (): Promise<{ rows: DrillRowVM[]; total: number; next: string | null }> => {
    if (!q) throw Object.assign(new Error('这个链接不完整，请从团队页重新打开'), { status: 400 });
    if (q.kind === 'overdue') {
      const rows = (await manager.overdue(q.ownerId)).map((o) => ({
        key: o.customerId,
        title: o.customer,
        sub: `上次联系 ${o.lastContact}`,
        right: o.due,
        customerId: o.customerId,
      }));
      return { rows, total: rows.length, next: null };
    }
    const d = await reports.drill(q.drill);
    return { rows: toDrillRows(d), total: d.total, next: d.nextCursor };
  }, []);

  const loadMore = async () => {
    if (!q || q.kind !== 'drill' || !list.data?.next || more) return;
    setMore(true);
    try {
      const d = await reports.drill(q.drill, list.data.next);
      list.setData((prev) => prev && { rows: [...prev.rows, ...toDrillRows(d)], total: d.total, next: d.nextCursor });
    } catch {
      // the request wrapper already showed why
    } finally {
      setMore(false);
    }
  };

  return (
    <View className="page manager-list">
      <Text className="section-title">
        {q?.title ?? '明细'}
        {list.data ? ` · 共 ${list.data.total} 条` : ''}
      </Text>
      <StateView
        state={list.state}
        error={list.error}
        errorStatus={list.errorStatus}
        onRetry={list.reload}
        empty={(list.data?.rows ?? []).length === 0}
        emptyText="没有记录"
      >
        <View className="card">
          {(list.data?.rows ?? []).map((r) => (
            <View key={r.key} className="list-item drill-row" onClick={() => go(ROUTES.customer(r.customerId))}>
              <View className="row between">
                <Text className="item-title">{r.title}</Text>
                <Text className="small">{r.right}</Text>
              </View>
              {r.sub ? <Text className="muted small">{r.sub}</Text> : null}
            </View>
          ))}
        </View>
        {list.data?.next ? (
          <ActionButton className="btn btn-small load-more" loading={more} onClick={() => void loadMore()}>
            加载更多
          </ActionButton>
        ) : null}
      </StateView>
    </View>
  );
}
