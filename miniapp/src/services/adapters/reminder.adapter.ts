import { REMINDER_KIND_LABELS } from '../../../../shared/src/reminder/reminder.dto';
import { formatAgo, formatDateTime } from '../../lib/time';
import type { ReminderDto } from '../api-types';

export interface ReminderVM {
  id: string;
  kind: string;
  title: string;
  text: string;
  due: string;
  overdue: boolean;
  done: boolean;
  customerId: string | null;
  customerName: string;
  lastContact: string;
}

export function toReminder(r: ReminderDto, now: Date): ReminderVM {
  const done = r.status === 'done' || r.status === 'cancelled';
  return {
    id: r.id,
    kind: REMINDER_KIND_LABELS[r.kind] ?? r.kind,
    title: r.title,
    text: r.text,
    due: formatDateTime(r.dueAt, now),
    overdue: !done && new Date(r.dueAt).getTime() < now.getTime(),
    done,
    customerId: r.customerId,
    customerName: r.customerName ?? '',
    lastContact: r.lastContactAt ? `上次联系 ${formatAgo(r.lastContactAt, now)}` : '',
  };
}
