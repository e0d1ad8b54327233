import Router from '@koa/router';
import { idParams } from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { AppError, CommonErrorCode } from '../../errors/app-error';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { responds } from '../openapi/responds';
import { assignBody, assignmentDtoSchema, assignmentListDtoSchema } from './assignment.dto-schema';

type IdParams = { id: string };

/** Lead assignment: my leads waiting for 接受 / 退回公海, accept, give back, and (managers) run the rules for a customer. */
export function assignmentRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/assignments' });

  router.get('/', responds(200, assignmentListDtoSchema), requirePermission('record.read'), async (ctx) => {
    ctx.body = { items: (await s.assignments.pendingFor(ctx.state.actor!)).map((a) => toDto(a)) };
  });

  router.post(
    '/',
    responds(200, assignmentDtoSchema, { errors: ['CONFLICT'] }),
    requirePermission('record.transfer'),
    validate({ body: assignBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof assignBody>;
      await s.customers.get(ctx.state.actor!, body.customerId); // within the caller's scope, else 404
      const a = await s.assignments.assignNew(body.customerId, ctx.state.meta);
      if (!a) throw new AppError(409, CommonErrorCode.CONFLICT, '客户刚被他人处理，请刷新后重试');
      ctx.body = toDto(a);
    },
  );

  router.post(
    '/:id/accept',
    responds(200, assignmentDtoSchema, { errors: ['CONFLICT'] }),
    requirePermission('record.write'),
    validate({ params: idParams }),
    async (ctx) => {
      ctx.body = toDto(await s.assignments.accept(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id));
    },
  );

  router.post(
    '/:id/return',
    responds(200, assignmentDtoSchema, { errors: ['CONFLICT'] }),
    requirePermission('record.write'),
    validate({ params: idParams }),
    async (ctx) => {
      ctx.body = toDto(await s.assignments.giveBack(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id));
    },
  );

  return router;
}
