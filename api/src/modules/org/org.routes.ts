import Router from '@koa/router';
import { z } from 'zod';
import {
  createDepartmentBody,
  createUserBody,
  idParams,
  listOf,
  objectId,
  pageOf,
  listUsersQuery,
  updateDepartmentBody,
  updateUserBody,
  type CreateDepartmentInput,
  type CreateUserInput,
  type ListUsersQuery,
  type UpdateDepartmentInput,
  type UpdateUserInput,
} from '@crm/shared';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import { toDepartmentDto, toUserDto } from './org.dto';
import type { OrgService } from './org.service';
import { responds } from '../openapi/responds';
import { departmentDtoSchema, userDtoSchema } from './org.dto-schema';

type IdParams = { id: string };

/** Who the leaver's direct reports get as their leader (default: the leaver's own leader). */
export const deactivateUserBody = z.strictObject({ newLeaderId: objectId.nullable().optional() });

/** Users and departments. Reading needs org.read and is scoped; writing needs org.write (admins). */
export function orgRoutes(org: OrgService): Router<AppState> {
  const router = new Router<AppState>();
  const read = requirePermission('org.read');
  const write = requirePermission('org.write');

  router.get('/users', responds(200, pageOf(userDtoSchema)), read, validate({ query: listUsersQuery }), async (ctx) => {
    const page = await org.listUsers(ctx.state.actor!, ctx.state.input.query as ListUsersQuery);
    ctx.body = { items: page.items.map((u) => toUserDto(u as Parameters<typeof toUserDto>[0])), nextCursor: page.nextCursor };
  });
  router.get('/users/:id', responds(200, userDtoSchema), read, validate({ params: idParams }), async (ctx) => {
    const user = await org.getUser(ctx.state.actor!, (ctx.state.input.params as IdParams).id);
    ctx.body = toUserDto(user.toObject());
  });
  router.post('/users', responds(201, userDtoSchema, { errors: ['CONFLICT'] }), write, validate({ body: createUserBody }), async (ctx) => {
    const user = await org.createUser(ctx.state.meta, ctx.state.input.body as CreateUserInput);
    ctx.status = 201;
    ctx.body = toUserDto(user.toObject());
  });
  router.patch(
    '/users/:id',
    responds(200, userDtoSchema, { errors: ['CONFLICT'] }),
    write,
    validate({ params: idParams, body: updateUserBody }),
    async (ctx) => {
      const user = await org.updateUser(ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as UpdateUserInput);
      ctx.body = toUserDto(user.toObject());
    },
  );
  router.post(
    '/users/:id/deactivate',
    responds(200, userDtoSchema, { errors: ['CONFLICT'] }),
    write,
    validate({ params: idParams, body: deactivateUserBody }),
    async (ctx) => {
      const body = (ctx.state.input.body ?? {}) as z.infer<typeof deactivateUserBody>;
      const user = await org.deactivateUser(ctx.state.meta, (ctx.state.input.params as IdParams).id, { newLeaderId: body.newLeaderId ?? null });
      ctx.body = toUserDto(user.toObject());
    },
  );

  router.get('/departments', responds(200, listOf(departmentDtoSchema)), read, async (ctx) => {
    const items = await org.listDepartments(ctx.state.actor!);
    ctx.body = { items: items.map((d) => toDepartmentDto(d as Parameters<typeof toDepartmentDto>[0])) };
  });
  router.get('/departments/:id', responds(200, departmentDtoSchema), read, validate({ params: idParams }), async (ctx) => {
    const dep = await org.getDepartment(ctx.state.actor!, (ctx.state.input.params as IdParams).id);
    ctx.body = toDepartmentDto(dep.toObject());
  });
  router.post('/departments', responds(201, departmentDtoSchema, { errors: ['CONFLICT'] }), write, validate({ body: createDepartmentBody }), async (ctx) => {
    const dep = await org.createDepartment(ctx.state.meta, ctx.state.input.body as CreateDepartmentInput);
    ctx.status = 201;
    ctx.body = toDepartmentDto(dep.toObject());
  });
  router.patch(
    '/departments/:id',
    responds(200, departmentDtoSchema, { errors: ['CONFLICT'] }),
    write,
    validate({ params: idParams, body: updateDepartmentBody }),
    async (ctx) => {
      const dep = await org.updateDepartment(ctx.state.meta, (ctx.state.input.params as IdParams).id, ctx.state.input.body as UpdateDepartmentInput);
      ctx.body = toDepartmentDto(dep.toObject());
    },
  );
  router.post(
    '/departments/:id/deactivate',
    responds(200, departmentDtoSchema, { errors: ['CONFLICT'] }),
    write,
    validate({ params: idParams }),
    async (ctx) => {
      const dep = await org.archiveDepartment(ctx.state.meta, (ctx.state.input.params as IdParams).id);
      ctx.body = toDepartmentDto(dep.toObject());
    },
  );
  return router;
}
