import { z } from 'zod';
import { dateTime, objectId } from '../common/schemas';
import { REMINDER_BOXES, SNOOZE_PRESETS } from './reminder.dto';

export const listRemindersQuery = z.strictObject({
  box: z.enum(REMINDER_BOXES).default('today'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type ListRemindersQuery = z.infer<typeof listRemindersQuery>;

/** Either a preset (1h, tomorrow-morning, next-monday) or an explicit time. */
export const snoozeReminderBody = z
  .strictObject({ preset: z.enum(SNOOZE_PRESETS).optional(), until: dateTime.optional() })
  // one object rather than a union, so that a bad `until` is reported at body.until
  .refine((v) => (v.preset === undefined) !== (v.until === undefined), { message: '请给出 preset 或 until 其中之一' });
export type SnoozeReminderInput = z.infer<typeof snoozeReminderBody>;

/** `POST /reminders/complete`: several of the caller's own reminders at once (multi-select 完成, 全部完成). */
export const completeRemindersBody = z.strictObject({
  ids: z.array(objectId).min(1).max(200),
});
export type CompleteRemindersInput = z.infer<typeof completeRemindersBody>;
