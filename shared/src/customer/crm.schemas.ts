import { z } from 'zod';
import { dateTime, objectId, pageQuery } from '../common/schemas';
import { CONTRACT_STATUSES, CUSTOMER_SOURCES, CUSTOMER_STATUSES, CUSTOMER_TIERS, FOLLOW_UP_TYPES } from './crm-enums';
import { normalizeEmail, normalizePhone } from './normalize';

const text = (max: number) => z.string().trim().min(1).max(max);

/** A phone as people type it; stored normalized (E.164 mobiles, area-coded landlines). */
export const phoneInput = z
  .string()
  .max(32)
  .refine((v) => normalizePhone(v) !== null, { message: '电话号码格式不正确（手机号或带区号的座机）' });
export const emailInput = z
  .string()
  .max(254)
  .refine((v) => v.trim() === '' || normalizeEmail(v) !== null, { message: '邮箱格式不正确' });

/** Money in 分 (fen), a whole number: no floating-point money anywhere. */
export const amountFen = z.number().int().min(0).max(1e13);

export const contactBody = z.strictObject({
  name: text(32),
  title: z.string().trim().max(32).optional(),
  phones: z.array(phoneInput).max(5).default([]),
  emails: z.array(emailInput).max(5).default([]),
  wecomExternalUserId: z.string().max(64).optional(),
  primary: z.boolean().default(false),
});
export type ContactInput = z.infer<typeof contactBody>;

export const updateContactBody = z
  .strictObject({
    name: text(32),
    title: z.string().trim().max(32),
    phones: z.array(phoneInput).max(5),
    emails: z.array(emailInput).max(5),
    wecomExternalUserId: z.string().max(64),
    primary: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateContactInput = z.infer<typeof updateContactBody>;

const region = z.strictObject({ province: z.string().trim().max(16).optional(), city: z.string().trim().max(16).optional() });

const customerFields = {
  name: text(64),
  company: z.string().trim().max(100),
  industry: z.string().trim().max(32),
  region,
  source: z.enum(CUSTOMER_SOURCES, { message: `来源必填，可选：${CUSTOMER_SOURCES.join('、')}` }),
  tier: z.enum(CUSTOMER_TIERS),
  tags: z.array(z.string().trim().min(1).max(16)).max(20),
};

export const createCustomerBody = z
  .strictObject({
    ...customerFields,
    company: customerFields.company.optional(),
    industry: customerFields.industry.optional(),
    region: region.optional(),
    tier: customerFields.tier.default('C'),
    tags: customerFields.tags.default([]),
    contacts: z.array(contactBody).max(20).default([]),
    /** Create even though the duplicate check found likely duplicates; needs a reason, and is audited. */
    force: z.boolean().default(false),
    reason: z.string().trim().max(200).optional(),
  })
  .refine((v) => !v.force || (v.reason && v.reason.length >= 2), { message: '强制创建需要填写原因', path: ['reason'] });
export type CreateCustomerInput = z.infer<typeof createCustomerBody>;

export const updateCustomerBody = z
  .strictObject(customerFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateCustomerInput = z.infer<typeof updateCustomerBody>;

export const listCustomersQuery = z.strictObject({
  q: z.string().trim().max(64).optional(),
  owner: z.union([objectId, z.literal('me')]).optional(),
  tier: z.enum(CUSTOMER_TIERS).optional(),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  source: z.enum(CUSTOMER_SOURCES).optional(),
  ...pageQuery,
});
export type ListCustomersQuery = z.infer<typeof listCustomersQuery>;

export const transferCustomerBody = z.strictObject({ ownerId: objectId, reason: z.string().trim().max(200).optional() });
export const releaseCustomerBody = z.strictObject({ reason: z.string().trim().max(200).optional() });
export const shareCustomerBody = z.strictObject({ partnerIds: z.array(objectId).max(20) });

const location = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  address: z.string().trim().max(200).optional(),
});
const nextStep = z.strictObject({ text: text(200), dueAt: dateTime });

export const createFollowUpBody = z.strictObject({
  customerId: objectId,
  contactId: objectId.optional(),
  type: z.enum(FOLLOW_UP_TYPES),
  content: text(2000),
  happenedAt: dateTime.optional(),
  location: location.optional(),
  nextStep: nextStep.optional(),
});
export type CreateFollowUpInput = z.infer<typeof createFollowUpBody>;

export const updateFollowUpBody = z
  .strictObject({ content: text(2000), nextStep: nextStep.nullable() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateFollowUpInput = z.infer<typeof updateFollowUpBody>;

export const listByCustomerQuery = z.strictObject({ customerId: objectId.optional(), ...pageQuery });

export const createOpportunityBody = z.strictObject({
  customerId: objectId,
  name: text(100),
  amountFen,
  stage: z.string().max(32).optional(),
  expectedCloseDate: dateTime.optional(),
  probability: z.number().int().min(0).max(100).optional(),
});
export type CreateOpportunityInput = z.infer<typeof createOpportunityBody>;

export const updateOpportunityBody = z
  .strictObject({ name: text(100), amountFen, expectedCloseDate: dateTime.nullable(), probability: z.number().int().min(0).max(100) })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateOpportunityInput = z.infer<typeof updateOpportunityBody>;

export const moveStageBody = z.strictObject({ stage: z.string().min(1).max(32), lostReason: z.string().trim().max(200).optional() });
export type MoveStageInput = z.infer<typeof moveStageBody>;

export const listOpportunitiesQuery = z.strictObject({ customerId: objectId.optional(), stage: z.string().max(32).optional(), ...pageQuery });

export const createContractBody = z.strictObject({
  customerId: objectId,
  opportunityId: objectId.optional(),
  number: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9-_/]+$/, { message: '合同编号只能包含字母、数字和 - _ /' }),
  title: text(100),
  amountFen,
  discountPercent: z.number().min(0).max(100).multipleOf(0.01).default(0),
  /** 合同到期日: the pool's "M days after its contract ends" reclaim rule counts from it. */
  endsAt: dateTime.optional(),
});
export type CreateContractInput = z.infer<typeof createContractBody>;

export const updateContractBody = z
  .strictObject({ title: text(100), amountFen, discountPercent: z.number().min(0).max(100).multipleOf(0.01), endsAt: dateTime.nullable() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateContractInput = z.infer<typeof updateContractBody>;

export const contractActionBody = z.strictObject({ reason: z.string().trim().max(200).optional() });
export const listContractsQuery = z.strictObject({ customerId: objectId.optional(), status: z.enum(CONTRACT_STATUSES).optional(), ...pageQuery });
