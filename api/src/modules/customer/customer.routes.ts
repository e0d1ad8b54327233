import Router from '@koa/router';
import {
  contactBody,
  createCustomerBody,
  idParams,
  listCustomersQuery,
  pageOf,
  releaseCustomerBody,
  shareCustomerBody,
  transferCustomerBody,
  updateCustomerBody,
  type ContactInput,
  type CreateCustomerInput,
  type ListCustomersQuery,
  type UpdateCustomerInput,
} from '@crm/shared';
import type { z } from 'zod';
import type { AppState } from '../../context';
import { toDto } from '../../db/to-dto';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { RECORD_INTERNAL } from '../idempotency/record-key';
import { responds } from '../openapi/responds';
import { contactDtoSchema } from '../contact/contact.dto-schema';
import { customer360DtoSchema } from './customer-360.dto-schema';
import { customerDtoSchema, customerListItemDtoSchema, duplicateCheckDtoSchema } from './customer.dto-schema';

type IdParams = { id: string };
const INTERNAL = ['searchKeys', 'dedupe', 'idempotencyKey', 'pendingCreate', 'importId'];
export const customerDto = (doc: unknown) => toDto(doc, INTERNAL);

/** "3 天后将退回公海": shown to whoever sees an owned customer within its warning period (the pool module's clock). */
async function reclaimWarningOf(s: Services, customer: { _id: import('mongoose').Types.ObjectId; status: string }) {
  if (customer.status !== 'owned') return null;
  const w = await s.pools.reclaimWarning(customer._id);
  return w ? { inDays: w.inDays, at: w.at.toISOString(), reason: w.reason, text: w.text } : null;
}

export function customerRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/customers' });
  const read = requirePermission('record.read');
  const write = requirePermission('record.write');

  router.get('/', responds(200, pageOf(customerListItemDtoSchema)), read, validate({ query: listCustomersQuery }), async (ctx) => {
    // with owner names (the mini-app's search results show the owner): one query per page
    const page = await s.customers.listWithOwners(ctx.state.actor!, ctx.state.input.query as ListCustomersQuery);
    ctx.body = { items: page.items.map((c) => ({ ...customerDto(c), ownerName: c.ownerName })), nextCursor: page.nextCursor };
  });

  /** The 360 view: customer, contacts, recent follow-ups, open deals, contracts, next reminder. */
  router.get('/:id', responds(200, customer360DtoSchema(s.opportunities.stages)), read, validate({ params: idParams }), async (ctx) => {
    const actor = ctx.state.actor!;
    const customer = await s.customers.get(actor, (ctx.state.input.params as IdParams).id);
    // each module answers with the customer's records the actor may see
    const [contacts, followUps, opportunities, contracts, owners] = await Promise.all([
      s.customers.contactsOf(actor, customer._id),
      s.followUps.recentForCustomer(actor, customer._id, 10),
      s.opportunities.forCustomer(actor, customer._id),
      s.contracts.forCustomer(actor, customer._id),
      s.org.namesOf([customer.ownerId]),
    ]);
    ctx.body = {
      customer: { ...customerDto(customer), ownerName: customer.ownerId ? (owners.get(String(customer.ownerId)) ?? null) : null },
      contacts: contacts.map((c) => toDto(c, RECORD_INTERNAL)),
      recentFollowUps: followUps.map((f) => toDto(f, RECORD_INTERNAL)),
      openOpportunities: opportunities
        .filter((o) => s.opportunities.stages.find((st) => st.key === o.stage)?.outcome === 'open')
        .map((o) => ({ ...toDto(o, RECORD_INTERNAL), stageName: s.opportunities.stageName(o.stage) })),
      contracts: contracts.map((c) => toDto(c, RECORD_INTERNAL)),
      nextReminderAt: customer.nextFollowUpAt,
      reclaimWarning: await reclaimWarningOf(s, customer),
    };
  });

  router.post('/', responds(201, customerDtoSchema, { errors: ['DUPLICATE_SUSPECTED'] }), write, validate({ body: createCustomerBody }), async (ctx) => {
    const customer = await s.customers.create(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as CreateCustomerInput, {
      idempotencyKey: ctx.state.idempotencyKey,
    });
    ctx.status = 201;
    ctx.body = customerDto(customer);
  });

  /** Runs the duplicate check alone (the mini-app shows it before saving). */
  router.post('/duplicate-check', responds(200, duplicateCheckDtoSchema), write, validate({ body: createCustomerBody }), async (ctx) => {
    const candidates = await s.customers.checkDuplicates(ctx.state.actor!, ctx.state.input.body as CreateCustomerInput);
    ctx.body = { duplicate: candidates.length > 0, candidates };
  });

  router.patch(
    '/:id',
    responds(200, customerDtoSchema, { errors: ['READ_ONLY', 'IN_POOL', 'DUPLICATE_SUSPECTED'] }),
    write,
    validate({ params: idParams, body: updateCustomerBody }),
    async (ctx) => {
      const customer = await s.customers.update(
        ctx.state.actor!,
        ctx.state.meta,
        (ctx.state.input.params as IdParams).id,
        ctx.state.input.body as UpdateCustomerInput,
      );
      ctx.body = customerDto(customer);
    },
  );

  router.post(
    '/:id/transfer',
    responds(200, customerDtoSchema, { errors: ['IN_POOL', 'CONFLICT'] }),
    write,
    validate({ params: idParams, body: transferCustomerBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof transferCustomerBody>;
      const customer = await s.customers.transfer(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body.ownerId, body.reason);
      ctx.body = customerDto(customer);
    },
  );

  router.post(
    '/:id/release',
    responds(200, customerDtoSchema, { errors: ['READ_ONLY', 'IN_POOL', 'CONFLICT'] }),
    write,
    validate({ params: idParams, body: releaseCustomerBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof releaseCustomerBody>;
      const customer = await s.customers.release(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body.reason);
      ctx.body = customerDto(customer);
    },
  );

  router.post('/:id/claim', responds(200, customerDtoSchema, { errors: ['NOT_IN_POOL', 'CONFLICT'] }), write, validate({ params: idParams }), async (ctx) => {
    const customer = await s.customers.claim(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id);
    ctx.body = customerDto(customer);
  });

  router.post(
    '/:id/share',
    responds(200, customerDtoSchema, { errors: ['READ_ONLY', 'IN_POOL'] }),
    write,
    validate({ params: idParams, body: shareCustomerBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof shareCustomerBody>;
      const customer = await s.customers.share(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body.partnerIds);
      ctx.body = customerDto(customer);
    },
  );

  router.post(
    '/:id/contacts',
    responds(201, contactDtoSchema, { errors: ['READ_ONLY', 'IN_POOL', 'DUPLICATE_SUSPECTED'] }),
    write,
    validate({ params: idParams, body: contactBody }),
    async (ctx) => {
      const contact = await s.contacts.add(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as ContactInput, {
        idempotencyKey: ctx.state.idempotencyKey,
      });
      ctx.status = 201;
      ctx.body = toDto(contact, RECORD_INTERNAL);
    },
  );

  return router;
}
