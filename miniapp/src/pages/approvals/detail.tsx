import { Text, Textarea, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { ActionButton } from '../../components/action-button';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES, toastOk } from '../../platform/ui';
import { approvals } from '../../services';
import type { ApprovalDecision } from '../../services/api-types';

/**
 * One approval: what was asked and why (申请说明, a resubmission's changes), the route with the reason of
 * each step, the history; approve or reject with a reason; the requester withdraws a pending request or
 * resubmits one that ended (`resubmit=1`, from the chat's 修改后重新提交, opens with the form in view).
 */
export default function ApprovalDetailPage() {
  const params = useRouter().params;
  const id = params.id ?? '';
  const r = useAsync(() => approvals.get(id), [id]);
  const [comment, setComment] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const a = r.data;

  const run = async (job: () => Promise<void>) => {
    setError('');
    setBusy(true);
    try {
      await job();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const decide = (decision: ApprovalDecision) =>
    run(async () => {
      const updated = await approvals.decide(id, decision, comment);
      r.setData(() => updated);
      toastOk(decision === 'approve' ? '已同意' : '已驳回');
    });
  const withdraw = () =>
    run(async () => {
      const updated = await approvals.withdraw(id);
      r.setData(() => updated);
      toastOk('已撤回');
    });
  const resubmit = () =>
    run(async () => {
      const next = await approvals.resubmit(a!, note);
      toastOk('已重新提交');
      go(ROUTES.approval(next.id));
    });

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
              <View className="kv approval-note">
                <Text className="k">申请说明</Text>
                <Text className={a.note ? '' : 'muted'}>{a.note || '未填写'}</Text>
              </View>
              <View className="kv">
                <Text className="k">提交时间</Text>
                <Text>{a.submitted}</Text>
              </View>
              {a.where && a.pending ? <Text className="small block approval-where">{a.where}</Text> : null}
            </View>

            {a.rejection ? (
              <View className="card approval-rejection">
                <Text className="status status-bad block">
                  {a.rejection.by} 驳回：{a.rejection.reason}
                </Text>
              </View>
            ) : null}

            {a.resubmission ? (
              <View className="card approval-resubmission">
                <Text className="item-title block">重新提交</Text>
                <Text className="small block">{a.resubmission.before}</Text>
                <Text className="small block">改动：{a.resubmission.changes}</Text>
              </View>
            ) : null}

            <Text className="section-title">审批流程</Text>
            <View className="card">
              {a.steps.map((s) => (
                <View key={s.index} className={`step ${s.current ? 'step-current' : ''}`}>
                  <View className="row between">
                    <Text className="item-title">
                      {s.index + 1}. {s.name}
                      {s.current ? '（当前步骤）' : ''}
                    </Text>
                    <Text className={`status status-${s.stateClass}`}>{s.state}</Text>
                  </View>
                  {s.reason ? <Text className="small block step-reason">原因：{s.reason}</Text> : null}
                  <Text className="muted small">{s.mode}</Text>
                  {s.approvers.map((p) => (
                    <Text key={p.name} className="small block">
                      {p.name}：{p.decision}
                      {p.at ? ` · ${p.at}` : ''}
                      {p.comment ? ` · “${p.comment}”` : ''}
                      {p.standIn ? `（${p.standIn}）` : ''}
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

            {a.canDecide ? (
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

            {a.canWithdraw ? (
              <View className="card">
                {error ? <Text className="bad small">{error}</Text> : null}
                <View className="actions">
                  <ActionButton className="btn grow btn-danger action-withdraw" disabled={busy} onClick={() => void withdraw()}>
                    撤回申请
                  </ActionButton>
                </View>
              </View>
            ) : null}

            {a.canResubmit ? (
              <View className={`card resubmit-form ${params.resubmit ? 'step-current' : ''}`}>
                <Text className="item-title block">修改后重新提交</Text>
                <Text className="muted small block">
                  {a.subject.type === 'contract' ? '合同内容可在电脑端修改；' : ''}重新提交会按当前内容和审批规则生成新的审批。
                </Text>
                <Textarea
                  className="textarea resubmit-note"
                  placeholder="申请说明（例如：已按底价调整）"
                  value={note}
                  onInput={(e) => setNote(e.detail.value)}
                />
                {error ? <Text className="bad small">{error}</Text> : null}
                <View className="actions">
                  <ActionButton className="btn btn-primary grow action-resubmit" disabled={busy} onClick={() => void resubmit()}>
                    重新提交
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
