import { Text, View } from '@tarojs/components';
import { useDidShow, useRouter } from '@tarojs/taro';
import { useRef } from 'react';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { back, call, copy, go, ROUTES } from '../../platform/ui';
import { customers, session } from '../../services';
import { ActionButton } from '../../components/action-button';

/** Customer 360: details, contacts, follow-up timeline, open deals, contracts, the next reminder; log a visit or a next step. */
export default function CustomerDetailPage() {
  const id = useRouter().params.id ?? '';
  const r = useAsync(() => (id ? customers.get360(id) : Promise.reject(new Error('缺少客户编号'))), [id]);
  const shown = useRef(false);
  useDidShow(() => {
    // back from logging a visit: show it
    if (shown.current) r.reload();
    shown.current = true;
  });
  const c = r.data;
  const canWrite = session.can('record.write');

  return (
    <View className="page customer">
      <StateView state={r.state} error={r.error} errorStatus={r.errorStatus} onRetry={r.reload} onBack={() => back()}>
        {c ? (
          <>
            <View className="card head">
              <View className="row">
                <Text className={`tier ${c.tierClass}`}>{c.tier}</Text>
                <Text className="head-title">{c.name}</Text>
              </View>
              {c.company ? <Text className="muted">{c.company}</Text> : null}
              <View className="kv">
                <Text className="k">负责人</Text>
                <Text>{c.owner}</Text>
              </View>
              <View className="kv">
                <Text className="k">来源</Text>
                <Text>{c.source}</Text>
              </View>
              {c.region ? (
                <View className="kv">
                  <Text className="k">地区</Text>
                  <Text>{c.region}</Text>
                </View>
              ) : null}
              <View className="kv">
                <Text className="k">最近联系</Text>
                <Text>{c.lastContact}</Text>
              </View>
              <View className="kv">
                <Text className="k">下次提醒</Text>
                <Text className={c.nextReminder ? 'accent next-reminder' : 'muted next-reminder'}>{c.nextReminder ?? '未安排'}</Text>
              </View>
              {c.tags.length ? (
                <View className="row wrap">
                  {c.tags.map((t) => (
                    <Text key={t} className="tag">
                      {t}
                    </Text>
                  ))}
                </View>
              ) : null}
            </View>

            {canWrite ? (
              <View className="actions">
                <ActionButton className="btn btn-primary grow action-visit" onClick={() => go(ROUTES.visit(c.id))}>
                  写拜访记录
                </ActionButton>
                <ActionButton className="btn grow action-next" onClick={() => go(ROUTES.visit(c.id, true))}>
                  加下一步
                </ActionButton>
              </View>
            ) : (
              <Text className="muted small read-only-note">只读：这个客户共享给你查看，不能写跟进。</Text>
            )}

            <Text className="section-title">联系人</Text>
            <View className="card">
              {c.contacts.length === 0 ? <Text className="muted">暂无联系人</Text> : null}
              {c.contacts.map((p) => (
                <View key={p.id} className="list-item contact">
                  <View className="row">
                    <Text className="item-title">{p.name}</Text>
                    {p.title ? <Text className="muted">{p.title}</Text> : null}
                    {p.primary ? <Text className="tag">主要</Text> : null}
                  </View>
                  {p.phone ? (
                    <View className="row">
                      <Text className="link phone" onClick={() => call(p.phone!)}>
                        {p.phoneText}（拨打）
                      </Text>
                      <Text className="link small" onClick={() => copy(p.phone!)}>
                        复制
                      </Text>
                    </View>
                  ) : null}
                  {p.email ? (
                    <Text className="link small" onClick={() => copy(p.email!)}>
                      {p.email}（复制）
                    </Text>
                  ) : null}
                </View>
              ))}
            </View>

            <Text className="section-title">跟进记录</Text>
            <View className="card timeline">
              {c.timeline.length === 0 ? <Text className="muted">还没有跟进记录</Text> : null}
              {c.timeline.map((f) => (
                <View key={f.id} className="timeline-item">
                  <View className="row small muted">
                    <Text className="tag">{f.type}</Text>
                    <Text>{f.when}</Text>
                  </View>
                  <Text className="timeline-content">{f.content}</Text>
                  {f.address ? <Text className="muted small">地点：{f.address}</Text> : null}
                  {f.nextStep ? <Text className="accent small">下一步：{f.nextStep}</Text> : null}
                </View>
              ))}
            </View>

            <Text className="section-title">进行中的商机</Text>
            <View className="card">
              {c.opportunities.length === 0 ? <Text className="muted">暂无进行中的商机</Text> : null}
              {c.opportunities.map((o) => (
                <View key={o.id} className="list-item deal">
                  <Text className="item-title">{o.name}</Text>
                  <View className="kv">
                    <Text className="k">阶段</Text>
                    <Text>{o.stage}</Text>
                  </View>
                  <View className="kv">
                    <Text className="k">金额</Text>
                    <Text className="amount">{o.amount || '未填'}</Text>
                  </View>
                </View>
              ))}
            </View>

            <Text className="section-title">合同</Text>
            <View className="card">
              {c.contracts.length === 0 ? <Text className="muted">暂无合同</Text> : null}
              {c.contracts.map((k) => (
                <View key={k.id} className="list-item contract">
                  <Text className="item-title">{k.title}</Text>
                  <View className="kv">
                    <Text className="k">金额</Text>
                    <Text className="amount">{k.amount}</Text>
                  </View>
                  <View className="kv">
                    <Text className="k">状态</Text>
                    <Text className={`status status-${k.statusClass}`}>{k.status}</Text>
                  </View>
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
