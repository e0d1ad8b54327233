import type { CompleteRemindersResult, ReminderCounts } from '@shared/reminder/reminder.dto';
import type { ReminderBox, ReminderDto, SnoozePreset } from './api-types';
import { groupReminders, toReminder, type ReminderGroupVM, type ReminderVM } from './adapters/reminder.adapter';
import type { Request } from './request';

/** One box of reminders as the page shows it: grouped by kind, with every box's count for the tabs. */
export interface ReminderBoard {
  items: ReminderVM[];
  groups: ReminderGroupVM[];
  counts: ReminderCounts;
}

/** My reminders (the reminders API: shared/src/reminder/reminder.dto.ts). */
export interface ReminderService {
  list(box: ReminderBox): Promise<ReminderVM[]>;
  board(box: ReminderBox): Promise<ReminderBoard>;
  complete(id: string): Promise<ReminderVM>;
  /** Several at once (multi-select 完成): each is completed once; others' or closed ones are skipped. */
  completeMany(ids: string[]): Promise<CompleteRemindersResult>;
  snooze(id: string, preset: SnoozePreset): Promise<ReminderVM>;
  /** 提醒他: a manager's team reminder nudges the rep it is about. */
  nudge(id: string): Promise<ReminderVM>;
}

const NO_COUNTS: ReminderCounts = { today: 0, overdue: 0, upcoming: 0, team: 0 };

export function createReminderService(request: Request, now: () => Date = () => new Date()): ReminderService {
  const board = async (box: ReminderBox): Promise<ReminderBoard> => {
    const res = await request<{ items: ReminderDto[]; counts?: ReminderCounts }>('GET', '/api/v1/reminders', { query: { box } });
    const items = res.items.map((r) => toReminder(r, now()));
    return { items, groups: groupReminders(items), counts: res.counts ?? NO_COUNTS };
  };
  return {
    async list(box) {
      return (await board(box)).items;
    },
    board,
    async complete(id) {
      return toReminder(await request<ReminderDto>('POST', `/api/v1/reminders/${encodeURIComponent(id)}/complete`, { body: {} }), now());
    },
    async completeMany(ids) {
      return request<CompleteRemindersResult>('POST', '/api/v1/reminders/complete', { body: { ids } });
    },
    async snooze(id, preset) {
      return toReminder(await request<ReminderDto>('POST', `/api/v1/reminders/${encodeURIComponent(id)}/snooze`, { body: { preset } }), now());
    },
    async nudge(id) {
      return toReminder(await request<ReminderDto>('POST', `/api/v1/reminders/${encodeURIComponent(id)}/nudge`, { body: {} }), now());
    },
  };
}
