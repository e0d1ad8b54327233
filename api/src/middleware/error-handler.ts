import type { AppMiddleware } from '../context';
import { AppError, CommonErrorCode } from '../errors/app-error';
import { asAppError } from '../errors/as-app-error';

/**
 * First in the chain. Every error leaves as `{ error: { code, message, details } }`; 5xx text is
 * replaced by a generic message and logged with the request id. Unmatched routes become a JSON 404.
 */
export function errorHandler(): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, CommonErrorCode.NOT_FOUND, `没有这个接口：${ctx.method} ${ctx.path}`);
      }
    } catch (thrown) {
      const err = asAppError(thrown);
      const log = ctx.state.log;
      // an outage is one warn line per request, not a stack trace each
      // (and /readyz, which a load balancer polls every few seconds)
      if (err.code === CommonErrorCode.DATABASE_UNAVAILABLE || err.code === CommonErrorCode.NOT_READY)
        log?.warn({ code: err.code, cause: (thrown as Error)?.name }, 'database unavailable');
      else if (err.status >= 500) log?.error({ err: thrown, code: err.code }, 'request failed');
      else log?.debug({ code: err.code, status: err.status }, err.message);
      ctx.status = err.status;
      if (err.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(err.retryAfterSeconds));
      ctx.body = {
        error: {
          code: err.code,
          message: err.expose ? err.message : '服务器内部错误，请稍后重试',
          ...(err.expose && err.details !== undefined ? { details: err.details } : {}),
          requestId: ctx.state.requestId,
        },
      };
    }
  };
}
