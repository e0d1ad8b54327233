import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/state-view';
import { useAsync } from '../../hooks/use-async';
import { useVisitForm } from '../../hooks/use-visit-form';
import { formatDateTime, NEXT_STEP_CHOICES, pickerValues } from '../../lib/time';
import { back, locate, ROUTES, toastOk, toastText } from '../../platform/ui';
import { customers, session, visits } from '../../services';
import { ReadOnlyView } from '../../components/read-only';
import type { FollowUpType } from '../../services/api-types';
import { ActionButton } from '../../components/action-button';

const TYPES: Array<{ key: FollowUpType; label: string }> = [
  { key: 'visit', label: '拜访' },
  { key: 'call', label: '电话' },
  { key: 'wechat', label: '微信' },
  { key: 'meeting', label: '会议' },
  { key: 'email', label: '邮件' },
];

/** 拜访记录: type, contact, content, location check-in, next step (明天上午 / 明天下午 / 下周一 / 自定义). Drafts survive; offline visits are sent later, once. */
export default function VisitPage() {
  const params = useRouter().params;
  const customerId = params.customerId ?? '';
  const customer = useAsync(() => (customerId ? customers.get360(customerId) : Promise.reject(new Error('缺少客户编号'))), [customerId]);
  const v = useVisitForm(customerId, visits);
  const [locating, setLocating] = useState(false);
  const [locationNote, setLocationNote] = useState('');
  const f = v.form;
  const today = pickerValues(new Date()).date;

  const checkIn = async () => {
    setLocating(true);
    setLocationNote('');
    const res = await locate();
    setLocating(false);
    if (res.ok) {
      v.update({ location: { lat: res.lat, lng: res.lng } });
      setLocationNote(`已定位（${res.lat.toFixed(4)}, ${res.lng.toFixed(4)}），可补充地址`);
    } else setLocationNote(res.message);
  };

  const submit = async () => {
    const res = await v.submit();
    if (!res) return;
    if (res.status === 'sent') toastOk('已保存');
    else toastText('网络不可用：已存到本机，联网后自动提交');
    setTimeout(() => back(ROUTES.customer(customerId)), 600);
  };

  if (!session.can('record.write'))
    return (
      <View className="page visit">
        <ReadOnlyView what="写拜访记录或安排下一步" />
      </View>
    );

  return (
    <View className="page visit">
      <StateView state={customer.state} error={customer.error} onRetry={customer.reload}>
        <View className="card">
          <Text className="card-title">{customer.data?.name ?? ''}</Text>
          {v.restored ? <Text className="notice notice-warn small">已恢复上次未提交的草稿</Text> : null}

          <Text className="label">方式</Text>
          <View className="row wrap">
            {TYPES.map((t) => (
              <Text key={t.key} className={`chip ${f.type === t.key ? 'chip-on' : ''}`} onClick={() => v.update({ type: t.key })}>
                {t.label}
              </Text>
            ))}
          </View>

          {customer.data && customer.data.contacts.length ? (
            <>
              <Text className="label">联系人</Text>
              <View className="row wrap">
                {customer.data.contacts.map((c) => (
                  <Text
                    key={c.id}
                    className={`chip ${f.contactId === c.id ? 'chip-on' : ''}`}
                    onClick={() => v.update({ contactId: f.contactId === c.id ? null : c.id })}
                  >
                    {c.name}
                  </Text>
                ))}
              </View>
            </>
          ) : null}

          <Text className="label">内容</Text>
          <Textarea
            className="textarea visit-content"
            placeholder="聊了什么？客户的需求、顾虑、下一步…"
            maxlength={2000}
            value={f.content}
            onInput={(e) => v.update({ content: e.detail.value })}
          />

          <Text className="label">签到</Text>
          <View className="row">
            <ActionButton className="btn btn-small" loading={locating} onClick={() => void checkIn()}>
              {f.location ? '重新定位' : '定位签到'}
            </ActionButton>
            <Input className="input grow" placeholder="地址（可手动填写）" value={f.address} onInput={(e) => v.update({ address: e.detail.value })} />
          </View>
          {locationNote ? <Text className="muted small location-note">{locationNote}</Text> : null}
        </View>

        <View className="card">
          <Text className="card-title">下一步</Text>
          <View className="row wrap">
            {NEXT_STEP_CHOICES.map((c) => (
              <Text
                key={c.key}
                className={`chip next-choice ${f.choice === c.key ? 'chip-on' : ''}`}
                onClick={() => v.update({ choice: f.choice === c.key ? null : c.key, customDate: f.customDate || today })}
              >
                {c.label}
              </Text>
            ))}
          </View>
          {f.choice === 'custom' ? (
            <View className="row">
              <Picker mode="date" value={f.customDate || today} start={today} onChange={(e) => v.update({ customDate: String(e.detail.value) })}>
                <Text className="input picker">{f.customDate || '选择日期'}</Text>
              </Picker>
              <Picker mode="time" value={f.customTime} onChange={(e) => v.update({ customTime: String(e.detail.value) })}>
                <Text className="input picker">{f.customTime || '选择时间'}</Text>
              </Picker>
            </View>
          ) : null}
          {f.choice ? (
            <>
              <Input
                className="input next-text"
                placeholder="要做什么？如：发送报价单"
                value={f.nextStepText}
                onInput={(e) => v.update({ nextStepText: e.detail.value })}
              />
              {v.dueAt ? <Text className="accent small due-at">提醒时间：{formatDateTime(v.dueAt, new Date())}</Text> : null}
            </>
          ) : (
            <Text className="muted small">选一个时间，到时会提醒你</Text>
          )}
        </View>

        {v.error ? (
          <View className="notice notice-bad">
            <Text>{v.error}</Text>
          </View>
        ) : null}
        <ActionButton className="btn btn-primary submit-visit" loading={v.submitting} disabled={v.submitting} onClick={() => void submit()}>
          保存
        </ActionButton>
      </StateView>
    </View>
  );
}
