import Router from '@koa/router';
import { Types } from 'mongoose';
import { auditQuery } from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { AuditService } from './audit.service';
import { responds } from '../openapi/responds';
import { auditPageDtoSchema } from './audit.dto-schema';

/** Read-only: there is no route that changes or removes an audit entry. */
export function auditRoutes(audit: AuditService): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/audit', responds(200, auditPageDtoSchema), requirePermission('audit.read'), validate({ query: auditQuery }), async (ctx) => {
    const q = ctx.state.input.query as z.infer<typeof auditQuery>;
    const page = await audit.list({ ...q, actorId: q.actorId ? new Types.ObjectId(q.actorId) : undefined });
    ctx.body = {
      items: page.items.map((e) => {
        const { _id, ...rest } = e as typeof e & { _id: Types.ObjectId };
        return { id: String(_id), ...rest, actorId: rest.actorId ? String(rest.actorId) : null };
      }),
      nextCursor: page.nextCursor,
    };
  });
  return router;
}
