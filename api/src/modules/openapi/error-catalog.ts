/**
 * Every error code the API answers with, its HTTP status and what it means (Chinese, for the reference).
 * The builder derives each operation's list from its middleware; routes add their domain codes with
 * `responds(…, { errors })`. The openapi test checks that live error answers use only documented codes.
 */
export const ERROR_CATALOG = {
  // request shape
  VALIDATION_FAILED: { status: 400, meaning: '请求参数不正确；details 列出每个字段（path，如 body.name）的问题' },
  FORBIDDEN_KEY: { status: 400, meaning: '字段名含 $ 或 .（防注入）' },
  INVALID_ID: { status: 400, meaning: 'ID 格式不正确' },
  INVALID_JSON: { status: 400, meaning: '请求体不是合法的 JSON' },
  INVALID_BODY_ENCODING: { status: 400, meaning: '请求体无法按 Content-Encoding 解压' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: '请求体超过 1 MB' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: '请求体须为 application/json' },
  UNSUPPORTED_ENCODING: { status: 415, meaning: '不支持的 Content-Encoding（只接受 gzip、deflate、br 或不压缩）' },
  // who
  UNAUTHENTICATED: { status: 401, meaning: '未登录，或令牌无效、已过期，或账号已停用：重新登录' },
  FORBIDDEN: { status: 403, meaning: '你的角色没有这项权限' },
  READ_ONLY: { status: 403, meaning: '只读账号（外部合作方）不能修改' },
  NOT_FOUND: { status: 404, meaning: '不存在，或不在你的数据范围内（两者回答相同）' },
  // Idempotency-Key
  IDEMPOTENCY_KEY_INVALID: { status: 400, meaning: 'Idempotency-Key 须为 8–128 位字母、数字或 ._:-' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, meaning: '同一个 Idempotency-Key 用在了不同的请求（方法、路径或请求体不同）' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, meaning: '同一个 Idempotency-Key 的第一次请求还在处理：稍后用同一个键重试' },
  // state
  CONFLICT: { status: 409, meaning: '记录刚被他人修改或当前状态不允许（message 说明原因）：刷新后重试' },
  DUPLICATE_SUSPECTED: { status: 409, meaning: '疑似重复客户；details.candidates 列出候选。确需新建时带 force: true 和 reason' },
  IMPORT_FILE_REFUSED: { status: 422, meaning: '导入文件被拒绝：.xls、压缩炸弹、列数过多、不是 Excel / CSV、空文件；message 说明原因和改法' },
  IN_POOL: { status: 409, meaning: '客户在公海中：先领取' },
  NOT_IN_POOL: { status: 409, meaning: '客户不在公海中（可能已被他人领取）' },
  CLAIM_LIMIT: { status: 409, meaning: '今天领取的公海客户已达每日上限（config/src/pool-rules.ts claimsPerDay）' },
  POOL_MAX_OWNED: { status: 409, meaning: '名下客户数已达上限（maxOwned）：先释放一些再领取' },
  POOL_COOLDOWN: { status: 409, meaning: '该客户刚从你名下退回公海，冷却期内不能再领取；details.until 为可领取时间' },
  UNKNOWN_STAGE: { status: 400, meaning: '未知的商机阶段，或新商机不能从已结束的阶段开始' },
  LOST_REASON_REQUIRED: { status: 400, meaning: '输单需要填写 lostReason' },
  OPPORTUNITY_CLOSED: { status: 409, meaning: '商机已赢单或输单，不能再变更阶段' },
  STAGE_CHANGED: { status: 409, meaning: '商机阶段刚被他人修改：刷新后重试' },
  CONTRACT_NUMBER_TAKEN: { status: 409, meaning: '合同编号已存在' },
  HANDOVER_RUNNING: { status: 409, meaning: '该成员已有进行中的客户交接' },
  CONTRACT_INVALID_TRANSITION: { status: 409, meaning: '合同当前状态不允许这个操作（例如审批中的合同不能修改）' },
  APPROVAL_ALREADY_PENDING: { status: 409, meaning: '该事项已在审批中' },
  APPROVAL_INVALID_SUBJECT: { status: 409, meaning: '审批对象当前不能提交（例如合同不是草稿或已驳回，客户不在公海）' },
  APPROVAL_NO_APPROVER: { status: 422, meaning: '按审批规则找不到任何审批人（连上级、部门负责人、管理员都没有）' },
  APPROVAL_REASON_REQUIRED: { status: 400, meaning: '驳回需要填写 comment（原因）' },
  APPROVAL_NOT_APPROVER: { status: 403, meaning: '你不是当前步骤的审批人' },
  APPROVAL_NOT_PENDING: { status: 409, meaning: '审批已结束（已通过、已驳回、已撤回或已过期）' },
  APPROVAL_ALREADY_HANDLED: { status: 409, meaning: '该步骤已由他人处理' },
  // platforms and the server
  PLATFORM_UNAVAILABLE: { status: 502, meaning: '企业微信或钉钉暂时无法验证身份：稍后重试' },
  INTERNAL: { status: 500, meaning: '服务器内部错误；带上 requestId 查日志' },
  DATABASE_UNAVAILABLE: { status: 503, meaning: '数据库暂时不可用：按 Retry-After（秒）后重试，带 Idempotency-Key 的写请求可放心重试' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
