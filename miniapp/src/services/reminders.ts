import type { ReminderBox, ReminderDto, SnoozePreset } from './api-types';
import { toReminder, type ReminderVM } from './adapters/reminder.adapter';
import type { Request } from './request';

/** My reminders (the reminders API: shared/src/reminder/reminder.dto.ts). */
export interface ReminderService {
  list(box: ReminderBox): Promise<ReminderVM[]>;
  complete(id: string): Promise<ReminderVM>;
  snooze(id: string, preset: SnoozePreset): Promise<ReminderVM>;
}

export function createReminderService(request: Request, now: () => Date = () => new Date()): ReminderService {
  return {
    async list(box) {
      const res = await request<{ items: ReminderDto[] }>('GET', '/api/v1/reminders', { query: { box } });
      return res.items.map((r) => toReminder(r, now()));
    },
    async complete(id) {
      return toReminder(await request<ReminderDto>('POST', `/api/v1/reminders/${encodeURIComponent(id)}/complete`, { body: {} }), now());
    },
    async snooze(id, preset) {
      return toReminder(await request<ReminderDto>('POST', `/api/v1/reminders/${encodeURIComponent(id)}/snooze`, { body: { preset } }), now());
    },
  };
}
