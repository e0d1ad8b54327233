import Router from '@koa/router';
import type { z } from 'zod';
import { idParams, listOf } from '@crm/shared';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import { responds } from '../openapi/responds';
import {
  createdWebhookDtoSchema,
  createWebhookBody,
  deliveriesQuery,
  deliveryDtoSchema,
  deliveryPageDtoSchema,
  deliveryParams,
  updateWebhookBody,
  webhookDtoSchema,
} from './webhook.dto-schema';
import type { DeliveryWithId, EndpointWithId, WebhookService } from './webhook.service';

type IdParams = { id: string };

export const webhookDto = (e: EndpointWithId) => {
  const { secret, ...rest } = toDto(e) as Record<string, unknown> & { secret: string };
  return { ...rest, description: rest.description ?? null, secretHint: `…${secret.slice(-4)}` };
};
export const deliveryDto = (d: DeliveryWithId) => toDto(d, ['auditId', 'leaseUntil']);

/** Outbound webhooks: endpoints (CRUD), their delivery log and manual replay. Admins only (org.write). */
export function webhookRoutes(webhooks: WebhookService): Router<AppState> {
  const router = new Router<AppState>();
  const admin = requirePermission('org.write');

  router.get('/webhooks', responds(200, listOf(webhookDtoSchema)), admin, async (ctx) => {
    ctx.body = { items: (await webhooks.list()).map(webhookDto) };
  });
  router.post('/webhooks', responds(201, createdWebhookDtoSchema), admin, validate({ body: createWebhookBody }), async (ctx) => {
    const e = await webhooks.create(ctx.state.meta, ctx.state.input.body as z.infer<typeof createWebhookBody>);
    ctx.status = 201;
    ctx.body = { ...webhookDto(e), secret: e.secret };
  });
  router.get('/webhooks/:id', responds(200, webhookDtoSchema), admin, validate({ params: idParams }), async (ctx) => {
    ctx.body = webhookDto(await webhooks.get((ctx.state.input.params as IdParams).id));
  });
  router.patch('/webhooks/:id', responds(200, webhookDtoSchema), admin, validate({ params: idParams, body: updateWebhookBody }), async (ctx) => {
    const e = await webhooks.update(ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as z.infer<typeof updateWebhookBody>);
    ctx.body = webhookDto(e);
  });
  router.delete('/webhooks/:id', responds(200, webhookDtoSchema), admin, validate({ params: idParams }), async (ctx) => {
    ctx.body = webhookDto(await webhooks.remove(ctx.state.meta, (ctx.state.input.params as IdParams).id));
  });
  router.get('/webhooks/:id/deliveries', responds(200, deliveryPageDtoSchema), admin, validate({ params: idParams, query: deliveriesQuery }), async (ctx) => {
    const page = await webhooks.deliveries((ctx.state.input.params as IdParams).id, ctx.state.input.query as z.infer<typeof deliveriesQuery>);
    ctx.body = { items: page.items.map(deliveryDto), nextCursor: page.nextCursor };
  });
  router.post(
    '/webhooks/:id/deliveries/:deliveryId/replay',
    responds(200, deliveryDtoSchema, { errors: ['CONFLICT'] }),
    admin,
    validate({ params: deliveryParams }),
    async (ctx) => {
      const p = ctx.state.input.params as z.infer<typeof deliveryParams>;
      ctx.body = deliveryDto(await webhooks.replay(ctx.state.meta, p.id, p.deliveryId));
    },
  );
  return router;
}
