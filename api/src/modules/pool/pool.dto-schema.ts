import { z } from 'zod';
import { customerDtoSchema } from '../customer/customer.dto-schema';

export const poolDtoSchema = z.strictObject({
  key: z.string().describe('公海标识（config/src/pool-rules.ts）'),
  name: z.string().describe('例如“华南公海”'),
  admin: z.boolean().describe('当前用户是否为该公海管理员'),
});

export const poolListDtoSchema = z.strictObject({ items: z.array(poolDtoSchema) });

export const poolCustomerDtoSchema = customerDtoSchema.extend({
  contact: z.string().nullable().describe('首个联系电话；领取前隐藏时为 null'),
  contactHidden: z.boolean().describe('联系方式是否在领取前隐藏（配置 hideContactsUntilClaimed）'),
  returnReason: z.string().nullable().describe('退回公海的原因，例如“30 天未跟进”'),
});

export const poolCustomerPageDtoSchema = z.strictObject({
  items: z.array(poolCustomerDtoSchema),
  nextCursor: z.string().nullable(),
});

export const poolLockDtoSchema = z.strictObject({ locked: z.boolean() });

export const poolCustomersQuery = z.strictObject({
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  region: z.string().min(1).max(20).optional().describe('省份，例如“广东”'),
  industry: z.string().min(1).max(40).optional(),
});
export const poolKeyParams = z.strictObject({ key: z.string().regex(/^[a-z0-9-]+$/) });
export const poolLockBody = z.strictObject({ locked: z.boolean() });
