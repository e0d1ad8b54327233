import Router from '@koa/router';
import { idParams, listByCustomerQuery, updateContactBody, type UpdateContactInput } from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { RECORD_INTERNAL } from '../idempotency/record-key';
import { responds } from '../openapi/responds';
import { contactDtoSchema, contactPageDtoSchema } from './contact.dto-schema';

type IdParams = { id: string };

/** Contacts are created under their customer (POST /customers/:id/contacts); read and edited here. */
export function contactRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/contacts' });
  router.get('/', responds(200, contactPageDtoSchema), requirePermission('record.read'), validate({ query: listByCustomerQuery }), async (ctx) => {
    const page = await s.contacts.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listByCustomerQuery>);
    ctx.body = { items: page.items.map((c) => toDto(c, RECORD_INTERNAL)), nextCursor: page.nextCursor };
  });
  router.get('/:id', responds(200, contactDtoSchema), requirePermission('record.read'), validate({ params: idParams }), async (ctx) => {
    ctx.body = toDto(await s.contacts.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id), RECORD_INTERNAL);
  });
  router.patch(
    '/:id',
    responds(200, contactDtoSchema, { errors: ['READ_ONLY', 'IN_POOL', 'DUPLICATE_SUSPECTED'] }),
    requirePermission('record.write'),
    validate({ params: idParams, body: updateContactBody }),
    async (ctx) => {
      const contact = await s.contacts.update(
        ctx.state.actor!,
        ctx.state.meta,
        (ctx.state.input.params as IdParams).id,
        ctx.state.input.body as UpdateContactInput,
      );
      ctx.body = toDto(contact, RECORD_INTERNAL);
    },
  );
  return router;
}
