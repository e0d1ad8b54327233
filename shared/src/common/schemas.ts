import { z } from 'zod';

export const objectId = z.string().regex(/^[0-9a-fA-F]{24}$/, { message: '无效的 ID' });

export const idParams = z.strictObject({ id: objectId });

/** Cursor pagination shared by every list endpoint. */
export const pageQuery = {
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export const mobileCN = z.string().regex(/^1[3-9]\d{9}$/, { message: '手机号格式不正确' });
