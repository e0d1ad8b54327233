import { Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { CUSTOMER_SOURCES, type CustomerSource } from '@shared/customer/crm-enums';
import { ROUTES, go, toastOk } from '../../platform/ui';
import { customers, session } from '../../services';
import { ReadOnlyView } from '../../components/read-only';
import type { DuplicateVM } from '../../services/adapters/customer.adapter';
import type { QuickCreateBody } from '../../services/api-types';
import { ActionButton } from '../../components/action-button';

/** Quick create: company, contact, mobile, source. The duplicate check's answer shows before saving. */
export default function CreateCustomerPage() {
  const [company, setCompany] = useState('');
  const [contact, setContact] = useState('');
  const [mobile, setMobile] = useState('');
  const [source, setSource] = useState<CustomerSource | null>(null);
  const [reason, setReason] = useState('');
  const [dup, setDup] = useState<DuplicateVM | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const body = (force: boolean): QuickCreateBody | null => {
    if (!contact.trim()) return (setError('请填写联系人姓名'), null);
    if (!source) return (setError('请选择来源'), null);
    return {
      name: contact.trim(),
      ...(company.trim() ? { company: company.trim() } : {}),
      source,
      contacts: [{ name: contact.trim(), phones: mobile.trim() ? [mobile.trim()] : [], primary: true }],
      ...(force ? { force: true, reason: reason.trim() } : {}),
    };
  };

  const check = async () => {
    const b = body(false);
    if (!b) return;
    setError('');
    setBusy(true);
    try {
      setDup(await customers.duplicateCheck(b));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const save = async (force: boolean) => {
    const b = body(force);
    if (!b) return;
    if (force && reason.trim().length < 2) return setError('强制创建需要填写原因');
    setError('');
    setBusy(true);
    try {
      const res = await customers.create(b);
      if ('duplicate' in res) setDup(res.duplicate);
      else {
        toastOk('已创建');
        void Taro.redirectTo({ url: ROUTES.customer(res.id) });
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!session.can('record.write'))
    return (
      <View className="page create">
        <ReadOnlyView what="新建客户" />
      </View>
    );

  return (
    <View className="page create">
      <View className="card">
        <Text className="label">公司</Text>
        <Input className="input" placeholder="如：杭州云帆科技" value={company} onInput={(e) => (setCompany(e.detail.value), setDup(null))} />
        <Text className="label">联系人</Text>
        <Input className="input" placeholder="姓名" value={contact} onInput={(e) => (setContact(e.detail.value), setDup(null))} />
        <Text className="label">手机</Text>
        <Input className="input" type="number" placeholder="11 位手机号" value={mobile} onInput={(e) => (setMobile(e.detail.value), setDup(null))} />
        <Text className="label">来源</Text>
        <View className="row wrap">
          {CUSTOMER_SOURCES.map((s) => (
            <Text key={s} className={`chip ${source === s ? 'chip-on' : ''}`} onClick={() => setSource(s)}>
              {s}
            </Text>
          ))}
        </View>
      </View>

      {dup ? (
        dup.duplicate ? (
          <View className="notice notice-warn">
            <Text className="card-title">可能重复</Text>
            {dup.lines.map((l) => (
              <Text key={l} className="small block">
                {l}
              </Text>
            ))}
            {dup.openId ? (
              <Text className="link" onClick={() => go(ROUTES.customer(dup.openId!))}>
                打开已有客户
              </Text>
            ) : null}
            <Input className="input" placeholder="仍要新建？请填写原因" value={reason} onInput={(e) => setReason(e.detail.value)} />
            <ActionButton className="btn" disabled={busy} onClick={() => void save(true)}>
              仍然新建
            </ActionButton>
          </View>
        ) : (
          <View className="notice notice-ok">
            <Text>查重通过：没有发现相同的客户</Text>
          </View>
        )
      ) : null}

      {error ? (
        <View className="notice notice-bad">
          <Text>{error}</Text>
        </View>
      ) : null}
      <View className="actions">
        <ActionButton className="btn grow" disabled={busy} onClick={() => void check()}>
          查重
        </ActionButton>
        <ActionButton className="btn btn-primary grow" disabled={busy || Boolean(dup?.duplicate)} onClick={() => void save(false)}>
          保存
        </ActionButton>
      </View>
    </View>
  );
}
