import { z } from 'zod';
import { idString, isoTime } from '@crm/shared';
import { RUN_PHASES, RUN_STATUSES } from './directory.model';

const planItemSchema = z.strictObject({
  key: z.string().describe('平台 ID（部门 ID 或 userid）'),
  name: z.string(),
  op: z.enum(['create', 'update', 'leave']).describe('create 新增，update 变更，leave 离开（停用）'),
  fields: z.array(z.string()).describe('变更的字段'),
});

export const directoryRunDtoSchema = z.strictObject({
  id: idString,
  kind: z.enum(['dry-run', 'sync']).describe('dry-run 预览（不改数据），sync 同步'),
  trigger: z.enum(['manual', 'schedule', 'event']),
  platform: z.enum(['wecom', 'dingtalk']),
  status: z.enum(RUN_STATUSES).describe('running 进行中，done 完成，failed 失败（下次同步从断点继续）'),
  phase: z.enum(RUN_PHASES),
  checkpoint: z.number().int().describe('已处理的人数（断点）'),
  counts: z.strictObject({
    departments: z.strictObject({ create: z.number().int(), update: z.number().int(), same: z.number().int() }),
    people: z.strictObject({ create: z.number().int(), update: z.number().int(), same: z.number().int(), leave: z.number().int() }),
  }),
  departments: z.array(planItemSchema).describe('部门变化（同步最多保留 200 条）'),
  people: z.array(planItemSchema).describe('人员变化：新增 / 变更 / 离开（同步最多保留 200 条）'),
  leavers: z
    .array(z.strictObject({ userId: idString, name: z.string(), managerId: idString.nullable() }))
    .describe('已停用的离开人员；其客户在交接完成前会提示给上级'),
  startedById: idString.nullable(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  resumed: z.number().int().describe('中断后被接续的次数'),
  error: z.string().nullable(),
});
