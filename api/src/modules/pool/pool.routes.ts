import Router from '@koa/router';
import { idParams, pageOf } from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { customerDto } from '../customer/customer.routes';
import { customerDtoSchema } from '../customer/customer.dto-schema';
import { responds } from '../openapi/responds';
import { poolCustomerDtoSchema, poolCustomersQuery, poolKeyParams, poolListDtoSchema, poolLockBody, poolLockDtoSchema } from './pool.dto-schema';

type IdParams = { id: string };

/** Pools (公海): the caller's pools, a pool's customers (members only), claim with the pool's limits, lock. */
export function poolRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/pools' });
  const read = requirePermission('record.read');
  const write = requirePermission('record.write');

  router.get('/', responds(200, poolListDtoSchema), read, async (ctx) => {
    ctx.body = { items: await s.pools.listPools(ctx.state.actor!) };
  });

  router.get('/near', responds(200, pageOf(poolCustomerDtoSchema)), read, async (ctx) => {
    const items = await s.pools.near(ctx.state.actor!, 10);
    ctx.body = {
      items: items.map((c) => ({ ...customerDto(c), contact: c.contact, contactHidden: c.contactHidden, returnReason: c.returnReason })),
      nextCursor: null,
    };
  });

  router.get(
    '/:key/customers',
    responds(200, pageOf(poolCustomerDtoSchema), { errors: ['NOT_FOUND'] }),
    read,
    validate({ params: poolKeyParams, query: poolCustomersQuery }),
    async (ctx) => {
      const q = ctx.state.input.query as z.infer<typeof poolCustomersQuery>;
      const page = await s.pools.browse(ctx.state.actor!, (ctx.state.input.params as { key: string }).key, q);
      ctx.body = {
        items: page.items.map((c) => ({ ...customerDto(c), contact: c.contact, contactHidden: c.contactHidden, returnReason: c.returnReason })),
        nextCursor: page.nextCursor,
      };
    },
  );

  router.post(
    '/customers/:id/claim',
    responds(200, customerDtoSchema, { errors: ['NOT_IN_POOL', 'CONFLICT', 'CLAIM_LIMIT', 'POOL_MAX_OWNED', 'POOL_COOLDOWN'] }),
    write,
    validate({ params: idParams }),
    async (ctx) => {
      ctx.body = customerDto(await s.pools.claim(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id));
    },
  );

  router.put(
    '/locks/:id',
    responds(200, poolLockDtoSchema, { errors: ['IN_POOL'] }),
    requirePermission('record.transfer'),
    validate({ params: idParams, body: poolLockBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof poolLockBody>;
      ctx.body = await s.pools.setLock(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body.locked);
    },
  );

  return router;
}
