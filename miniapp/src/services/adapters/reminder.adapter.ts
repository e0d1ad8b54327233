import { REMINDER_GROUP_LABELS, REMINDER_KIND_LABELS, REMINDER_KINDS, type ReminderKind } from '@shared/reminder/reminder.dto';
import { formatDue } from '@shared/time/relative';
import { BUSINESS_TZ, formatAgo } from '../../lib/time';
import type { ReminderDto } from '../api-types';

export interface ReminderVM {
  id: string;
  kind: string;
  kindKey: ReminderKind;
  title: string;
  text: string;
  /** "今天 16:00", "逾期 2天", "5分钟前" (the same words as the bot's cards). */
  due: string;
  overdue: boolean;
  done: boolean;
  customerId: string | null;
  customerName: string;
  lastContact: string;
  /** A team reminder: the rep's name (the manager answers with 提醒他, not 完成). */
  aboutName: string | null;
  /** 写跟进 opens the visit form on the customer (one's own reminders about a customer). */
  canLog: boolean;
}

export interface ReminderGroupVM {
  key: ReminderKind;
  /** 下一步 / 商机停滞 / 客户冷却 */
  label: string;
  items: ReminderVM[];
}

export function toReminder(r: ReminderDto, now: Date): ReminderVM {
  const done = r.status === 'done' || r.status === 'cancelled';
  const aboutName = r.aboutUser?.name ?? null;
  return {
    id: r.id,
    kind: REMINDER_KIND_LABELS[r.kind] ?? r.kind,
    kindKey: r.kind,
    title: r.title,
    text: r.text,
    due: formatDue(r.dueAt, now, BUSINESS_TZ),
    overdue: !done && new Date(r.dueAt).getTime() < now.getTime(),
    done,
    customerId: r.customerId,
    customerName: r.customerName ?? '',
    lastContact: r.lastContactAt ? `上次联系 ${formatAgo(r.lastContactAt, now)}` : '',
    aboutName,
    canLog: !!r.customerId && !aboutName,
  };
}

/** Groups in a fixed order (下一步, 商机停滞, 客户冷却), each keeping the API's order; empty groups left out. */
export function groupReminders(items: ReminderVM[]): ReminderGroupVM[] {
  return REMINDER_KINDS.map((key) => ({ key, label: REMINDER_GROUP_LABELS[key], items: items.filter((r) => r.kindKey === key) })).filter(
    (g) => g.items.length > 0,
  );
}
