import { z } from 'zod';
import { dateTime, mobileCN, objectId, pageQuery } from '../common/schemas';
import { DATA_SCOPES, ROLES } from './roles';

const platformUserId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w@.-]+$/, { message: '只能包含字母、数字和 _ @ . -' });

const identities = z.strictObject({ wecom: platformUserId.optional(), dingtalk: platformUserId.optional() });

const userFields = {
  name: z.string().trim().min(1).max(64),
  mobile: mobileCN,
  email: z.email().max(254),
  title: z.string().trim().max(64),
  identities,
  departmentIds: z.array(objectId).min(1).max(20),
  leaderId: objectId.nullable(),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  dataScope: z.enum(DATA_SCOPES),
};

export const createUserBody = z.strictObject({
  ...userFields,
  mobile: userFields.mobile.optional(),
  email: userFields.email.optional(),
  title: userFields.title.optional(),
  identities: identities.default({}),
  leaderId: userFields.leaderId.optional(),
  roles: userFields.roles.default(['rep']),
  dataScope: userFields.dataScope.default('own'),
});
export type CreateUserInput = z.infer<typeof createUserBody>;

/** No defaults here: a PATCH changes only the fields it names. */
export const updateUserBody = z
  .strictObject(userFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateUserInput = z.infer<typeof updateUserBody>;

export const listUsersQuery = z.strictObject({
  q: z.string().trim().max(64).optional(),
  departmentId: objectId.optional(),
  status: z.enum(['active', 'resigned']).optional(),
  ...pageQuery,
});
export type ListUsersQuery = z.infer<typeof listUsersQuery>;

export const createDepartmentBody = z.strictObject({
  name: z.string().trim().min(1).max(64),
  parentId: objectId.nullable().default(null),
  leaderIds: z.array(objectId).max(10).default([]),
  order: z.number().int().min(0).max(1_000_000).default(0),
});
export type CreateDepartmentInput = z.infer<typeof createDepartmentBody>;

export const updateDepartmentBody = z
  .strictObject({
    name: z.string().trim().min(1).max(64),
    parentId: objectId.nullable(),
    leaderIds: z.array(objectId).max(10),
    order: z.number().int().min(0).max(1_000_000),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: '至少修改一个字段' });
export type UpdateDepartmentInput = z.infer<typeof updateDepartmentBody>;

export const devLoginBody = z.strictObject({ login: platformUserId });

/** A single-use code from the platform's client (wx.qy.login, WeCom OAuth redirect), exchanged by the server. */
export const platformCodeBody = z.strictObject({ code: z.string().trim().min(1).max(512) });
/** DingTalk's dd.getAuthCode result. */
export const dingTalkAuthCodeBody = z.strictObject({ authCode: z.string().trim().min(1).max(512) });

export const auditQuery = z.strictObject({
  entityType: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  actorId: objectId.optional(),
  from: dateTime.optional(),
  to: dateTime.optional(),
  ...pageQuery,
});
