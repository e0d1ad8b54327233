import Router from '@koa/router';
import {
  createOpportunityBody,
  idParams,
  listOpportunitiesQuery,
  moveStageBody,
  updateOpportunityBody,
  type CreateOpportunityInput,
  type MoveStageInput,
  type UpdateOpportunityInput,
} from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { RECORD_INTERNAL } from '../idempotency/record-key';

type IdParams = { id: string };

export function opportunityRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/opportunities' });
  const dto = (doc: { stage: string }) => ({ ...toDto(doc, RECORD_INTERNAL), stageName: s.opportunities.stageName(doc.stage) });

  router.get('/stages', requirePermission('record.read'), (ctx) => {
    ctx.body = { items: s.opportunities.stages };
  });
  router.get('/', requirePermission('record.read'), validate({ query: listOpportunitiesQuery }), async (ctx) => {
    const page = await s.opportunities.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listOpportunitiesQuery>);
    ctx.body = { items: page.items.map(dto), nextCursor: page.nextCursor };
  });
  router.get('/:id', requirePermission('record.read'), validate({ params: idParams }), async (ctx) => {
    ctx.body = dto(await s.opportunities.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id));
  });
  router.post('/', requirePermission('record.write'), validate({ body: createOpportunityBody }), async (ctx) => {
    const doc = await s.opportunities.create(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as CreateOpportunityInput, {
      idempotencyKey: ctx.state.idempotencyKey,
    });
    ctx.status = 201;
    ctx.body = dto(doc);
  });
  router.patch('/:id', requirePermission('record.write'), validate({ params: idParams, body: updateOpportunityBody }), async (ctx) => {
    ctx.body = dto(
      await s.opportunities.update(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as UpdateOpportunityInput),
    );
  });
  router.post('/:id/stage', requirePermission('record.write'), validate({ params: idParams, body: moveStageBody }), async (ctx) => {
    ctx.body = dto(
      await s.opportunities.moveStage(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as MoveStageInput),
    );
  });
  return router;
}
