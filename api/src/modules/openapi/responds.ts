import type { z } from 'zod';
import type { AppMiddleware } from '../../context';
import type { ErrorCode } from './error-catalog';

/** What a route answers on success, and the error codes its own handler and service add (see error-catalog.ts). */
export interface ResponseDoc {
  status: number;
  schema: z.ZodType;
  /** Codes beyond those the builder derives from the route's middleware (validation, auth, permission, id, keys). */
  errors: readonly ErrorCode[];
  /** Markdown, shown under the summary. */
  description?: string;
  /** A file instead of JSON (exports): the media types it comes in; the body is the file itself. */
  media?: readonly string[];
}

/**
 * A marker middleware carrying the route's response documentation, read by the OpenAPI builder the way
 * `validate()` carries the request schemas. It does nothing at request time. Put it first in the route.
 */
export function responds(
  status: number,
  schema: z.ZodType,
  opts: { errors?: readonly ErrorCode[]; description?: string; media?: readonly string[] } = {},
): AppMiddleware & { responseDoc: ResponseDoc } {
  const middleware: AppMiddleware = (_ctx, next) => next();
  return Object.assign(middleware, { responseDoc: { status, schema, errors: opts.errors ?? [], description: opts.description, media: opts.media } });
}
