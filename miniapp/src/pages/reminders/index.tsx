import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { SNOOZE_PRESET_LABELS, type ReminderBox, type SnoozePreset } from '@shared/reminder/reminder.dto';
import { ActionButton } from '../../components/action-button';
import { StateView } from '../../components/state-view';
import { Tabs } from '../../components/tabs';
import { useAsync } from '../../hooks/use-async';
import { go, ROUTES, toastOk } from '../../platform/ui';
import { reminders } from '../../services';
import { groupReminders, type ReminderVM } from '../../services/adapters/reminder.adapter';
import type { ReminderBoard } from '../../services/reminders';

type Box = Extract<ReminderBox, 'today' | 'overdue' | 'upcoming'>;
const SNOOZES: SnoozePreset[] = ['1h', 'tomorrow-morning', 'next-monday'];
const BOX_LABELS: Record<Box, string> = { today: '今天', overdue: '已逾期', upcoming: '之后' };
const EMPTY: Record<Box, string> = { today: '今天没有待办提醒', overdue: '没有逾期的提醒', upcoming: '之后没有安排的提醒' };

/** The board without some reminders (done, snoozed, nudged): the groups and this box's count follow. */
function without(board: ReminderBoard | null, box: Box, ids: string[]): ReminderBoard | null {
  if (!board) return board;
  const gone = new Set(ids);
  const items = board.items.filter((x) => !gone.has(x.id));
  const removed = board.items.length - items.length;
  return { items, groups: groupReminders(items), counts: { ...board.counts, [box]: Math.max(0, board.counts[box] - removed) } };
}

/**
 * My reminders: today / overdue (the most recently overdue first) / upcoming, with counts; grouped by kind
 * (下一步 / 商机停滞 / 客户冷却); per item 完成 (a team reminder: 提醒他), 写跟进, 稍后提醒; 多选 completes several.
 */
export default function RemindersPage() {
  const [box, setBox] = useState<Box>('today');
  const r = useAsync(() => reminders.board(box), [box]);
  const [open, setOpen] = useState<string | null>(null);
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const counts = r.data?.counts;

  const switchBox = (b: Box) => {
    setBox(b);
    setSelecting(false);
    setSelected([]);
  };

  const act = async (id: string, action: () => Promise<unknown>, ok: string) => {
    try {
      await action();
      toastOk(ok);
      setOpen(null);
      r.setData((prev) => without(prev, box, [id]));
    } catch {
      // the request wrapper already showed why
    }
  };

  const completeSelected = async () => {
    if (!selected.length) return;
    try {
      const res = await reminders.completeMany(selected);
      toastOk(res.skipped.length ? `已完成 ${res.completed.length} 条（${res.skipped.length} 条已处理过）` : `已完成 ${res.completed.length} 条`);
      r.setData((prev) => without(prev, box, [...res.completed, ...res.skipped.map((s) => s.id)]));
      setSelected([]);
      setSelecting(false);
    } catch {
      // the request wrapper already showed why
    }
  };

  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const selectable = (r.data?.items ?? []).filter((m) => !m.aboutName);
  const allOn = selectable.length > 0 && selectable.every((m) => selected.includes(m.id));

  const item = (m: ReminderVM) => (
    <View key={m.id} className={`card reminder ${selected.includes(m.id) ? 'reminder-selected' : ''}`} data-id={m.id}>
      <View className="row between">
        <View className="row">
          {selecting && !m.aboutName ? (
            <Text className={`check ${selected.includes(m.id) ? 'check-on' : ''}`} onClick={() => toggle(m.id)}>
              {selected.includes(m.id) ? '✓' : ''}
            </Text>
          ) : null}
          <Text className="tag">{m.kind}</Text>
        </View>
        <Text className={m.overdue ? 'bad small due' : 'muted small due'}>{m.due}</Text>
      </View>
      <Text className="item-title">{m.title}</Text>
      {m.text ? <Text className="small">{m.text}</Text> : null}
      {m.aboutName ? <Text className="small about">负责人 {m.aboutName}</Text> : null}
      {m.customerId ? (
        <Text className="link small" onClick={() => go(ROUTES.customer(m.customerId!))}>
          {m.customerName} {m.lastContact ? `· ${m.lastContact}` : ''}
        </Text>
      ) : null}
      {selecting ? null : (
        <View className="actions">
          {m.aboutName ? (
            <ActionButton
              className="btn btn-small btn-primary action-nudge"
              onClick={() => void act(m.id, () => reminders.nudge(m.id), `已提醒 ${m.aboutName}`)}
            >
              提醒他
            </ActionButton>
          ) : (
            <ActionButton className="btn btn-small btn-primary action-done" onClick={() => void act(m.id, () => reminders.complete(m.id), '已完成')}>
              完成
            </ActionButton>
          )}
          {m.canLog ? (
            <ActionButton className="btn btn-small action-log" onClick={() => go(ROUTES.visit(m.customerId!))}>
              写跟进
            </ActionButton>
          ) : null}
          <ActionButton className="btn btn-small" onClick={() => setOpen(open === m.id ? null : m.id)}>
            稍后提醒
          </ActionButton>
        </View>
      )}
      {open === m.id && !selecting ? (
        <View className="row wrap">
          {SNOOZES.map((p) => (
            <Text key={p} className="chip" onClick={() => void act(m.id, () => reminders.snooze(m.id, p), `已延后到${SNOOZE_PRESET_LABELS[p]}`)}>
              {SNOOZE_PRESET_LABELS[p]}
            </Text>
          ))}
        </View>
      ) : null}
    </View>
  );

  return (
    <View className="page reminders">
      <Tabs<Box>
        value={box}
        items={(['today', 'overdue', 'upcoming'] as const).map((key) => ({
          key,
          label: counts ? `${BOX_LABELS[key]} ${counts[key] > 99 ? '99+' : counts[key]}` : BOX_LABELS[key],
        }))}
        onChange={switchBox}
      />
      <StateView state={r.state} error={r.error} onRetry={r.reload} empty={(r.data?.items ?? []).length === 0} emptyText={EMPTY[box]}>
        {selectable.length > 1 ? (
          <View className="row between bulk-bar">
            <Text className="muted small">{selecting ? `已选 ${selected.length} 条` : `共 ${counts?.[box] ?? r.data?.items.length ?? 0} 条`}</Text>
            <View className="row">
              {selecting ? (
                <Text className="link small select-all" onClick={() => setSelected(allOn ? [] : selectable.map((m) => m.id))}>
                  {allOn ? '全不选' : '全选'}
                </Text>
              ) : null}
              <Text
                className="link small select-toggle"
                onClick={() => {
                  setSelecting(!selecting);
                  setSelected([]);
                }}
              >
                {selecting ? '取消' : '多选'}
              </Text>
            </View>
          </View>
        ) : null}
        <View className="list">
          {(r.data?.groups ?? []).map((g) => (
            <View key={g.key} className="reminder-group" data-group={g.key}>
              <Text className="section-title group-title">
                {g.label} · {g.items.length}
              </Text>
              {g.items.map(item)}
            </View>
          ))}
        </View>
        {selecting ? (
          <View className="bulk-actions">
            <ActionButton className="btn btn-primary bulk-complete" disabled={selected.length === 0} onClick={() => void completeSelected()}>
              完成所选（{selected.length}）
            </ActionButton>
          </View>
        ) : null}
      </StateView>
    </View>
  );
}
