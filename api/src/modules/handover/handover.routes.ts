import Router from '@koa/router';
import { idParams } from '@crm/shared';
import type { Types } from 'mongoose';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { responds } from '../openapi/responds';
import {
  handoverDtoSchema,
  handoverItemPageDtoSchema,
  handoverPageDtoSchema,
  handoverPreviewDtoSchema,
  listHandoverItemsQuery,
  listHandoversQuery,
  previewHandoverBody,
  startHandoverBody,
} from './handover.dto-schema';
import type { Handover, HandoverItem } from './handover.model';
import type { HandoverService } from './handover.service';

type IdParams = { id: string };
type WithId<T> = T & { _id: Types.ObjectId };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The list shape (no progress, no report). */
export function handoverSummary(h: WithId<Handover>) {
  return {
    id: String(h._id),
    kind: h.kind,
    status: h.status,
    phase: h.phase,
    from: { id: String(h.from.userId), name: h.from.name },
    successors: h.successors.map((s) => ({ id: String(s.userId), name: s.name })),
    split: h.split,
    onRefused: h.onRefused,
    startedBy: { id: String(h.startedBy.userId), name: h.startedBy.name },
    createdAt: h.createdAt.toISOString(),
    finishedAt: iso(h.finishedAt),
    error: h.error ?? null,
    wecomUnavailable: h.wecomUnavailable ?? null,
  };
}

/** A hand-over with its progress (counted from its items) and, once settled, its report. */
export async function handoverDto(service: HandoverService, h: WithId<Handover>) {
  const [progress, report] = await Promise.all([
    service.progress(h),
    h.phase === 'reconcile' || h.phase === 'done' ? service.report(h) : Promise.resolve(null),
  ]);
  return { ...handoverSummary(h), progress, report };
}

function itemDto(i: WithId<HandoverItem>) {
  return {
    id: String(i._id),
    type: i.type,
    customerId: i.customerId ? String(i.customerId) : null,
    customerName: i.customerName ?? null,
    externalUserId: i.externalUserId ?? null,
    chatId: i.chatId ?? null,
    successorId: String(i.successorId),
    crm: i.crm,
    wecom: i.wecom,
    errcode: i.errcode ?? null,
    reconciled: i.reconciled,
    note: i.note ?? null,
  };
}

/** Hand-overs (离职继承 / 在职继承): managers (their team) and admins. */
export function handoverRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/handovers' });
  const service = s.handovers;
  router.post(
    '/preview',
    responds(200, handoverPreviewDtoSchema),
    requirePermission('record.transfer'),
    validate({ body: previewHandoverBody }),
    async (ctx) => {
      ctx.body = await service.preview(ctx.state.actor!, ctx.state.input.body as z.infer<typeof previewHandoverBody>);
    },
  );
  router.post(
    '/',
    responds(202, handoverDtoSchema, { errors: ['HANDOVER_RUNNING'] }),
    requirePermission('record.transfer'),
    validate({ body: startHandoverBody }),
    async (ctx) => {
      const h = await service.start(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as z.infer<typeof startHandoverBody>);
      ctx.status = 202;
      ctx.body = await handoverDto(service, h.toObject());
    },
  );
  router.get('/', responds(200, handoverPageDtoSchema), requirePermission('record.transfer'), validate({ query: listHandoversQuery }), async (ctx) => {
    const page = await service.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listHandoversQuery>);
    ctx.body = { items: page.items.map((h) => handoverSummary(h as WithId<Handover>)), nextCursor: page.nextCursor };
  });
  router.get('/:id', responds(200, handoverDtoSchema), requirePermission('record.transfer'), validate({ params: idParams }), async (ctx) => {
    const h = await service.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id);
    ctx.body = await handoverDto(service, h.toObject());
  });
  router.get(
    '/:id/items',
    responds(200, handoverItemPageDtoSchema),
    requirePermission('record.transfer'),
    validate({ params: idParams, query: listHandoverItemsQuery }),
    async (ctx) => {
      const page = await service.items(
        ctx.state.actor!,
        (ctx.state.input.params as IdParams).id,
        ctx.state.input.query as z.infer<typeof listHandoverItemsQuery>,
      );
      ctx.body = { items: page.items.map((i) => itemDto(i as WithId<HandoverItem>)), nextCursor: page.nextCursor };
    },
  );
  return router;
}
