import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { StateView } from '../../components/state-view';
import { Tabs } from '../../components/tabs';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES } from '../../platform/ui';
import { approvals } from '../../services';

type Box = 'todo' | 'done';

/** My approvals: to do / done; tap one for the route, the history and the decision. */
export default function ApprovalsPage() {
  const [box, setBox] = useState<Box>('todo');
  const r = useAsync(() => approvals.list(box), [box]);
  const shown = useRef(false);
  useDidShow(() => {
    if (shown.current) r.reload();
    shown.current = true;
  });

  return (
    <View className="page approvals">
      <Tabs<Box>
        value={box}
        items={[
          { key: 'todo', label: '待我审批' },
          { key: 'done', label: '我已审批' },
        ]}
        onChange={setBox}
      />
      <StateView
        state={r.state}
        error={r.error}
        onRetry={r.reload}
        empty={(r.data ?? []).length === 0}
        emptyText={box === 'todo' ? '没有待审批的事项' : '还没有审批过'}
      >
        <View className="list">
          {(r.data ?? []).map((a) => (
            <View key={a.id} className="card approval-item" onClick={() => go(ROUTES.approval(a.id))}>
              <View className="row between">
                <Text className="tag">{a.kind}</Text>
                <Text className={`status status-${a.statusClass}`}>{a.status}</Text>
              </View>
              <Text className="item-title">{a.title}</Text>
              <View className="row small muted">
                <Text>{a.requester}</Text>
                {a.customer ? <Text>· {a.customer}</Text> : null}
                {a.amount ? <Text>· {a.amount}</Text> : null}
              </View>
              <Text className="muted small">{a.submitted} 提交</Text>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
