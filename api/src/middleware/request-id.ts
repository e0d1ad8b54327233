import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppMiddleware } from '../context';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes X-Request-Id from the caller when it is a safe token, otherwise makes one; echoes it back and
 * binds it to the request's logger so every log line of this request carries it.
 */
export function requestId(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const id = SAFE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    // made on first use: most requests never log, and a child logger per request is measurable on the
    // chat callbacks' hot path
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (log ??= logger.child({ reqId: id })),
      set: (value: Logger) => {
        log = value;
      },
    });
    const client = ctx.get('X-Client');
    ctx.state.meta = { requestId: id, channel: client === 'miniapp' ? 'miniapp' : client === 'web' ? 'web' : 'api', actorId: null };
    ctx.state.input = {};
    ctx.set('X-Request-Id', id);
    await next();
  };
}
