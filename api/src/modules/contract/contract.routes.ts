import Router from '@koa/router';
import {
  contractActionBody,
  createContractBody,
  idParams,
  listContractsQuery,
  updateContractBody,
  type ContractStatus,
  type CreateContractInput,
  type UpdateContractInput,
} from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { RECORD_INTERNAL } from '../idempotency/record-key';
import { responds } from '../openapi/responds';
import { contractDtoSchema, contractPageDtoSchema } from './contract.dto-schema';

type IdParams = { id: string };

/** Submitting for approval (POST /:id/submit) arrives with the approvals work. */
export function contractRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/contracts' });
  router.get('/', responds(200, contractPageDtoSchema), requirePermission('record.read'), validate({ query: listContractsQuery }), async (ctx) => {
    const page = await s.contracts.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listContractsQuery>);
    ctx.body = { items: page.items.map((c) => toDto(c, RECORD_INTERNAL)), nextCursor: page.nextCursor };
  });
  router.get('/:id', responds(200, contractDtoSchema), requirePermission('record.read'), validate({ params: idParams }), async (ctx) => {
    ctx.body = toDto(await s.contracts.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id), RECORD_INTERNAL);
  });
  router.post(
    '/',
    responds(201, contractDtoSchema, { errors: ['NOT_FOUND', 'CONTRACT_NUMBER_TAKEN', 'READ_ONLY', 'IN_POOL'] }),
    requirePermission('record.write'),
    validate({ body: createContractBody }),
    async (ctx) => {
      const doc = await s.contracts.create(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as CreateContractInput, {
        idempotencyKey: ctx.state.idempotencyKey,
      });
      ctx.status = 201;
      ctx.body = toDto(doc, RECORD_INTERNAL);
    },
  );
  router.patch(
    '/:id',
    responds(200, contractDtoSchema, { errors: ['CONTRACT_INVALID_TRANSITION', 'READ_ONLY', 'IN_POOL'] }),
    requirePermission('record.write'),
    validate({ params: idParams, body: updateContractBody }),
    async (ctx) => {
      ctx.body = toDto(
        await s.contracts.update(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as UpdateContractInput),
      );
    },
  );
  const action = (path: string, to: ContractStatus) =>
    router.post(
      `/:id/${path}`,
      responds(200, contractDtoSchema, { errors: ['CONTRACT_INVALID_TRANSITION', 'CONFLICT', 'READ_ONLY'] }),
      requirePermission('record.write'),
      validate({ params: idParams, body: contractActionBody }),
      async (ctx) => {
        const body = ctx.state.input.body as z.infer<typeof contractActionBody>;
        ctx.body = toDto(await s.contracts.transition(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, to, body.reason));
      },
    );
  action('sign', 'signed');
  action('void', 'void');
  return router;
}
