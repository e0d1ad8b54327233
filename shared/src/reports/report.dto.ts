import { z } from 'zod';
import { dateTime, objectId } from '../common/schemas';
import { fen, idString, isoTime } from '../common/dto.schemas';

/**
 * The reports' contract (GET /api/v1/reports/*): query schemas (what the API accepts) and answer schemas (what it
 * answers, documented in /api/v1/openapi.json and checked against live answers in tests). Every figure is scoped
 * to the viewer's data scope: a rep sees their own, a manager their team, the director the whole centre.
 */

export const REPORT_PERIODS = ['week', 'month', 'quarter', 'custom'] as const;
export type ReportPeriodKind = (typeof REPORT_PERIODS)[number];
export const FUNNEL_BY = ['created', 'closed'] as const;
export const RANKING_DIMENSIONS = ['rep', 'department'] as const;
export const DRILL_REPORTS = ['funnel', 'ranking', 'sources', 'cycle', 'adoption'] as const;
export const DRILL_METRICS = ['deals', 'won', 'lost', 'contracts', 'customers', 'followUps'] as const;

// ---------------------------------------------------------------- queries

/** The period of every report: this week / month / quarter (business time zone), or custom `from`–`to` (to exclusive). */
const periodFields = {
  period: z.enum(REPORT_PERIODS).default('month').describe('week 本周，month 本月，quarter 本季度，custom 自定义（需 from、to）'),
  from: dateTime.optional().describe('custom：开始（含）'),
  to: dateTime.optional().describe('custom：结束（不含）；最长 366 天'),
  /** Any instant inside the wanted week / month / quarter (default now): 上月 = a day of last month. */
  at: dateTime.optional().describe('week / month / quarter：取包含该时间的那个周期（默认当前）'),
  departmentId: objectId.optional().describe('只看该部门（仍在数据权限内）'),
  ownerId: objectId.optional().describe('只看该负责人（仍在数据权限内）'),
};
const checkCustom = <T extends { period: ReportPeriodKind; from?: Date; to?: Date }>(q: T, ctx: z.core.$RefinementCtx) => {
  if (q.period !== 'custom') return;
  if (!q.from || !q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'custom 需要 from 和 to' });
  else if (q.to <= q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to 必须晚于 from' });
  else if (q.to.getTime() - q.from.getTime() > 366 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: '自定义区间最长 366 天' });
};

export const reportPeriodQuery = z.strictObject(periodFields).superRefine(checkCustom);
export type ReportPeriodQuery = z.infer<typeof reportPeriodQuery>;

export const funnelQuery = z
  .strictObject({ ...periodFields, by: z.enum(FUNNEL_BY).default('created').describe('created 按商机创建时间，closed 按成交/输单时间') })
  .superRefine(checkCustom);
export type FunnelQuery = z.infer<typeof funnelQuery>;

export const rankingQuery = z
  .strictObject({ ...periodFields, dimension: z.enum(RANKING_DIMENSIONS).default('rep').describe('rep 按负责人，department 按部门') })
  .superRefine(checkCustom);
export type RankingQuery = z.infer<typeof rankingQuery>;

const listFields = {
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  format: z.enum(['json', 'xlsx']).default('json').describe('xlsx：导出全部（同样的数据权限，记入审计）'),
};

/** Stalled deals / forgotten customers: what to act on now. */
export const actionListQuery = z.strictObject({
  ...listFields,
  departmentId: periodFields.departmentId,
  ownerId: periodFields.ownerId,
});
export type ActionListQuery = z.infer<typeof actionListQuery>;

/** The records behind a figure. */
export const drillQuery = z
  .strictObject({
    ...periodFields,
    ...listFields,
    report: z.enum(DRILL_REPORTS),
    metric: z.enum(DRILL_METRICS).optional().describe('deals 商机（默认），won 赢单，lost 输单，contracts 签约合同，customers 新客户，followUps 跟进'),
    by: z.enum(FUNNEL_BY).default('created'),
    stage: z.string().max(64).optional().describe('funnel：阶段 key（该阶段当前的商机）'),
    source: z.string().max(32).optional().describe('sources：客户来源'),
  })
  .superRefine(checkCustom);
export type DrillQuery = z.infer<typeof drillQuery>;

export const summaryQuery = z
  .strictObject({ ...periodFields, scope: z.enum(['mine', 'team']).default('mine').describe('mine 我的，team 我能看到的全部（经理：团队）') })
  .superRefine(checkCustom);
export type SummaryQuery = z.infer<typeof summaryQuery>;

// ---------------------------------------------------------------- answers

export const reportPeriodDtoSchema = z.strictObject({
  kind: z.enum(REPORT_PERIODS),
  from: isoTime,
  to: isoTime.describe('不含'),
  previousFrom: isoTime.describe('上一周期（同样长度）'),
  previousTo: isoTime,
  label: z.string().describe('例如“2026年11月”“2026年第4季度”“11月23日–11月29日”'),
});
export type ReportPeriodDto = z.infer<typeof reportPeriodDtoSchema>;

const share = z.number().min(0).max(1).nullable().describe('比例 0–1；分母为 0 时 null');

export const funnelStageDtoSchema = z.strictObject({
  key: z.string(),
  name: z.string(),
  outcome: z.enum(['open', 'won']),
  count: z.number().int().min(0).describe('当前处于该阶段的商机数'),
  amountFen: fen,
  reached: z.number().int().min(0).describe('到达过该阶段（或更后阶段）的商机数'),
  conversionToNext: share.describe('到达下一阶段的比例 = 下一阶段 reached / 本阶段 reached；赢单为 null'),
});
export const funnelDtoSchema = z.strictObject({
  period: reportPeriodDtoSchema,
  by: z.enum(FUNNEL_BY),
  total: z.strictObject({ count: z.number().int().min(0), amountFen: fen }),
  stages: z.array(funnelStageDtoSchema).describe('进行中的阶段按顺序，最后是赢单'),
  won: z.strictObject({ count: z.number().int().min(0), amountFen: fen }),
  lost: z.strictObject({
    count: z.number().int().min(0),
    amountFen: fen,
    reasons: z.array(z.strictObject({ reason: z.string(), count: z.number().int().min(0), amountFen: fen })).describe('按条数从多到少'),
  }),
  winRate: share.describe('赢单 / (赢单 + 输单)'),
});
export type FunnelDto = z.infer<typeof funnelDtoSchema>;

const metric = z.strictObject({ current: z.number().min(0), previous: z.number().min(0) });
export const rankingRowDtoSchema = z.strictObject({
  rank: z.number().int().min(1),
  id: idString.nullable().describe('负责人或部门；null = 公海 / 未分配'),
  name: z.string(),
  departmentName: z.string().nullable().describe('dimension=rep：负责人所在部门'),
  contractAmountFen: metric.describe('签约合同金额（分）：本期 / 上期'),
  wonAmountFen: metric.describe('赢单金额（分）'),
  dealsWon: metric,
  newCustomers: metric,
  followUps: metric.describe('dimension=rep：本人写的跟进；department：该部门客户的跟进'),
});
export const rankingDtoSchema = z.strictObject({
  period: reportPeriodDtoSchema,
  dimension: z.enum(RANKING_DIMENSIONS),
  rows: z.array(rankingRowDtoSchema).describe('按本期签约金额、赢单金额从高到低'),
});
export type RankingDto = z.infer<typeof rankingDtoSchema>;
export type RankingRowDto = z.infer<typeof rankingRowDtoSchema>;

export const sourceRowDtoSchema = z.strictObject({
  source: z.string(),
  customers: z.number().int().min(0).describe('本期新增客户'),
  deals: z.number().int().min(0).describe('本期新建商机（该来源客户的）'),
  dealsWon: z.number().int().min(0).describe('其中已赢单'),
  wonAmountFen: fen,
  conversion: share.describe('dealsWon / deals'),
});
export const sourcesDtoSchema = z.strictObject({ period: reportPeriodDtoSchema, rows: z.array(sourceRowDtoSchema) });
export type SourcesDto = z.infer<typeof sourcesDtoSchema>;

const days = z.number().min(0).nullable().describe('平均天数（一位小数）；没有数据时 null');
export const cycleDtoSchema = z.strictObject({
  period: reportPeriodDtoSchema,
  overall: z.strictObject({ deals: z.number().int().min(0).describe('本期赢单数'), avgDays: days.describe('创建→赢单平均天数') }),
  byStage: z.array(
    z.strictObject({ key: z.string(), name: z.string(), deals: z.number().int().min(0), avgDays: days.describe('本期赢单的商机在该阶段平均停留天数') }),
  ),
  byRep: z.array(z.strictObject({ id: idString.nullable(), name: z.string(), deals: z.number().int().min(0), avgDays: days })),
});
export type CycleDto = z.infer<typeof cycleDtoSchema>;

const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    total: z.number().int().min(0),
    nextCursor: z.string().nullable().describe('下一页游标；null 表示已是最后一页'),
  });

export const stalledDealDtoSchema = z.strictObject({
  id: idString,
  name: z.string(),
  customerId: idString,
  customerName: z.string(),
  ownerId: idString.nullable(),
  ownerName: z.string(),
  stage: z.string(),
  stageName: z.string(),
  stageEnteredAt: isoTime,
  daysInStage: z.number().int().min(0),
  limitDays: z.number().int().min(0).describe('该阶段的停留时限（天）'),
  amountFen: fen,
});
export const stalledDtoSchema = page(stalledDealDtoSchema);
export type StalledDealDto = z.infer<typeof stalledDealDtoSchema>;
export type StalledDto = z.infer<typeof stalledDtoSchema>;

export const forgottenCustomerDtoSchema = z.strictObject({
  id: idString,
  name: z.string(),
  company: z.string().nullable(),
  tier: z.string(),
  ownerId: idString.nullable(),
  ownerName: z.string(),
  lastFollowUpAt: isoTime.nullable().describe('null：从未跟进（按创建时间算）'),
  daysSince: z.number().int().min(0),
  limitDays: z.number().int().min(0).describe('该级别客户的跟进时限（天，提醒策略 coldDaysByTier）'),
});
export const forgottenDtoSchema = page(forgottenCustomerDtoSchema);
export type ForgottenCustomerDto = z.infer<typeof forgottenCustomerDtoSchema>;
export type ForgottenDto = z.infer<typeof forgottenDtoSchema>;

export const adoptionDtoSchema = z.strictObject({
  period: reportPeriodDtoSchema,
  usersInScope: z.number().int().min(0).describe('范围内的在职成员数'),
  activeDaily: z.array(z.strictObject({ date: z.string().describe('YYYY-MM-DD（业务时区）'), users: z.number().int().min(0) })),
  activeWeekly: z.array(z.strictObject({ weekStart: z.string().describe('周一 YYYY-MM-DD'), users: z.number().int().min(0) })),
  followUpsPerRep: z.array(
    z.strictObject({
      id: idString,
      name: z.string(),
      total: z.number().int().min(0),
      weeks: z.array(z.strictObject({ weekStart: z.string(), count: z.number().int().min(0) })),
    }),
  ),
  chat: z.strictObject({ fromChat: z.number().int().min(0), total: z.number().int().min(0), share }).describe('在聊天里（机器人）记录的跟进占比'),
  reminders: z
    .strictObject({ sent: z.number().int().min(0), answeredWithinDay: z.number().int().min(0), share })
    .describe('本期发出的提醒中，24 小时内处理（完成 / 记录跟进）的比例'),
});
export type AdoptionDto = z.infer<typeof adoptionDtoSchema>;

export const teamOverdueDtoSchema = z.strictObject({
  total: z.number().int().min(0),
  rows: z
    .array(z.strictObject({ id: idString, name: z.string(), overdue: z.number().int().min(0), oldestDueAt: isoTime.nullable() }))
    .describe('按逾期条数从多到少'),
});
export type TeamOverdueDto = z.infer<typeof teamOverdueDtoSchema>;

export const drillRowDtoSchema = z.strictObject({
  kind: z.enum(['opportunity', 'customer', 'followUp', 'contract']),
  id: idString,
  title: z.string().describe('商机名 / 客户名 / 跟进内容摘要 / 合同标题'),
  customerId: idString,
  customerName: z.string(),
  ownerId: idString.nullable(),
  ownerName: z.string(),
  amountFen: fen.nullable(),
  stage: z.string().nullable(),
  stageName: z.string().nullable(),
  at: isoTime.describe('决定它计入本期的时间（创建、成交、签约、跟进时间）'),
});
export const drillDtoSchema = page(drillRowDtoSchema);
export type DrillRowDto = z.infer<typeof drillRowDtoSchema>;
export type DrillDto = z.infer<typeof drillDtoSchema>;

export const summaryDtoSchema = z.strictObject({
  period: reportPeriodDtoSchema,
  scope: z.enum(['mine', 'team']),
  viewer: z.strictObject({ id: idString, name: z.string() }),
  wonAmountFen: metric,
  dealsWon: metric,
  contractAmountFen: metric,
  newDeals: metric,
  newCustomers: metric,
  followUps: metric,
  stalled: z.number().int().min(0).describe('当前停滞商机'),
  overdue: z.number().int().min(0).describe('当前逾期跟进提醒'),
  link: z.string().describe('工作台仪表盘的链接（/console/）'),
});
export type SummaryDto = z.infer<typeof summaryDtoSchema>;
