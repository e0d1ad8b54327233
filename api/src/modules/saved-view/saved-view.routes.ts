import Router from '@koa/router';
import { idParams, listOf } from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import { responds } from '../openapi/responds';
import type { SavedViewService } from './saved-view.service';
import { listSavedViewsQuery, savedViewDtoSchema, saveViewBody, type SaveViewInput } from './saved-view.dto-schema';

const toDto = (v: { _id: unknown; page: string; name: string; filters: Record<string, string>; createdAt: Date; updatedAt: Date }) => ({
  id: String(v._id),
  page: v.page,
  name: v.name,
  filters: v.filters,
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
});

/** The caller's own saved views (the workbench's 客户 table); nobody sees or deletes another user's. */
export function savedViewRoutes(views: SavedViewService): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/saved-views' });
  const read = requirePermission('record.read');
  router.get('/', responds(200, listOf(savedViewDtoSchema)), read, validate({ query: listSavedViewsQuery }), async (ctx) => {
    const { page } = ctx.state.input.query as z.infer<typeof listSavedViewsQuery>;
    ctx.body = { items: (await views.list(ctx.state.actor!, page)).map(toDto) };
  });
  router.post('/', responds(200, savedViewDtoSchema, { errors: ['CONFLICT'] }), read, validate({ body: saveViewBody }), async (ctx) => {
    ctx.body = toDto(await views.save(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as SaveViewInput));
  });
  /** Answers the view as it was (the workbench drops it from its list). */
  router.delete('/:id', responds(200, savedViewDtoSchema, { errors: ['NOT_FOUND'] }), read, validate({ params: idParams }), async (ctx) => {
    ctx.body = toDto(await views.remove(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as { id: string }).id));
  });
  return router;
}
