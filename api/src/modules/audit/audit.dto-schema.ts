import { z } from 'zod';
import { idString, isoTime, pageOf } from '@crm/shared';
import { AUDIT_CHANNELS } from './audit.model';

/** One audit entry as GET /audit answers it. */
export const auditEntryDtoSchema = z.strictObject({
  id: idString,
  at: isoTime,
  actorId: idString.nullable().describe('操作人；系统任务为 null'),
  actorName: z.string().optional(),
  action: z.string().describe('动作，例如 customer.create、customer.transfer、approval.approve、auth.dev-login'),
  entityType: z.string().describe('对象类型，例如 customer、contract、approval、user'),
  entityId: z.string(),
  changes: z.record(z.string(), z.strictObject({ before: z.unknown(), after: z.unknown() })).describe('字段 → 修改前后的值'),
  requestId: z.string().describe('请求的 X-Request-Id，可据此查日志'),
  channel: z.enum(AUDIT_CHANNELS).describe('来源：api、bot 聊天机器人、miniapp 小程序、import 导入、system 系统任务、web 网页工作台'),
  note: z.string().optional().describe('附加说明，例如强制新建的原因'),
});

export const auditPageDtoSchema = pageOf(auditEntryDtoSchema);
