/** The reference's opening section (markdown, rendered by /api/docs): how to get a token and what every call shares. */
export const API_INTRO = `## 如何获取令牌

除登录接口外，每个请求都要带令牌：\`Authorization: Bearer <token>\`。令牌是 JWT，\`expiresAt\` 之后失效，再登录一次即可；账号停用后立即失效（401）。

**开发登录**（内置数据库默认开启，仅限本机；生产环境关闭）：用演示用户的企业微信 userid 换令牌。

\`\`\`
curl -s localhost:3000/api/v1/auth/dev-login -H 'content-type: application/json' -d '{"login":"demo-manager"}'
curl -s localhost:3000/api/v1/me -H "authorization: Bearer $TOKEN"
\`\`\`

演示用户：\`demo-admin\`（管理员）、\`demo-manager\`（华东销售部经理）、\`demo-rep1\`（销售代表 刘洋）、\`demo-finance\`（财务经理）、\`demo-partner\`（外部合作方，只读）等，完整列表见 README。

**小程序和企业应用内的登录**（都返回同样的 \`{ token, expiresAt, user }\`）：

| 场景 | 前端取得 | 调用 |
|---|---|---|
| 企业微信小程序 | \`wx.qy.login\` 的 code | \`POST /api/v1/auth/wecom-miniprogram {"code"}\` |
| 企业微信内打开 H5 | OAuth2 跳转带回的 code | \`POST /api/v1/auth/wecom-oauth {"code"}\` |
| 钉钉 | \`dd.getAuthCode\` 的 authCode | \`POST /api/v1/auth/dingtalk {"authCode"}\` |

不认识或已离职的成员得到 403（并记入审计）。登录页需要的参数（是否可开发登录、演示用户、企业微信 corpId / agentId）见 \`GET /api/v1/auth/options\`。

## 每个请求都适用

- **数据范围**：所有列表、详情、搜索都按调用者的数据范围过滤；范围外的记录返回 404（与不存在相同），不返回 403。
- **Idempotency-Key**：POST 请求可带 \`Idempotency-Key: <8–128 位字母、数字或 ._:->\`。没收到回应（超时、断网）时用同一个键重发，得到第一次的结果（响应头 \`Idempotent-Replayed: true\`），不会重复创建；同一个键换了请求内容返回 422 \`IDEMPOTENCY_KEY_REUSED\`。
- **X-Request-Id**：可自带请求 ID，原样返回在响应头里，并写进日志和审计记录；不带则由服务器生成。
- **错误格式**统一为：

\`\`\`
{
  "error": {
    "code": "VALIDATION_FAILED",
    "message": "请求参数不正确",
    "details": [{ "path": "body.name", "message": "…" }],
    "requestId": "…"
  }
}
\`\`\`

  \`message\` 是给人看的中文；程序请按 \`code\` 判断。每个接口下列出了它可能返回的错误码。503 \`DATABASE_UNAVAILABLE\` 带 \`Retry-After\`（秒）。
- **金额**一律以**分**为单位的整数（\`amountFen\`：12000000 即 ¥120,000.00）；**时间**为 ISO 8601（请求里也可用毫秒时间戳），按 Asia/Shanghai 理解“明天”“上午”。
- **分页**：列表返回 \`{ items, nextCursor }\`，把 \`nextCursor\` 作为 \`cursor\` 参数传回即取下一页，\`limit\` 最大 100。
`;

/** Tags in reading order, with one line each. */
export const TAGS: Array<{ name: string; description: string }> = [
  { name: '登录', description: '换取令牌、当前用户' },
  { name: '组织', description: '用户和部门（管理员维护）' },
  { name: '客户', description: '客户、公海、查重、客户 360' },
  { name: '联系人', description: '客户下的联系人' },
  { name: '跟进', description: '跟进记录和下一步' },
  { name: '商机', description: '商机和销售阶段' },
  { name: '合同', description: '合同和状态流转' },
  { name: '审批', description: '合同、折扣、客户报备的审批' },
  { name: '提醒', description: '我的提醒：完成、延后' },
  { name: '审计', description: '只读的审计日志' },
  { name: '报表', description: '漏斗、排行、来源、周期、使用情况、待处理清单和明细（都按数据范围）；清单可导出 xlsx' },
  { name: '公海', description: '公海：浏览、领取、锁定、延期；线索自动分配（接受 / 退回公海）' },
  { name: '交接', description: '离职继承 / 在职继承：客户、记录和企业微信客户关系一起交接' },
  { name: '导入', description: 'Excel / CSV 导入：列映射、清洗、查重、试导入、后台导入（进度、取消、回滚）、错误表' },
  { name: '导出', description: '按数据范围和列表筛选导出 xlsx / CSV（流式，防公式注入，记审计）' },
  { name: 'Webhook', description: '对外 Webhook：登记接收地址、签名投递、投递记录与重放（管理员）' },
];
