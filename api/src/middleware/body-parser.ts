import { bodyParser } from '@koa/bodyparser';
import type { AppMiddleware } from '../context';

/** JSON only for the API; JSON over the limit answers 413 (mapped by the error handler). */
export function jsonBody(limitBytes: number): AppMiddleware {
  return bodyParser({
    enableTypes: ['json'],
    jsonLimit: limitBytes,
    encoding: 'utf-8',
    onError: (err) => {
      throw err;
    },
  }) as unknown as AppMiddleware;
}
