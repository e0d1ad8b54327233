import Router from '@koa/router';
import { z } from 'zod';
import type { Config } from '@crm/config';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { responds } from '../openapi/responds';

export const settingsDtoSchema = z.strictObject({
  stages: z
    .array(
      z.strictObject({
        key: z.string(),
        name: z.string(),
        probability: z.number(),
        slaDays: z.number().nullable().describe('停留时限（天）；超过即为停滞商机'),
        outcome: z.enum(['open', 'won', 'lost']),
      }),
    )
    .describe('商机阶段'),
  protectionDays: z.number().describe('领取或报备通过后的保护期（天）'),
  approvals: z.record(z.string(), z.unknown()).describe('审批规则与超时（config/src/approval-rules.ts）'),
  reminders: z.record(z.string(), z.unknown()).describe('提醒策略（config/src/reminder-policy.ts 与环境变量）'),
  where: z.array(z.strictObject({ topic: z.string(), file: z.string(), env: z.array(z.string()) })).describe('每项设置在哪里修改'),
});

/** Where each setting is changed (the workbench shows settings read-only, with these pointers). */
const WHERE = [
  { topic: '商机阶段与停留时限', file: 'config/src/crm-defaults.ts（DEFAULT_STAGES）', env: [] },
  { topic: '客户保护期', file: 'config/src/crm-defaults.ts', env: ['CUSTOMER_PROTECTION_DAYS'] },
  { topic: '审批规则、提醒与升级时限', file: 'config/src/approval-rules.ts（DEFAULT_APPROVAL_RULES）', env: [] },
  {
    topic: '提醒策略（免打扰、工作日、每日摘要、客户冷却天数）',
    file: 'config/src/reminder-policy.ts',
    env: ['QUIET_HOURS', 'WORKING_DAYS', 'DIGEST_TIME', 'REMINDER_REPLY_WINDOW_MINUTES'],
  },
];

/**
 * GET /api/v1/settings (admins): the configuration the business rules run on — stages and their time limits, approval
 * rules, the reminder policy — read-only, with where each is changed. Nothing secret is in it (no tokens or keys).
 */
export function settingsRoutes(config: Config): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/settings', responds(200, settingsDtoSchema, { errors: ['FORBIDDEN'] }), requirePermission('org.write'), (ctx) => {
    const { scheduler: _scheduler, ...reminders } = config.reminders;
    ctx.body = {
      stages: config.crm.stages.map((s) => ({ key: s.key, name: s.name, probability: s.probability, slaDays: s.slaDays, outcome: s.outcome })),
      protectionDays: config.crm.protectionDays,
      approvals: config.approvals as unknown as Record<string, unknown>,
      reminders: reminders as unknown as Record<string, unknown>,
      where: WHERE,
    };
  });
  return router;
}
