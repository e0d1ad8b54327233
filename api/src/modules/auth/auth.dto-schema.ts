import { z } from 'zod';
import { DATA_SCOPES, PERMISSIONS, ROLES, isoTime } from '@crm/shared';
import { userDtoSchema } from '../org/org.dto-schema';

/** Every sign-in answers this: the bearer token for `Authorization: Bearer …`. */
export const signInDtoSchema = z.strictObject({
  token: z.string().describe('访问令牌（JWT）：之后每个请求带 Authorization: Bearer <token>'),
  expiresAt: isoTime.describe('令牌过期时间；过期后重新登录'),
  user: userDtoSchema,
});

export const authOptionsDtoSchema = z.strictObject({
  devLogin: z.boolean().describe('本机调用者能否使用开发登录'),
  demoUsers: z
    .array(z.strictObject({ login: z.string().describe('企业微信 userid，即开发登录的 login'), name: z.string(), title: z.string().nullable() }))
    .describe('演示用户（仅开发登录开启时）'),
  wecomOAuth: z.strictObject({ corpId: z.string(), agentId: z.number().int() }).nullable().describe('企业微信网页授权参数；未配置企业微信时为 null'),
  dingtalk: z.boolean().describe('是否已配置钉钉免登'),
  qrLogin: z
    .strictObject({ wecom: z.boolean().describe('企业微信网页登录（扫码）'), dingtalk: z.boolean().describe('钉钉扫码登录') })
    .describe('网页工作台可用的扫码登录'),
});

export const webLoginQuery = z.strictObject({
  platform: z.enum(['wecom', 'wecom-oauth', 'dingtalk']).describe('wecom 企业微信扫码，wecom-oauth 企业微信客户端内授权，dingtalk 钉钉扫码 / 客户端内授权'),
  state: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .describe('页面生成的随机值，平台原样带回，页面据此核对'),
});

export const webLoginDtoSchema = z.strictObject({ url: z.string().describe('浏览器应跳转到的平台登录页') });

export const meDtoSchema = z.strictObject({
  user: userDtoSchema,
  roles: z.array(z.enum(ROLES)),
  scope: z.strictObject({ type: z.enum(DATA_SCOPES), label: z.string().describe('中文说明，例如 本部门及下级部门') }),
  permissions: z.array(z.enum(PERMISSIONS)).describe('当前用户拥有的权限（接口说明里的“需要权限”即指这些）'),
});
