import { z } from 'zod';
import type { InputSchemas } from '../../middleware/validate';

/** One line per operation; a test keeps this list and the routes in step. */
export const SUMMARIES: Record<string, { summary: string; tag: string }> = {
  'POST /api/v1/auth/dev-login': { summary: '开发登录（按企业微信 userid，仅 DEV_LOGIN 开启时）', tag: '登录' },
  'GET /api/v1/auth/options': { summary: '小程序登录页的选项（开发登录、演示用户、企业微信 OAuth 参数）', tag: '登录' },
  'POST /api/v1/auth/wecom-miniprogram': { summary: '企业微信小程序登录（wx.qy.login 的 code → jscode2session）', tag: '登录' },
  'POST /api/v1/auth/wecom-oauth': { summary: '企业微信网页授权登录（OAuth2 code → auth/getuserinfo）', tag: '登录' },
  'POST /api/v1/auth/dingtalk': { summary: '钉钉免登（dd.getAuthCode 的 authCode → topapi/v2/user/getuserinfo）', tag: '登录' },
  'GET /api/v1/me': { summary: '当前用户、角色、数据范围和权限', tag: '登录' },
  'GET /api/v1/users': { summary: '用户列表（按数据范围）', tag: '组织' },
  'GET /api/v1/users/{id}': { summary: '用户详情', tag: '组织' },
  'POST /api/v1/users': { summary: '新建用户（管理员）', tag: '组织' },
  'PATCH /api/v1/users/{id}': { summary: '修改用户（管理员）', tag: '组织' },
  'POST /api/v1/users/{id}/deactivate': { summary: '停用用户（管理员）', tag: '组织' },
  'GET /api/v1/departments': { summary: '部门列表（按数据范围）', tag: '组织' },
  'GET /api/v1/departments/{id}': { summary: '部门详情', tag: '组织' },
  'POST /api/v1/departments': { summary: '新建部门（管理员）', tag: '组织' },
  'PATCH /api/v1/departments/{id}': { summary: '修改部门（管理员）', tag: '组织' },
  'POST /api/v1/departments/{id}/deactivate': { summary: '停用空部门（管理员）', tag: '组织' },
  'GET /api/v1/reminders': { summary: '我的提醒：today 今天到期 / overdue 已逾期 / upcoming 之后', tag: '提醒' },
  'GET /api/v1/reminders/{id}': { summary: '提醒详情（只能看自己的）', tag: '提醒' },
  'POST /api/v1/reminders/{id}/complete': { summary: '完成提醒（重复点击无副作用）', tag: '提醒' },
  'POST /api/v1/reminders/{id}/snooze': { summary: '延后提醒：preset 为 1h / tomorrow-morning / next-monday，或 until 指定时间', tag: '提醒' },
  'GET /api/v1/audit': { summary: '审计日志（管理员，只读）', tag: '审计' },
  'GET /api/v1/customers': { summary: '客户列表与搜索：姓名、公司、拼音、首字母、手机号（含尾号）、邮箱', tag: '客户' },
  'GET /api/v1/customers/{id}': { summary: '客户 360：资料、联系人、跟进、商机、合同、下次提醒', tag: '客户' },
  'POST /api/v1/customers': { summary: '新建客户（先查重；疑似重复返回 409 DUPLICATE_SUSPECTED）', tag: '客户' },
  'POST /api/v1/customers/duplicate-check': { summary: '只查重，不创建', tag: '客户' },
  'PATCH /api/v1/customers/{id}': { summary: '修改客户', tag: '客户' },
  'POST /api/v1/customers/{id}/transfer': { summary: '转移负责人（经理、管理员）', tag: '客户' },
  'POST /api/v1/customers/{id}/release': { summary: '放入公海', tag: '客户' },
  'POST /api/v1/customers/{id}/claim': { summary: '从公海领取（并发时只有一人成功）', tag: '客户' },
  'POST /api/v1/customers/{id}/share': { summary: '共享给外部合作方（只读）', tag: '客户' },
  'POST /api/v1/customers/{id}/contacts': { summary: '新增联系人', tag: '联系人' },
  'GET /api/v1/contacts': { summary: '联系人列表', tag: '联系人' },
  'GET /api/v1/contacts/{id}': { summary: '联系人详情', tag: '联系人' },
  'PATCH /api/v1/contacts/{id}': { summary: '修改联系人', tag: '联系人' },
  'GET /api/v1/follow-ups': { summary: '跟进记录列表', tag: '跟进' },
  'GET /api/v1/follow-ups/{id}': { summary: '跟进记录详情', tag: '跟进' },
  'POST /api/v1/follow-ups': { summary: '记录跟进（可带下一步和签到位置）', tag: '跟进' },
  'PATCH /api/v1/follow-ups/{id}': { summary: '更正跟进（记录人，24 小时内）', tag: '跟进' },
  'GET /api/v1/opportunities/stages': { summary: '商机阶段配置', tag: '商机' },
  'GET /api/v1/opportunities': { summary: '商机列表', tag: '商机' },
  'GET /api/v1/opportunities/{id}': { summary: '商机详情（含阶段历史）', tag: '商机' },
  'POST /api/v1/opportunities': { summary: '新建商机', tag: '商机' },
  'PATCH /api/v1/opportunities/{id}': { summary: '修改商机', tag: '商机' },
  'POST /api/v1/opportunities/{id}/stage': { summary: '推进阶段（输单需原因）', tag: '商机' },
  'GET /api/v1/contracts': { summary: '合同列表', tag: '合同' },
  'GET /api/v1/contracts/{id}': { summary: '合同详情', tag: '合同' },
  'POST /api/v1/contracts': { summary: '新建合同（编号唯一）', tag: '合同' },
  'PATCH /api/v1/contracts/{id}': { summary: '修改合同（草稿或已驳回）', tag: '合同' },
  'POST /api/v1/contracts/{id}/sign': { summary: '签约（审批通过后）', tag: '合同' },
  'POST /api/v1/contracts/{id}/void': { summary: '作废', tag: '合同' },
  'POST /api/v1/contracts/{id}/submit': { summary: '提交合同审批（按审批规则生成路线；草稿或已驳回的合同）', tag: '审批' },
  'POST /api/v1/approvals': {
    summary: '发起审批：subjectType=discount（商机或合同的折扣，需 discountPercent）、customer-report（报备公海客户，通过后领取并开始保护期）或 contract',
    tag: '审批',
  },
  'GET /api/v1/approvals': { summary: '审批列表：box=todo 待我审批 / done 我已处理 / mine 我发起的', tag: '审批' },
  'GET /api/v1/approvals/{id}': { summary: '审批详情（路线、每步审批人与意见、完整历史）', tag: '审批' },
  'POST /api/v1/approvals/{id}/decision': { summary: '审批：decision=approve 同意 / reject 驳回（驳回需 comment 原因）；只算一次', tag: '审批' },
  'POST /api/v1/approvals/{id}/withdraw': { summary: '撤回审批（申请人，审批中）', tag: '审批' },
};

type Layer = { path: string | RegExp; methods: string[]; stack: Array<{ inputSchemas?: InputSchemas; permission?: string }> };

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const errorResponse = { description: '错误', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

/** The OpenAPI 3.1 document, generated from the mounted routers and the zod schemas they validate with. */
export function buildOpenApi(routers: Array<{ router: { stack: unknown[] }; public: boolean }>, info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const undocumented: string[] = [];
  for (const { router, public: isPublic } of routers) {
    for (const layer of router.stack as Layer[]) {
      if (typeof layer.path !== 'string') continue;
      const methods = layer.methods.filter((m) => m !== 'HEAD');
      if (!methods.length) continue;
      const path = layer.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/';
      const schemas = layer.stack.find((m) => m.inputSchemas)?.inputSchemas ?? {};
      const permission = layer.stack.find((m) => m.permission)?.permission;
      for (const method of methods) {
        const key = `${method} ${path}`;
        const doc = SUMMARIES[key];
        if (!doc) undocumented.push(key);
        const parameters: unknown[] = [];
        for (const [where, schema] of [
          ['path', schemas.params],
          ['query', schemas.query],
        ] as const) {
          if (!schema) continue;
          const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
          for (const [name, s] of Object.entries(js.properties ?? {})) {
            parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
          }
        }
        (paths[path] ??= {})[method.toLowerCase()] = {
          summary: doc?.summary ?? key,
          tags: [doc?.tag ?? '其他'],
          ...(permission ? { description: `需要权限：\`${permission}\`（并受数据范围限制）` } : {}),
          ...(isPublic && !key.endsWith('/me') ? { security: [] } : {}),
          ...(parameters.length ? { parameters } : {}),
          ...(schemas.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } } } : {}),
          responses: {
            [method === 'POST' && !path.includes('{id}/') && !path.endsWith('dev-login') && !path.endsWith('duplicate-check') ? '201' : '200']: {
              description: '成功',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '400': errorResponse,
            '401': errorResponse,
            '403': errorResponse,
            '404': errorResponse,
            '409': errorResponse,
          },
        };
      }
    }
  }
  return {
    document: {
      openapi: '3.1.0',
      info: {
        title: '聊天式 CRM API',
        version: info.version,
        description: '所有列表、详情、搜索都按调用者的数据范围过滤；范围外的记录返回 404。错误格式统一为 { error: { code, message, details, requestId } }。',
      },
      servers: [{ url: info.serverUrl }],
      security: [{ bearer: [] }],
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: {
          Error: {
            type: 'object',
            required: ['error'],
            properties: {
              error: {
                type: 'object',
                required: ['code', 'message'],
                properties: {
                  code: { type: 'string', examples: ['VALIDATION_FAILED', 'DUPLICATE_SUSPECTED', 'NOT_FOUND'] },
                  message: { type: 'string' },
                  details: {},
                  requestId: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    undocumented,
  };
}
