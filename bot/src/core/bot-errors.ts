/** The API's error codes as friendly chat replies; anything unknown gets a generic apology. */
const FRIENDLY: Record<string, string> = {
  VALIDATION_FAILED: '内容格式不对',
  NOT_FOUND: '没找到，或者你没有权限查看',
  FORBIDDEN: '你没有权限做这个操作',
  DUPLICATE_SUSPECTED: '可能和已有客户重复',
  IN_POOL: '这个客户在公海里，请先领取',
  NOT_IN_POOL: '这个客户已经被领走了',
  READ_ONLY: '你的账号是只读的',
  CONFLICT: '刚刚有人改过，请稍后再试',
  CLAIM_LIMIT: '今天领取的客户已达上限',
  POOL_MAX_OWNED: '名下客户数已达上限',
  POOL_COOLDOWN: '这个客户还在冷却期，暂时不能领取',
};

/**
 * The reply for a failed command: the API's own message when it may be shown (it is already specific and
 * Chinese; prefixing the generic line said the same thing twice), else the code's line, else an apology.
 */
export function friendlyError(code: string | undefined, message?: string): string {
  const base = code ? FRIENDLY[code] : undefined;
  if (!base) return '出了点问题，请稍后再试';
  return message || base;
}
