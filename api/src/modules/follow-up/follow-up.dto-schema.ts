import { z } from 'zod';
import { FOLLOW_UP_TYPES, RECORD_SOURCES, idString, isoTime, pageOf } from '@crm/shared';
import { scopeDtoFields } from '../customer/customer.dto-schema';

/** A follow-up (跟进记录) as the API answers it. */
export const followUpDtoSchema = z.strictObject({
  id: idString,
  customerId: idString,
  contactId: idString.nullable(),
  authorId: idString.describe('记录人'),
  type: z.enum(FOLLOW_UP_TYPES).describe('visit 拜访，call 电话，wechat 微信，meeting 会议，email 邮件，note 备注'),
  content: z.string(),
  happenedAt: isoTime.describe('跟进发生的时间'),
  location: z.strictObject({ lat: z.number(), lng: z.number(), address: z.string().optional() }).nullable().describe('签到位置，GCJ-02 坐标；没有签到为 null'),
  nextStep: z.strictObject({ text: z.string(), dueAt: isoTime }).nullable().describe('下一步：到 dueAt 时提醒记录人（见 /reminders）'),
  source: z.enum(RECORD_SOURCES).describe('记录来源：api、bot 聊天、miniapp 小程序、import 导入'),
  ...scopeDtoFields,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const followUpPageDtoSchema = pageOf(followUpDtoSchema);
