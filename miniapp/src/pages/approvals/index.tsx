import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { ActionButton } from '../../components/action-button';
import { StateView } from '../../components/state-view';
import { Tabs } from '../../components/tabs';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES, toastOk } from '../../platform/ui';
import { approvals } from '../../services';
import type { ApprovalBox } from '../../services/api-types';

const EMPTY: Record<ApprovalBox, string> = { todo: '没有待审批的事项', done: '还没有审批过', mine: '还没有发起过审批' };

/** My approvals: to do / decided by me / asked by me; tap one for the route, the reasons, the history and what I can do. */
export default function ApprovalsPage() {
  const [box, setBox] = useState<ApprovalBox>('todo');
  const r = useAsync(() => approvals.list(box), [box]);
  const [busy, setBusy] = useState('');
  const shown = useRef(false);
  useDidShow(() => {
    if (shown.current) r.reload();
    shown.current = true;
  });

  const withdraw = async (id: string) => {
    setBusy(id);
    try {
      await approvals.withdraw(id);
      toastOk('已撤回');
      r.reload();
    } catch {
      // the request wrapper already showed why
    } finally {
      setBusy('');
    }
  };

  return (
    <View className="page approvals">
      <Tabs<ApprovalBox>
        value={box}
        items={[
          { key: 'todo', label: '待我审批' },
          { key: 'done', label: '我已审批' },
          { key: 'mine', label: '我发起的' },
        ]}
        onChange={setBox}
      />
      <StateView state={r.state} error={r.error} onRetry={r.reload} empty={(r.data ?? []).length === 0} emptyText={EMPTY[box]}>
        <View className="list">
          {(r.data ?? []).map((a) => (
            <View key={a.id} className="card approval-item" onClick={() => go(ROUTES.approval(a.id))}>
              <View className="row between">
                <Text className="tag">{a.kind}</Text>
                {box === 'done' && a.myDecision ? (
                  <Text className={`status status-${a.myDecisionClass} my-decision`}>
                    {a.myDecision} · 整体{a.status}
                  </Text>
                ) : (
                  <Text className={`status status-${a.statusClass}`}>{a.status}</Text>
                )}
              </View>
              <Text className="item-title">{a.title}</Text>
              <View className="row small muted">
                <Text>{a.requester}</Text>
                {a.customer ? <Text>· {a.customer}</Text> : null}
                {a.amount ? <Text>· {a.amount}</Text> : null}
              </View>
              {box === 'mine' && a.where ? <Text className="small block approval-where">{a.where}</Text> : null}
              <Text className="muted small">{a.submitted} 提交</Text>
              {box === 'mine' && (a.canWithdraw || a.canResubmit) ? (
                <View className="actions" onClick={(e) => e.stopPropagation()}>
                  {a.canWithdraw ? (
                    <ActionButton className="btn btn-small btn-danger action-withdraw" disabled={busy === a.id} onClick={() => void withdraw(a.id)}>
                      撤回
                    </ActionButton>
                  ) : null}
                  {a.canResubmit ? (
                    <ActionButton className="btn btn-small btn-primary action-resubmit" onClick={() => go(`${ROUTES.approval(a.id)}&resubmit=1`)}>
                      重新提交
                    </ActionButton>
                  ) : null}
                </View>
              ) : null}
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
