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
import { responds } from '../openapi/responds';
import { opportunityDtoSchemas } from './opportunity.dto-schema';

type IdParams = { id: string };
const STAGE_ERRORS = ['UNKNOWN_STAGE', 'LOST_REASON_REQUIRED', 'OPPORTUNITY_CLOSED', 'STAGE_CHANGED', 'READ_ONLY', 'IN_POOL'] as const;

export function opportunityRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/opportunities' });
  const docs = opportunityDtoSchemas(s.opportunities.stages);
  const dto = (doc: { stage: string }) => ({ ...toDto(doc, RECORD_INTERNAL), stageName: s.opportunities.stageName(doc.stage) });

  router.get('/stages', responds(200, docs.stages), requirePermission('record.read'), (ctx) => {
    ctx.body = { items: s.opportunities.stages };
  });
  router.get('/', responds(200, docs.page), requirePermission('record.read'), validate({ query: listOpportunitiesQuery }), async (ctx) => {
    const page = await s.opportunities.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listOpportunitiesQuery>);
    ctx.body = { items: page.items.map(dto), nextCursor: page.nextCursor };
  });
  router.get('/:id', responds(200, docs.opportunity), requirePermission('record.read'), validate({ params: idParams }), async (ctx) => {
    ctx.body = dto(await s.opportunities.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id));
  });
  router.post(
    '/',
    responds(201, docs.opportunity, { errors: ['NOT_FOUND', 'UNKNOWN_STAGE', 'READ_ONLY', 'IN_POOL'] }),
    requirePermission('record.write'),
    validate({ body: createOpportunityBody }),
    async (ctx) => {
      const doc = await s.opportunities.create(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as CreateOpportunityInput, {
        idempotencyKey: ctx.state.idempotencyKey,
      });
      ctx.status = 201;
      ctx.body = dto(doc);
    },
  );
  router.patch(
    '/:id',
    responds(200, docs.opportunity, { errors: ['READ_ONLY', 'IN_POOL'] }),
    requirePermission('record.write'),
    validate({ params: idParams, body: updateOpportunityBody }),
    async (ctx) => {
      ctx.body = dto(
        await s.opportunities.update(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as UpdateOpportunityInput),
      );
    },
  );
  router.post(
    '/:id/stage',
    responds(200, docs.opportunity, { errors: STAGE_ERRORS }),
    requirePermission('record.write'),
    validate({ params: idParams, body: moveStageBody }),
    async (ctx) => {
      ctx.body = dto(
        await s.opportunities.moveStage(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as MoveStageInput),
      );
    },
  );
  return router;
}
