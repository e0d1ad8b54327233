import { z } from 'zod';
import { DATA_SCOPES, ROLES, idString, isoTime } from '@crm/shared';

/** What toUserDto answers (org.dto.ts), for the OpenAPI document and the tests that check live answers. */
export const userDtoSchema = z.strictObject({
  id: idString,
  name: z.string(),
  mobile: z.string().nullable().describe('手机号，E.164 格式（+8613800138000）'),
  email: z.string().nullable(),
  title: z.string().nullable().describe('职务，例如 销售代表'),
  identities: z
    .strictObject({ wecom: z.string().nullable(), dingtalk: z.string().nullable() })
    .describe('企业微信 userid、钉钉 userid（机器人和小程序据此认人）'),
  departmentIds: z.array(idString),
  leaderId: idString.nullable().describe('直属上级（审批路线的 directLeader）'),
  roles: z.array(z.enum(ROLES)).describe('admin 管理员，manager 经理，rep 销售代表，partner 外部合作方（只读共享记录）'),
  dataScope: z
    .enum(DATA_SCOPES)
    .describe('数据范围：own 本人，own_and_subordinates 本人及下属，department 本部门，department_and_children 本部门及下级部门，all 全部'),
  status: z.enum(['active', 'resigned']).describe('active 在职，resigned 已停用（离职）'),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const departmentDtoSchema = z.strictObject({
  id: idString,
  name: z.string(),
  parentId: idString.nullable(),
  ancestorIds: z.array(idString).describe('所有上级部门，从根开始'),
  leaderIds: z.array(idString).describe('部门负责人（审批路线的 departmentLeader）'),
  order: z.number(),
  status: z.enum(['active', 'archived']).describe('active 正常，archived 已停用'),
});
