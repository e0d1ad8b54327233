import { z } from 'zod';
import { isoTime, type StageDefinition } from '@crm/shared';
import { contactDtoSchema } from '../contact/contact.dto-schema';
import { contractDtoSchema } from '../contract/contract.dto-schema';
import { followUpDtoSchema } from '../follow-up/follow-up.dto-schema';
import { opportunityDtoSchemas } from '../opportunity/opportunity.dto-schema';
import { customerListItemDtoSchema } from './customer.dto-schema';

/** GET /customers/:id: the 360 view. */
export const customer360DtoSchema = (stages: readonly StageDefinition[]) =>
  z.strictObject({
    customer: customerListItemDtoSchema,
    contacts: z.array(contactDtoSchema).describe('主要联系人在前'),
    recentFollowUps: z.array(followUpDtoSchema).describe('最近 10 条跟进，新的在前'),
    openOpportunities: z.array(opportunityDtoSchemas(stages).opportunity).describe('进行中的商机'),
    contracts: z.array(contractDtoSchema),
    nextReminderAt: isoTime.nullable().describe('下一次计划跟进的时间'),
    reclaimWarning: z
      .strictObject({
        inDays: z.number().int().describe('几天后退回公海（0 = 今天）'),
        at: isoTime.describe('退回公海的时间'),
        reason: z.string().describe('例如“30 天未跟进”'),
        text: z.string().describe('例如“3 天后将退回公海：30 天未跟进”'),
      })
      .nullable()
      .optional()
      .describe('负责人在预警期内时：即将退回公海（写跟进即可重新计时）'),
  });
