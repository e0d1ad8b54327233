import { z } from 'zod';
import type { InputSchemas } from '../../middleware/validate';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog';
import storedExamples from './examples.json';
import { API_INTRO, TAGS } from './intro';
import type { ResponseDoc } from './responds';

/** One line per operation; a test keeps this list and the routes in step. */
export const SUMMARIES: Record<string, { summary: string; tag: string }> = {
  'GET /api/v1/reports/funnel': { summary: '销售漏斗：各阶段数量、金额、到达下一阶段的转化率，赢单 / 输单和输单原因（按数据范围）', tag: '报表' },
  'GET /api/v1/reports/ranking': { summary: '排行：按负责人或部门的签约金额、赢单、新客户、跟进，附上一周期', tag: '报表' },
  'GET /api/v1/reports/sources': { summary: '客户来源分析：新客户、商机、赢单金额和转化率', tag: '报表' },
  'GET /api/v1/reports/cycle': { summary: '销售周期：创建到赢单的平均天数，按阶段和负责人', tag: '报表' },
  'GET /api/v1/reports/adoption': { summary: '使用情况：每日 / 每周活跃人数、每人每周跟进、聊天记录占比、提醒 24 小时内处理率', tag: '报表' },
  'GET /api/v1/reports/stalled': { summary: '停滞商机：超过阶段时限的商机（可导出 xlsx）', tag: '报表' },
  'GET /api/v1/reports/forgotten': { summary: '久未跟进的客户：超过级别时限没有跟进（可导出 xlsx）', tag: '报表' },
  'GET /api/v1/reports/team-overdue': { summary: '团队逾期跟进：按人统计逾期的跟进提醒（经理）', tag: '报表' },
  'GET /api/v1/reports/drill': { summary: '明细：一个数字背后的记录（分页，可导出 xlsx）', tag: '报表' },
  'GET /api/v1/reports/summary': { summary: '本期业绩摘要（我的 / 团队），聊天卡片和手机首页用', tag: '报表' },
  'GET /api/v1/pools': { summary: '我可以查看和领取的公海', tag: '公海' },
  'GET /api/v1/pools/near': { summary: '附近可领取的公海客户（按我的客户所在地区和行业）', tag: '公海' },
  'GET /api/v1/pools/{key}/customers': { summary: '公海客户列表（仅公海成员；领取前可隐藏联系方式）', tag: '公海' },
  'POST /api/v1/pools/customers/{id}/claim': { summary: '领取公海客户（每日上限、名下上限、冷却期）', tag: '公海' },
  'PUT /api/v1/pools/locks/{id}': { summary: '锁定 / 解锁客户（锁定的客户不会被回收到公海）', tag: '公海' },
  'GET /api/v1/assignments': { summary: '我待接受的线索分配', tag: '公海' },
  'POST /api/v1/assignments': { summary: '按分配规则分配客户（经理、管理员）', tag: '公海' },
  'POST /api/v1/assignments/{id}/accept': { summary: '接受分配的线索', tag: '公海' },
  'POST /api/v1/assignments/{id}/return': { summary: '不接受分配，退回公海', tag: '公海' },
  'POST /api/v1/auth/dev-login': { summary: '开发登录（按企业微信 userid，仅 DEV_LOGIN 开启时）', tag: '登录' },
  'GET /api/v1/auth/options': { summary: '小程序登录页的选项（开发登录、演示用户、企业微信 OAuth 参数）', tag: '登录' },
  'POST /api/v1/auth/wecom-miniprogram': { summary: '企业微信小程序登录（wx.qy.login 的 code → jscode2session）', tag: '登录' },
  'POST /api/v1/auth/wecom-oauth': { summary: '企业微信网页授权登录（OAuth2 code → auth/getuserinfo）', tag: '登录' },
  'POST /api/v1/auth/dingtalk': { summary: '钉钉免登（dd.getAuthCode 的 authCode → topapi/v2/user/getuserinfo）', tag: '登录' },
  'GET /api/v1/me': { summary: '当前用户、角色、数据范围和权限', tag: '登录' },
  'GET /api/v1/auth/web-login': { summary: '网页工作台：企业微信 / 钉钉扫码登录页的地址（state 由页面生成）', tag: '登录' },
  'POST /api/v1/auth/wecom-qr': { summary: '企业微信网页登录（扫码回调的 code → auth/getuserinfo）', tag: '登录' },
  'POST /api/v1/auth/dingtalk-qr': { summary: '钉钉扫码登录（authCode → 用户令牌 → unionId → userid）', tag: '登录' },
  'POST /api/v1/customers/bulk/transfer': { summary: '批量转移客户（逐个按数据范围，逐个审计；返回每个的结果）', tag: '客户' },
  'POST /api/v1/customers/bulk/release': { summary: '批量释放到公海（逐个按数据范围，逐个审计）', tag: '客户' },
  'GET /api/v1/saved-views': { summary: '我保存的列表视图（网页工作台的客户表）', tag: '客户' },
  'POST /api/v1/saved-views': { summary: '保存视图（同名则替换筛选条件）', tag: '客户' },
  'DELETE /api/v1/saved-views/{id}': { summary: '删除我的视图', tag: '客户' },
  'GET /api/v1/settings': { summary: '业务设置只读展示：商机阶段与时限、审批规则、提醒策略及其修改位置（管理员）', tag: '组织' },
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
  'GET /api/v1/reminders': {
    summary: '我的提醒：today 今天到期 / overdue 已逾期（最近逾期的在前）/ upcoming 之后 / team 团队提醒；counts 为各栏数量',
    tag: '提醒',
  },
  'GET /api/v1/reminders/{id}': { summary: '提醒详情（只能看自己的）', tag: '提醒' },
  'POST /api/v1/reminders/{id}/complete': { summary: '完成提醒（重复点击无副作用）', tag: '提醒' },
  'POST /api/v1/reminders/{id}/snooze': { summary: '延后提醒：preset 为 1h / tomorrow-morning / next-monday，或 until 指定时间', tag: '提醒' },
  'POST /api/v1/reminders/complete': { summary: '批量完成提醒（ids，最多 200 条；不是你的或已结束的会跳过）', tag: '提醒' },
  'POST /api/v1/reminders/{id}/nudge': { summary: '提醒他：经理就团队提醒催促负责人', tag: '提醒' },
  'GET /api/v1/audit': { summary: '审计日志（管理员，只读）', tag: '审计' },
  'POST /api/v1/imports': { summary: '上传导入文件（multipart：file、entity、可选 mappingTemplateId）→ 草稿和建议的列映射', tag: '导入' },
  'GET /api/v1/imports': { summary: '我的导入任务（管理员：全部）', tag: '导入' },
  'GET /api/v1/imports/{id}': { summary: '导入任务：状态、进度（已完成 / 总数、速度、剩余时间）、试导入和正式导入的报告', tag: '导入' },
  'POST /api/v1/imports/{id}/dry-run': { summary: '试导入（不写入任何数据）：清洗、负责人匹配、去重，返回报告；大文件先答 202', tag: '导入' },
  'POST /api/v1/imports/{id}/run': { summary: '正式导入（后台任务，可断点续传），dedupe 选择 跳过 / 更新 / 仍然新建', tag: '导入' },
  'POST /api/v1/imports/{id}/cancel': { summary: '取消导入（已写入的可再回滚）', tag: '导入' },
  'POST /api/v1/imports/{id}/rollback': { summary: '回滚导入：删除新建的、恢复更新的（已被他人修改的保留并列出）', tag: '导入' },
  'GET /api/v1/imports/{id}/errors.xlsx': { summary: '错误表：未导入的原始行加一列原因，改正后可重新导入', tag: '导入' },
  'GET /api/v1/imports/templates': { summary: '我的列映射模板', tag: '导入' },
  'POST /api/v1/imports/templates': { summary: '保存列映射模板（同名覆盖）', tag: '导入' },
  'DELETE /api/v1/imports/templates/{id}': { summary: '删除列映射模板', tag: '导入' },
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
  'GET /api/v1/webhooks': { summary: 'Webhook 列表（管理员）', tag: 'Webhook' },
  'POST /api/v1/webhooks': { summary: '注册 Webhook：url、events、secret（不填自动生成，只返回一次）；生产环境只允许公网 https', tag: 'Webhook' },
  'GET /api/v1/webhooks/{id}': { summary: 'Webhook 详情', tag: 'Webhook' },
  'PATCH /api/v1/webhooks/{id}': { summary: '修改 Webhook（地址、事件、密钥、启用/停用）', tag: 'Webhook' },
  'DELETE /api/v1/webhooks/{id}': { summary: '删除 Webhook（未送达的投递标记失败，投递记录保留）', tag: 'Webhook' },
  'GET /api/v1/webhooks/{id}/deliveries': { summary: '投递记录：状态、尝试次数、每次的状态码、耗时和响应（截断）', tag: 'Webhook' },
  'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/replay': { summary: '重新投递（同一事件 ID 和正文）', tag: 'Webhook' },
  'POST /api/v1/directory/dry-run': { summary: '通讯录同步预览：将新增 / 变更 / 离开的部门和人员（不改数据；管理员）', tag: '组织' },
  'POST /api/v1/directory/sync': { summary: '开始通讯录同步（后台进行，返回同步记录；同一时间只有一个）', tag: '组织' },
  'GET /api/v1/directory/runs/{id}': { summary: '同步记录：进度（阶段、断点）、各类数量、变化明细、离开人员', tag: '组织' },
  'POST /api/v1/handovers/preview': {
    summary: '交接预览：被交接人名下的客户、联系人、商机、合同、审批、提醒、企业微信客户和客户群，及建议的分配',
    tag: '交接',
  },
  'POST /api/v1/handovers': { summary: '发起离职继承 / 在职继承（后台执行：CRM 负责人、审批、提醒、企业微信转接）', tag: '交接' },
  'GET /api/v1/handovers': { summary: '交接列表（经理：本团队；管理员：全部）', tag: '交接' },
  'GET /api/v1/handovers/{id}': { summary: '交接进度与报告', tag: '交接' },
  'GET /api/v1/handovers/{id}/items': { summary: '交接明细：每个客户、企业微信客户和客户群的结果', tag: '交接' },
  'GET /api/v1/exports/customers': { summary: '导出客户（xlsx / CSV；与客户列表相同的筛选和数据范围）', tag: '导出' },
  'GET /api/v1/exports/contacts': { summary: '导出联系人（xlsx / CSV；数据范围内）', tag: '导出' },
  'GET /api/v1/exports/follow-ups': { summary: '导出跟进记录（xlsx / CSV；数据范围内）', tag: '导出' },
  'GET /api/v1/exports/opportunities': { summary: '导出商机（xlsx / CSV；可按阶段筛选）', tag: '导出' },
  'GET /api/v1/exports/contracts': { summary: '导出合同（xlsx / CSV；可按状态筛选）', tag: '导出' },
};

type Layer = {
  path: string | RegExp;
  methods: string[];
  stack: Array<{ inputSchemas?: InputSchemas; permission?: string; responseDoc?: ResponseDoc }>;
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const BODY_ERRORS: ErrorCode[] = ['INVALID_JSON', 'INVALID_BODY_ENCODING', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_ENCODING'];
const KEY_ERRORS: ErrorCode[] = ['IDEMPOTENCY_KEY_INVALID', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS'];
const STATUS_TEXT: Record<number, string> = {
  400: '请求不正确',
  401: '未登录',
  403: '没有权限',
  404: '不存在或无权查看',
  409: '冲突',
  413: '请求体过大',
  415: '不支持的请求格式',
  422: '无法处理',
  500: '服务器错误',
  502: '平台不可用',
  503: '暂时不可用',
};

export interface ErrorCodeDoc {
  code: ErrorCode;
  status: number;
  meaning: string;
}

/**
 * The error codes one operation can answer: those of its middleware (authentication, permission, validation,
 * body parsing, Idempotency-Key, a record id in the path), those its route declares with `responds()`, and the
 * database outage every operation can meet.
 */
function errorCodesOf(op: {
  method: string;
  path: string;
  authenticated: boolean;
  permission?: string;
  schemas: InputSchemas;
  declared: readonly ErrorCode[];
}) {
  const codes = new Set<ErrorCode>();
  if (op.schemas.body || op.schemas.query || op.schemas.params) codes.add('VALIDATION_FAILED').add('FORBIDDEN_KEY');
  if (op.method === 'POST' || op.method === 'PATCH') BODY_ERRORS.forEach((c) => codes.add(c));
  if (op.authenticated) codes.add('UNAUTHENTICATED');
  if (op.permission) codes.add('FORBIDDEN');
  if (op.path.includes('{id}')) codes.add('NOT_FOUND');
  if (op.authenticated && op.method === 'POST') KEY_ERRORS.forEach((c) => codes.add(c));
  op.declared.forEach((c) => codes.add(c));
  codes.add('INTERNAL').add('DATABASE_UNAVAILABLE');
  return [...codes].map((code): ErrorCodeDoc => ({ code, ...ERROR_CATALOG[code] })).sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
}

type Properties = { properties?: Record<string, { description?: string }> };
/** A request body's fields without a description of their own take the one of the same field in the answer (tier, amountFen, stage…). */
function describedLike(request: Record<string, unknown>, response: Record<string, unknown>): Record<string, unknown> {
  const answer = (response as Properties).properties ?? {};
  const props = (request as Properties).properties;
  if (!props) return request;
  for (const [name, field] of Object.entries(props)) {
    const description = answer[name]?.description;
    if (!field.description && description) field.description = description;
  }
  return request;
}

const errorSchemaFor = (codes: readonly string[]) => ({
  allOf: [{ $ref: '#/components/schemas/Error' }, { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } }],
});

/** The OpenAPI 3.1 document, generated from the mounted routers, the zod schemas they validate with and the responses they declare. */
export function buildOpenApi(
  routers: Array<{ router: { stack: unknown[] }; public: boolean }>,
  info: { version: string; serverUrl: string; examples?: Record<string, unknown> },
) {
  const examples = info.examples ?? (storedExamples as Record<string, unknown>);
  const paths: Record<string, Record<string, unknown>> = {};
  const undocumented: string[] = [];
  /** Operations without `responds()`: their success answer is undocumented. */
  const withoutResponse: string[] = [];
  /** key → the success status and schema (the openapi test validates live answers and examples against them). */
  const responseSchemas: Record<string, { status: number; schema: z.ZodType }> = {};
  for (const { router, public: isPublic } of routers) {
    for (const layer of router.stack as Layer[]) {
      if (typeof layer.path !== 'string') continue;
      const methods = layer.methods.filter((m) => m !== 'HEAD');
      if (!methods.length) continue;
      const path = layer.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/';
      const schemas = layer.stack.find((m) => m.inputSchemas)?.inputSchemas ?? {};
      const permission = layer.stack.find((m) => m.permission)?.permission;
      const response = layer.stack.find((m) => m.responseDoc)?.responseDoc;
      for (const method of methods) {
        const key = `${method} ${path}`;
        const doc = SUMMARIES[key];
        if (!doc) undocumented.push(key);
        if (!response) withoutResponse.push(key);
        const authenticated = !isPublic || key.endsWith('/me');
        const parameters: unknown[] = [];
        for (const [where, schema] of [
          ['path', schemas.params],
          ['query', schemas.query],
        ] as const) {
          if (!schema) continue;
          const js = jsonSchema(schema, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
          for (const [name, s] of Object.entries(js.properties ?? {})) {
            parameters.push({
              name,
              in: where,
              required: where === 'path' || (js.required ?? []).includes(name),
              ...(s.description ? { description: s.description } : {}),
              schema: s,
            });
          }
        }
        if (authenticated && method === 'POST') {
          parameters.push({
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: '重发同一请求时带同一个键，得到第一次的结果而不会重复执行（8–128 位字母、数字或 ._:-）',
            schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
          });
        }
        const errors = errorCodesOf({ method, path, authenticated, permission, schemas, declared: response?.errors ?? [] });
        const byStatus = new Map<number, ErrorCodeDoc[]>();
        for (const e of errors) byStatus.set(e.status, [...(byStatus.get(e.status) ?? []), e]);
        const errorResponses = Object.fromEntries(
          [...byStatus].map(([status, list]) => [
            String(status),
            {
              description: `${STATUS_TEXT[status] ?? '错误'}：${list.map((e) => e.code).join('、')}`,
              content: { 'application/json': { schema: errorSchemaFor(list.map((e) => e.code)) } },
            },
          ]),
        );
        const okStatus = response?.status ?? (method === 'POST' ? 201 : 200);
        const okSchema = response ? jsonSchema(response.schema, 'output') : { type: 'object' };
        const requestSchema = schemas.body ? describedLike(jsonSchema(schemas.body, 'input'), okSchema) : null;
        if (response) responseSchemas[key] = { status: okStatus, schema: response.schema };
        const example = examples[key];
        const description = [response?.description, permission ? `需要权限：\`${permission}\`（并受数据范围限制）` : null].filter(Boolean).join('\n\n');
        (paths[path] ??= {})[method.toLowerCase()] = {
          operationId: key,
          summary: doc?.summary ?? key,
          tags: [doc?.tag ?? '其他'],
          ...(description ? { description } : {}),
          ...(isPublic && !key.endsWith('/me') ? { security: [] } : {}),
          ...(parameters.length ? { parameters } : {}),
          ...(requestSchema ? { requestBody: { required: true, content: { 'application/json': { schema: requestSchema } } } } : {}),
          responses: {
            [String(okStatus)]: {
              description: '成功',
              content: response?.media
                ? // a file (exports): one entry per media type, the body is the file itself
                  Object.fromEntries(response.media.map((m) => [m, { schema: { ...okSchema, type: 'string', format: 'binary' } }]))
                : {
                    'application/json': {
                      schema: okSchema,
                      ...(example !== undefined ? { example } : {}),
                    },
                  },
            },
            ...errorResponses,
          },
          'x-error-codes': errors,
        };
      }
    }
  }
  return {
    document: {
      openapi: '3.1.0',
      info: { title: '聊天式 CRM API', version: info.version, description: API_INTRO },
      servers: [{ url: info.serverUrl }],
      security: [{ bearer: [] }],
      tags: TAGS,
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: '登录接口返回的 token' } },
        schemas: {
          Error: {
            type: 'object',
            required: ['error'],
            additionalProperties: false,
            properties: {
              error: {
                type: 'object',
                required: ['code', 'message', 'requestId'],
                properties: {
                  code: { type: 'string', description: '错误码：程序按它判断（见各接口的错误码表）' },
                  message: { type: 'string', description: '给人看的中文说明' },
                  details: { description: '补充信息：校验失败时为 [{ path, message }]，疑似重复时含候选客户' },
                  requestId: { type: 'string', description: '本次请求的 X-Request-Id，可据此查日志' },
                },
              },
            },
          },
        },
      },
    },
    undocumented,
    withoutResponse,
    responseSchemas,
  };
}
