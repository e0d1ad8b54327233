import type { z } from 'zod';
import type { AppMiddleware } from '../context';
import { AppError, CommonErrorCode } from '../errors/app-error';
import { validationError } from '../errors/as-app-error';

export interface InputSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

const MAX_DEPTH = 20;

/**
 * Refuses MongoDB operator injection before any schema runs: no key in user input may contain `$`
 * (`$ne`, and query-string forms like `status[$ne]`) or `.`. Returns the offending path, or null.
 */
export function findForbiddenKey(value: unknown, path: string[] = []): string | null {
  if (path.length > MAX_DEPTH) return path.join('.');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key.includes('$') || key.includes('.')) return [...path, key].join('.');
      const found = findForbiddenKey(child, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** Parses body / query / params with zod; handlers read only `ctx.state.input`. */
export function validate(schemas: InputSchemas): AppMiddleware & { inputSchemas: InputSchemas } {
  const middleware: AppMiddleware = async (ctx, next) => {
    const raw = { body: ctx.request.body, query: ctx.query, params: (ctx as unknown as { params?: unknown }).params };
    for (const part of ['body', 'query'] as const) {
      const bad = findForbiddenKey(raw[part]);
      if (bad)
        throw new AppError(400, CommonErrorCode.FORBIDDEN_KEY, `不允许的字段名：${bad}`, { details: [{ path: bad, message: 'keys may not contain $ or .' }] });
    }
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(raw[part] ?? (part === 'body' ? {} : raw[part]));
      if (!result.success) {
        const err = validationError(result.error);
        (err.details as Array<{ path: string }>).forEach((d) => (d.path = d.path ? `${part}.${d.path}` : part));
        throw err;
      }
      ctx.state.input[part] = result.data;
    }
    await next();
  };
  // Read by the OpenAPI builder, so the published document is generated from the schemas in force.
  return Object.assign(middleware, { inputSchemas: schemas });
}
