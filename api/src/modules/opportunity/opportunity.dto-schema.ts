import { z } from 'zod';
import { fen, idString, isoTime, listOf, pageOf, type StageDefinition } from '@crm/shared';
import { scopeDtoFields } from '../customer/customer.dto-schema';

/** "initial 初步接洽、needs 需求确认、…": the configured stage keys, for field descriptions. */
export const stageKeysText = (stages: readonly StageDefinition[]) => stages.map((s) => `${s.key} ${s.name}`).join('，');

/** The opportunity schemas, their stage fields described with the stages in force (config/src/crm-defaults.ts). */
export function opportunityDtoSchemas(stages: readonly StageDefinition[]) {
  const stage = z.string().describe(`阶段键（配置见 config/src/crm-defaults.ts，GET /api/v1/opportunities/stages 返回当前配置）：${stageKeysText(stages)}`);
  const opportunity = z.strictObject({
    id: idString,
    customerId: idString,
    name: z.string(),
    amountFen: fen,
    stage,
    stageName: z.string().describe('阶段的中文名，例如 需求确认'),
    stageEnteredAt: isoTime.describe('进入当前阶段的时间（停留超过该阶段的 slaDays 即提醒）'),
    stageHistory: z.array(z.strictObject({ stage, enteredAt: isoTime, byId: idString.nullable() })),
    expectedCloseDate: isoTime.nullable(),
    probability: z.number().min(0).max(100).describe('赢单概率（%）'),
    lostReason: z.string().nullable().describe('输单原因（阶段为输单时必填）'),
    closedAt: isoTime.nullable().describe('赢单或输单的时间'),
    ...scopeDtoFields,
    createdAt: isoTime,
    updatedAt: isoTime,
  });
  const stageDefinition = z.strictObject({
    key: z.string().describe('阶段键，商机的 stage 字段存的就是它'),
    name: z.string(),
    probability: z.number().describe('进入该阶段时的默认赢单概率（%）'),
    slaDays: z.number().nullable().describe('在该阶段最多停留的天数，超过即提醒负责人；已结束的阶段为 null'),
    outcome: z.enum(['open', 'won', 'lost']).describe('open 进行中，won 赢单，lost 输单'),
  });
  return { opportunity, page: pageOf(opportunity), stages: listOf(stageDefinition) };
}
