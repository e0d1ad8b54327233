import { z } from 'zod';
import { REMINDER_BOXES, SNOOZE_PRESETS } from './reminder.dto';

export const listRemindersQuery = z.strictObject({
  box: z.enum(REMINDER_BOXES).default('today'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type ListRemindersQuery = z.infer<typeof listRemindersQuery>;

/** Either a preset (1h, tomorrow-morning, next-monday) or an explicit time. */
export const snoozeReminderBody = z.union([z.strictObject({ preset: z.enum(SNOOZE_PRESETS) }), z.strictObject({ until: z.coerce.date() })]);
export type SnoozeReminderInput = z.infer<typeof snoozeReminderBody>;
