import { z } from 'zod';
import { idString, isoTime } from '../common/dto.schemas';
import { REMINDER_BOXES, REMINDER_KINDS, REMINDER_STATUSES, type ReminderDto } from './reminder.dto';

/** ReminderDto as a schema (documented in the OpenAPI document and checked against live answers). */
export const reminderDtoSchema = z.strictObject({
  id: idString,
  kind: z.enum(REMINDER_KINDS).describe('类型：next-step 跟进的下一步，stalled-opportunity 商机在某阶段停留超时，cold-customer 客户久未跟进'),
  status: z.enum(REMINDER_STATUSES).describe('状态：scheduled 待发送，sending 发送中，sent 已送达，done 已完成，failed 发送失败（见日志），cancelled 已取消'),
  dueAt: isoTime.describe('到期（提醒）时间，ISO 8601'),
  title: z.string().describe('一行标题，例如“回访报价：杭州云帆”'),
  text: z.string().describe('要做的事或提醒的原因'),
  userId: idString.describe('接收提醒的人'),
  customerId: idString.nullable(),
  customerName: z.string().nullable(),
  opportunityId: idString.nullable(),
  followUpId: idString.nullable().describe('产生这条提醒的跟进记录（next-step）'),
  aboutUser: z.strictObject({ id: idString, name: z.string() }).nullable().describe('团队提醒（box=team）：提醒涉及的负责人'),
  lastContactAt: isoTime.nullable().describe('客户最近一次跟进的时间'),
  doneAt: isoTime.nullable(),
}) satisfies z.ZodType<ReminderDto>;

/** GET /reminders: one box, and the open count of every box (the tabs' numbers). */
export const reminderListDtoSchema = z.strictObject({
  items: z.array(reminderDtoSchema),
  counts: z
    .strictObject(Object.fromEntries(REMINDER_BOXES.map((b) => [b, z.number().int().min(0)])) as Record<(typeof REMINDER_BOXES)[number], z.ZodNumber>)
    .describe('每个分组未完成的条数：today 今天，overdue 已逾期，upcoming 之后，team 团队（经理）'),
});

/** POST /reminders/complete. */
export const completeRemindersResultDtoSchema = z.strictObject({
  completed: z.array(idString).describe('已完成的提醒'),
  skipped: z
    .array(z.strictObject({ id: z.string(), reason: z.enum(['not-found', 'not-open']) }))
    .describe('未处理的：not-found 不存在或不是你的，not-open 已完成或已取消'),
});
