import Router from '@koa/router';
import { createFollowUpBody, idParams, listByCustomerQuery, updateFollowUpBody, type CreateFollowUpInput, type UpdateFollowUpInput } from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { RECORD_INTERNAL } from '../idempotency/record-key';
import { responds } from '../openapi/responds';
import { followUpDtoSchema, followUpPageDtoSchema } from './follow-up.dto-schema';

type IdParams = { id: string };

export function followUpRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/follow-ups' });
  router.get('/', responds(200, followUpPageDtoSchema), requirePermission('record.read'), validate({ query: listByCustomerQuery }), async (ctx) => {
    const page = await s.followUps.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listByCustomerQuery>);
    ctx.body = { items: page.items.map((f) => toDto(f, RECORD_INTERNAL)), nextCursor: page.nextCursor };
  });
  router.get('/:id', responds(200, followUpDtoSchema), requirePermission('record.read'), validate({ params: idParams }), async (ctx) => {
    ctx.body = toDto(await s.followUps.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id), RECORD_INTERNAL);
  });
  router.post(
    '/',
    responds(201, followUpDtoSchema, { errors: ['NOT_FOUND', 'READ_ONLY', 'IN_POOL'] }),
    requirePermission('record.write'),
    validate({ body: createFollowUpBody }),
    async (ctx) => {
      const source = ctx.state.meta.channel === 'miniapp' ? 'miniapp' : 'api';
      const doc = await s.followUps.create(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as CreateFollowUpInput, source, {
        idempotencyKey: ctx.state.idempotencyKey,
      });
      ctx.status = 201;
      ctx.body = toDto(doc, RECORD_INTERNAL);
    },
  );
  router.patch(
    '/:id',
    responds(200, followUpDtoSchema, { errors: ['CONFLICT'] }),
    requirePermission('record.write'),
    validate({ params: idParams, body: updateFollowUpBody }),
    async (ctx) => {
      const doc = await s.followUps.update(
        ctx.state.actor!,
        ctx.state.meta,
        (ctx.state.input.params as IdParams).id,
        ctx.state.input.body as UpdateFollowUpInput,
      );
      ctx.body = toDto(doc, RECORD_INTERNAL);
    },
  );
  return router;
}
