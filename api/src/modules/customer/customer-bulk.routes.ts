import Router from '@koa/router';
import { objectId } from '@crm/shared';
import { z } from 'zod';
import type { AppState } from '../../context';
import { AppError } from '../../errors/app-error';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { responds } from '../openapi/responds';

/** At most this many customers per bulk request (the workbench sends one table page of selected rows). */
export const BULK_MAX = 200;

const ids = z
  .array(objectId)
  .min(1)
  .max(BULK_MAX)
  .refine((v) => new Set(v).size === v.length, { message: '客户 id 不能重复' });
export const bulkTransferBody = z.strictObject({ ids, ownerId: objectId, reason: z.string().trim().max(200).optional() });
export const bulkReleaseBody = z.strictObject({ ids, reason: z.string().trim().max(200).optional() });

export const bulkResultDtoSchema = z.strictObject({
  done: z.number().int().min(0).describe('成功的条数'),
  failed: z.number().int().min(0),
  results: z
    .array(
      z.strictObject({
        id: z.string(),
        ok: z.boolean(),
        error: z.strictObject({ code: z.string(), message: z.string() }).optional().describe('失败原因；看不到的客户与不存在的一样是 NOT_FOUND'),
      }),
    )
    .describe('按请求的顺序'),
});

type Outcome = { id: string; ok: boolean; error?: { code: string; message: string } };

/**
 * Bulk transfer / release to the pool (the workbench's 客户 table). Each customer goes through the same service call
 * as the single routes — the caller's data scope, the permission, the conditional update and the audit entry per
 * customer — one after another; a customer that fails (out of scope, already in the pool, changed meanwhile) is
 * reported and the others go on. Repeating a request is safe: a customer already moved answers its current state.
 */
export function customerBulkRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/customers/bulk' });
  const write = requirePermission('record.write');

  const each = async (list: string[], run: (id: string) => Promise<unknown>) => {
    const results: Outcome[] = [];
    for (const id of list) {
      try {
        await run(id);
        results.push({ id, ok: true });
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        results.push({ id, ok: false, error: { code: err.code, message: err.message } });
      }
    }
    return { done: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
  };

  router.post(
    '/transfer',
    responds(200, bulkResultDtoSchema, { errors: ['FORBIDDEN'] }),
    requirePermission('record.transfer'),
    validate({ body: bulkTransferBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof bulkTransferBody>;
      const actor = ctx.state.actor!;
      ctx.body = await each(body.ids, async (id) => {
        const current = await s.customers.get(actor, id);
        if (current.ownerId && String(current.ownerId) === body.ownerId) return; // already theirs (a repeat)
        await s.customers.transfer(actor, ctx.state.meta, id, body.ownerId, body.reason);
      });
    },
  );

  router.post('/release', responds(200, bulkResultDtoSchema), write, validate({ body: bulkReleaseBody }), async (ctx) => {
    const body = ctx.state.input.body as z.infer<typeof bulkReleaseBody>;
    ctx.body = await each(body.ids, (id) => s.customers.release(ctx.state.actor!, ctx.state.meta, id, body.reason));
  });

  return router;
}
