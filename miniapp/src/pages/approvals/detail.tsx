import { Text, Textarea, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { toastOk } from '../../platform/ui';
import { approvals, session } from '../../services';
import type { ApprovalDecision } from '../../services/api-types';
import { ActionButton } from '../../components/action-button';

/** One approval: the full route (steps, approvers), the history; approve, or reject with a reason. */
export default function ApprovalDetailPage() {
  const id = useRouter().params.id ?? '';
  const r = useAsync(() => approvals.get(id), [id]);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const a = r.data;
  const me = session.user()?.name;
  const mine = Boolean(a?.pending && a.steps.find((s) => s.current)?.approvers.some((p) => p.name === me && p.decision === '待处理'));

  const decide = async (decision: ApprovalDecision) => {
    setError('');
    setBusy(true);
    try {
      const updated = await approvals.decide(id, decision, comment);
      r.setData(() => updated);
      toastOk(decision === 'approve' ? '已同意' : '已驳回');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page approval">
      <StateView state={r.state} error={r.error} onRetry={r.reload}>
        {a ? (
          <>
            <View className="card">
              <View className="row between">
                <Text className="tag">{a.kind}</Text>
                <Text className={`status status-${a.statusClass} approval-status`}>{a.status}</Text>
              </View>
              <Text className="head-title">{a.title}</Text>
              <View className="kv">
                <Text className="k">申请人</Text>
                <Text>{a.requester}</Text>
              </View>
              {a.customer ? (
                <View className="kv">
                  <Text className="k">客户</Text>
                  <Text>{a.customer}</Text>
                </View>
              ) : null}
              {a.amount ? (
                <View className="kv">
                  <Text className="k">金额</Text>
                  <Text>{a.amount}</Text>
                </View>
              ) : null}
              {a.discount ? (
                <View className="kv">
                  <Text className="k">折扣</Text>
                  <Text>{a.discount}</Text>
                </View>
              ) : null}
              <View className="kv">
                <Text className="k">提交时间</Text>
                <Text>{a.submitted}</Text>
              </View>
            </View>

            <Text className="section-title">审批流程</Text>
            <View className="card">
              {a.steps.map((s) => (
                <View key={s.index} className={`step ${s.current ? 'step-current' : ''}`}>
                  <View className="row between">
                    <Text className="item-title">
                      {s.index + 1}. {s.name}
                    </Text>
                    <Text className={`status status-${s.stateClass}`}>{s.state}</Text>
                  </View>
                  <Text className="muted small">{s.mode}</Text>
                  {s.approvers.map((p) => (
                    <Text key={p.name} className="small block">
                      {p.name}：{p.decision}
                      {p.at ? ` · ${p.at}` : ''}
                      {p.comment ? ` · “${p.comment}”` : ''}
                    </Text>
                  ))}
                </View>
              ))}
            </View>

            <Text className="section-title">历史</Text>
            <View className="card">
              {a.history.map((h, i) => (
                <View key={i} className="timeline-item">
                  <Text className="muted small">{h.at}</Text>
                  <Text className="small">{h.text}</Text>
                  {h.comment ? <Text className="small muted">“{h.comment}”</Text> : null}
                </View>
              ))}
            </View>

            {a.pending && mine ? (
              <View className="card">
                <Textarea
                  className="textarea decision-comment"
                  placeholder="审批意见（驳回时必填）"
                  value={comment}
                  onInput={(e) => setComment(e.detail.value)}
                />
                {error ? <Text className="bad small">{error}</Text> : null}
                <View className="actions">
                  <ActionButton className="btn grow btn-danger action-reject" disabled={busy} onClick={() => void decide('reject')}>
                    驳回
                  </ActionButton>
                  <ActionButton className="btn btn-primary grow action-approve" disabled={busy} onClick={() => void decide('approve')}>
                    同意
                  </ActionButton>
                </View>
              </View>
            ) : null}
          </>
        ) : null}
      </StateView>
    </View>
  );
}
