import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { SNOOZE_PRESET_LABELS, type SnoozePreset } from '../../../../shared/src/reminder/reminder.dto';
import { StateView } from '../../components/state-view';
import { Tabs } from '../../components/tabs';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES, toastOk } from '../../platform/ui';
import { reminders } from '../../services';
import { ActionButton } from '../../components/action-button';

type Box = 'today' | 'overdue';
const SNOOZES: SnoozePreset[] = ['1h', 'tomorrow-morning', 'next-monday'];

/** My reminders: today / overdue; complete, snooze. */
export default function RemindersPage() {
  const [box, setBox] = useState<Box>('today');
  const r = useAsync(() => reminders.list(box), [box]);
  const [open, setOpen] = useState<string | null>(null);

  const act = async (id: string, action: () => Promise<unknown>, ok: string) => {
    try {
      await action();
      toastOk(ok);
      setOpen(null);
      r.setData((list) => (list ?? []).filter((x) => x.id !== id));
    } catch {
      // the request wrapper already showed why
    }
  };

  return (
    <View className="page reminders">
      <Tabs<Box>
        value={box}
        items={[
          { key: 'today', label: '今天' },
          { key: 'overdue', label: '已逾期' },
        ]}
        onChange={setBox}
      />
      <StateView
        state={r.state}
        error={r.error}
        onRetry={r.reload}
        empty={(r.data ?? []).length === 0}
        emptyText={box === 'today' ? '今天没有待办提醒' : '没有逾期的提醒'}
      >
        <View className="list">
          {(r.data ?? []).map((m) => (
            <View key={m.id} className="card reminder">
              <View className="row between">
                <Text className="tag">{m.kind}</Text>
                <Text className={m.overdue ? 'bad small' : 'muted small'}>{m.due}</Text>
              </View>
              <Text className="item-title">{m.title}</Text>
              {m.text ? <Text className="small">{m.text}</Text> : null}
              {m.customerId ? (
                <Text className="link small" onClick={() => go(ROUTES.customer(m.customerId!))}>
                  {m.customerName} {m.lastContact ? `· ${m.lastContact}` : ''}
                </Text>
              ) : null}
              <View className="actions">
                <ActionButton className="btn btn-small btn-primary" onClick={() => void act(m.id, () => reminders.complete(m.id), '已完成')}>
                  完成
                </ActionButton>
                <ActionButton className="btn btn-small" onClick={() => setOpen(open === m.id ? null : m.id)}>
                  稍后提醒
                </ActionButton>
              </View>
              {open === m.id ? (
                <View className="row wrap">
                  {SNOOZES.map((p) => (
                    <Text key={p} className="chip" onClick={() => void act(m.id, () => reminders.snooze(m.id, p), `已延后到${SNOOZE_PRESET_LABELS[p]}`)}>
                      {SNOOZE_PRESET_LABELS[p]}
                    </Text>
                  ))}
                </View>
              ) : null}
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
