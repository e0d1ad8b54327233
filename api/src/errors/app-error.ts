/**
 * Error codes shared by every domain's HTTP answers and the bot's replies. Domain issues add their own
 * codes in `<domain>.errors.ts`; these are the cross-cutting ones.
 */
export const CommonErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  FORBIDDEN_KEY: 'FORBIDDEN_KEY',
  INVALID_JSON: 'INVALID_JSON',
  INVALID_ID: 'INVALID_ID',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  NOT_READY: 'NOT_READY',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  UNSUPPORTED_ENCODING: 'UNSUPPORTED_ENCODING',
  INVALID_BODY_ENCODING: 'INVALID_BODY_ENCODING',
  INTERNAL: 'INTERNAL',
} as const;

export interface AppErrorOptions {
  details?: unknown;
  /** Whether `message` may be shown to the caller; defaults to true below 500. */
  expose?: boolean;
  cause?: unknown;
  /** Sent as `Retry-After` (seconds): the caller may try again then. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly expose: boolean;
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.expose = options.expose ?? status < 500;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what = '资源') => new AppError(404, CommonErrorCode.NOT_FOUND, `${what}不存在或无权查看`);
export const forbidden = (message = '没有权限执行此操作') => new AppError(403, CommonErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = '请先登录') => new AppError(401, CommonErrorCode.UNAUTHENTICATED, message);
export const conflict = (message: string, details?: unknown) => new AppError(409, CommonErrorCode.CONFLICT, message, { details });

/** Seconds a caller is asked to wait (Retry-After) when the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
export const databaseUnavailable = (cause?: unknown) =>
  new AppError(503, CommonErrorCode.DATABASE_UNAVAILABLE, '数据库暂时不可用，请稍后重试', {
    cause,
    expose: true,
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
