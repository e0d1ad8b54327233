import { z } from 'zod';
import { idString, isoTime, objectId } from '@crm/shared';
import { ASSIGNMENT_STATES } from './assignment.model';

export const assignmentDtoSchema = z.strictObject({
  id: idString,
  customerId: idString,
  ruleId: z.string().describe('命中的分配规则（config/src/pool-rules.ts）'),
  ownerId: idString.nullable().describe('分配给谁；分到公海时为 null'),
  poolId: z.string().nullable().describe('分到的公海'),
  returnPoolId: z.string().describe('退回或超时未接受时进入的公海'),
  reason: z.string().describe('分配原因，例如“按地区：华南 → 黄磊”'),
  state: z
    .enum(ASSIGNMENT_STATES)
    .describe('pending 待接受，accepted 已接受，returned 已退回公海，timed-out 超时退回，pool 直接进公海，superseded 已被重新分配'),
  assignedAt: isoTime,
  acceptBy: isoTime.nullable().describe('在此之前未接受则退回公海'),
  decidedAt: isoTime.nullable(),
});
export const assignmentListDtoSchema = z.strictObject({ items: z.array(assignmentDtoSchema) });
export const assignBody = z.strictObject({ customerId: objectId });
