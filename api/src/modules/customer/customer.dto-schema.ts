import { z } from 'zod';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES, CUSTOMER_TIERS, idString, isoTime } from '@crm/shared';

/** The data-scope fields every CRM record carries (copied from its customer). */
export const scopeDtoFields = {
  ownerId: idString.nullable().describe('负责人；公海客户为 null'),
  departmentId: idString.nullable().describe('负责人所在部门（数据范围按它过滤）'),
  sharedWith: z.array(idString).describe('共享给的外部合作方（只读）'),
};

export const tierSchema = z
  .enum(CUSTOMER_TIERS)
  .describe(
    '客户等级：A 重点客户（默认 7 天没有跟进即提醒），B 重要客户（14 天），C 一般客户（30 天，新建默认），D 低优先（不做冷却提醒）；天数见 config/src/reminder-policy.ts',
  );

/** What customerDto answers (customer.routes.ts): the stored customer without its internal fields. */
export const customerDtoSchema = z.strictObject({
  id: idString,
  name: z.string().describe('客户（联系人）姓名'),
  company: z.string().optional().describe('公司全称'),
  companyNormalized: z.string().optional().describe('去掉地区前缀和公司类型后缀的公司名（上海某某信息科技有限公司 → 某某信息科技），查重用'),
  companyKey: z.string().optional().describe('公司核心词（某某），查重比较的就是它'),
  industry: z.string().optional(),
  region: z.strictObject({ province: z.string().optional(), city: z.string().optional() }).optional(),
  source: z.enum(CUSTOMER_SOURCES).describe('来源（必填）'),
  tier: tierSchema,
  tags: z.array(z.string()),
  ...scopeDtoFields,
  status: z.enum(CUSTOMER_STATUSES).describe('owned 有负责人，pool 在公海（任何销售可领取）'),
  poolId: z.string().nullable().optional().describe('所在公海（未领取时；config/src/pool-rules.ts 的 key）'),
  protectionEndsAt: isoTime.nullable().describe('保护期结束时间（领取或报备通过后开始）'),
  lastFollowUpAt: isoTime.nullable().describe('最近一次跟进'),
  nextFollowUpAt: isoTime.nullable().describe('下一次计划跟进（最近的下一步）'),
  createdBy: idString.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const ownerName = z.string().nullable().describe('负责人姓名；公海客户为 null');
export const customerListItemDtoSchema = customerDtoSchema.extend({ ownerName });

const reasons = z
  .array(z.enum(['mobile', 'email', 'company', 'name_and_company']))
  .describe('为何疑似重复：mobile 同手机号，email 同邮箱，company 同公司核心词，name_and_company 同名且公司相近');

/** One candidate of the duplicate check; those outside the caller's scope show only who owns them. */
export const duplicateCandidateDtoSchema = z.union([
  z.strictObject({
    visible: z.literal(true),
    id: idString,
    name: z.string(),
    company: z.string().nullable(),
    status: z.string(),
    ownerName: z.string().nullable(),
    reasons,
  }),
  z.strictObject({ visible: z.literal(false), ownedBy: z.string().describe('例如“其他团队”'), reasons }),
]);

export const duplicateCheckDtoSchema = z.strictObject({
  duplicate: z.boolean().describe('是否疑似重复'),
  candidates: z.array(duplicateCandidateDtoSchema),
});
