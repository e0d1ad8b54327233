import Router from '@koa/router';
import { z } from 'zod';
import { APPROVAL_BOXES, APPROVAL_SUBJECT_TYPES, approvalDtoSchema, idParams, objectId, pageOf, pageQuery } from '@crm/shared';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { toApprovalDto } from './approval.dto-mapper';
import { responds } from '../openapi/responds';

type IdParams = { id: string };

export const listApprovalsQuery = z.strictObject({ box: z.enum(APPROVAL_BOXES).default('todo'), ...pageQuery });
export const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().trim().max(500).optional(),
  step: z.number().int().min(0).optional(),
});
export const withdrawBody = z.strictObject({ comment: z.string().trim().max(500).optional() });
export const submitBody = z.strictObject({
  subjectType: z.enum(APPROVAL_SUBJECT_TYPES),
  subjectId: objectId,
  discountPercent: z.number().min(0).max(100).multipleOf(0.01).optional(),
  comment: z.string().trim().max(500).optional(),
});
export const submitContractBody = z.strictObject({ comment: z.string().trim().max(500).optional() });

const SUBMIT_ERRORS = ['APPROVAL_ALREADY_PENDING', 'APPROVAL_INVALID_SUBJECT', 'APPROVAL_NO_APPROVER', 'CONTRACT_INVALID_TRANSITION', 'CONFLICT'] as const;
const DECISION_ERRORS = ['APPROVAL_REASON_REQUIRED', 'APPROVAL_NOT_APPROVER', 'APPROVAL_NOT_PENDING', 'APPROVAL_ALREADY_HANDLED', 'CONFLICT'] as const;

/** /approvals, and POST /contracts/:id/submit. */
export function approvalRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>();
  router.post(
    '/contracts/:id/submit',
    responds(201, approvalDtoSchema, { errors: SUBMIT_ERRORS }),
    requirePermission('record.write'),
    validate({ params: idParams, body: submitContractBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof submitContractBody>;
      const a = await s.approvals.submitContract(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body.comment);
      ctx.status = 201;
      ctx.body = toApprovalDto(a);
    },
  );
  router.post(
    '/approvals',
    responds(201, approvalDtoSchema, { errors: SUBMIT_ERRORS }),
    requirePermission('record.write'),
    validate({ body: submitBody }),
    async (ctx) => {
      const a = await s.approvals.submit(ctx.state.actor!, ctx.state.meta, ctx.state.input.body as z.infer<typeof submitBody>);
      ctx.status = 201;
      ctx.body = toApprovalDto(a);
    },
  );
  router.get('/approvals', responds(200, pageOf(approvalDtoSchema)), requirePermission('record.read'), validate({ query: listApprovalsQuery }), async (ctx) => {
    const page = await s.approvals.list(ctx.state.actor!, ctx.state.input.query as z.infer<typeof listApprovalsQuery>);
    ctx.body = { items: page.items.map(toApprovalDto), nextCursor: page.nextCursor };
  });
  router.get('/approvals/:id', responds(200, approvalDtoSchema), requirePermission('record.read'), validate({ params: idParams }), async (ctx) => {
    ctx.body = toApprovalDto(await s.approvals.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id));
  });
  router.post(
    '/approvals/:id/decision',
    responds(200, approvalDtoSchema, { errors: DECISION_ERRORS }),
    requirePermission('record.read'),
    validate({ params: idParams, body: decisionBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof decisionBody>;
      ctx.body = toApprovalDto(await s.approvals.decide(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body));
    },
  );
  router.post(
    '/approvals/:id/withdraw',
    responds(200, approvalDtoSchema, { errors: ['APPROVAL_NOT_PENDING', 'CONFLICT'] }),
    requirePermission('record.read'),
    validate({ params: idParams, body: withdrawBody }),
    async (ctx) => {
      const body = ctx.state.input.body as z.infer<typeof withdrawBody>;
      ctx.body = toApprovalDto(await s.approvals.withdraw(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, body.comment));
    },
  );
  return router;
}
