import { formatRelativeDateTime } from '@crm/shared';
import type { BotContext } from '../core/bot-app';
import type { Card } from '../core/bot-event';
import { remindersPath } from './links';
import { reminderWhat } from '../reminders/reminder-cards';

/** Task ids of the 今天 card (a tap on it redraws it). */
export const TODAY_TASK_PREFIX = 'remt';
export const isTodayTask = (taskId: string | null | undefined) => !!taskId && taskId.startsWith(`${TODAY_TASK_PREFIX}_`);
/** Rows with buttons: WeCom shows 6 buttons, two per reminder (完成 / 延后). */
const WITH_BUTTONS = 3;
const ROWS = 6;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** 今天 / 我的提醒: today's and overdue reminders, one card, a count, 完成 / 延后 per item; null when there are none. */
export async function todayCard(ctx: BotContext, c: { tz: string; now: Date; appUrl: (p: string) => string }, taskId: string): Promise<Card | null> {
  const [overdue, today] = await Promise.all([ctx.services.reminders.list(ctx.actor, 'overdue', 20), ctx.services.reminders.list(ctx.actor, 'today', 20)]);
  const seen = new Set<string>();
  const items = [...overdue, ...today].filter((r) => !seen.has(String(r._id)) && seen.add(String(r._id)) && !r.aboutUser);
  if (!items.length) return null;
  const late = items.filter((r) => r.dueAt.getTime() < c.now.getTime()).length;
  return {
    taskId,
    title: `今天 ${items.length} 条待跟进${late ? `（${late} 条已逾期）` : ''}`,
    description: items.length > ROWS ? `另有 ${items.length - ROWS} 条，打开列表查看` : '完成或延后，点下面的按钮',
    fields: items.slice(0, ROWS).map((r) => ({
      label: cut(r.customerShort ?? '提醒', 8),
      value: `${reminderWhat(r)} · ${formatRelativeDateTime(r.dueAt, c.now, c.tz)}`,
    })),
    url: c.appUrl(remindersPath()),
    buttons: items.slice(0, WITH_BUTTONS).flatMap((r) => [
      { key: `rem.done:${String(r._id)}`, text: cut(`完成 ${r.customerShort ?? ''}`.trim(), 10), style: 'primary' as const },
      { key: `rem.snooze:${String(r._id)}:1h`, text: cut(`延后 ${r.customerShort ?? ''}`.trim(), 10) },
    ]),
  };
}
