import { z } from 'zod';
import { idString, isoTime, pageOf, pageQuery } from '@crm/shared';
import { DELIVERY_STATUSES } from './webhook.model';
import { WEBHOOK_EVENT_TYPES } from './webhook.events';

const eventsField = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .describe(`订阅的事件：${WEBHOOK_EVENT_TYPES.join('、')}`);

export const createWebhookBody = z.strictObject({
  url: z.string().trim().min(8).max(2048).describe('接收地址；生产环境只允许公网 https 地址'),
  events: eventsField,
  secret: z.string().min(16).max(128).optional().describe('签名密钥；不填则自动生成（只在创建时返回一次）'),
  description: z.string().trim().max(200).nullable().optional(),
});

export const updateWebhookBody = z.strictObject({
  url: z.string().trim().min(8).max(2048).optional(),
  events: eventsField.optional(),
  secret: z.string().min(16).max(128).optional(),
  description: z.string().trim().max(200).nullable().optional(),
  active: z.boolean().optional(),
});

export const deliveryParams = z.strictObject({ id: z.string().regex(/^[0-9a-fA-F]{24}$/), deliveryId: z.string().regex(/^[0-9a-fA-F]{24}$/) });
export const deliveriesQuery = z.strictObject({ ...pageQuery, status: z.enum(DELIVERY_STATUSES).optional() });

export const webhookDtoSchema = z.strictObject({
  id: idString,
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  active: z.boolean(),
  secretHint: z.string().describe('密钥末 4 位（完整密钥只在创建时返回）'),
  createdById: idString.nullable().describe('注册的管理员'),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const createdWebhookDtoSchema = webhookDtoSchema.extend({ secret: z.string().describe('签名密钥：请妥善保存，之后不再显示') });

const attemptDtoSchema = z.strictObject({
  at: isoTime,
  status: z.number().int().nullable().describe('接收方的 HTTP 状态；超时或连接失败为 null'),
  latencyMs: z.number().int(),
  response: z.string().describe('接收方的响应（截断至 2 KB）'),
  error: z.string().nullable(),
});

export const deliveryDtoSchema = z.strictObject({
  id: idString,
  endpointId: idString,
  eventId: z.string().describe('事件 ID（X-CRM-Event-Id），重试和重放不变，用于去重'),
  type: z.string(),
  recordKey: z.string().describe('记录（类型:ID）；同一记录的事件按顺序投递'),
  status: z.enum(DELIVERY_STATUSES).describe('pending 待发送/重试中，sending 发送中，delivered 已送达，failed 24 小时内未成功'),
  attempts: z.number().int(),
  nextAttemptAt: isoTime,
  retryUntil: isoTime,
  deliveredAt: isoTime.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  body: z.string().describe('发送的 JSON 正文 {id, type, time, data, changes}'),
  log: z.array(attemptDtoSchema).describe('最近 20 次尝试'),
});
export const deliveryPageDtoSchema = pageOf(deliveryDtoSchema);
