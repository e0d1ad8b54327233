import { Types, type HydratedDocument, type Model } from 'mongoose';
import { buildScopeFilter, isInScope, type ScopeFilter } from '@crm/shared';
import type { Actor } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, forbidden, notFound } from '../../errors/app-error';
import { can } from '@crm/shared';
import { CustomerErrorCode } from './customer.errors';

const isPartner = (actor: Actor) => actor.user.roles.includes('partner') && !actor.user.roles.includes('admin');

/**
 * What an actor may see of customers: their data scope, plus the public pool (公海) for everyone but
 * partners, who see only what is shared with them.
 */
export function customerVisibility(actor: Actor, pools: Array<string | null> | null = null): ScopeFilter {
  const scope = buildScopeFilter(actor.viewer);
  if (isPartner(actor)) return scope;
  // `pools`: only the pools the actor is a member of (the pool module's rule; null = every pool)
  const pool = pools ? { status: 'pool', poolId: { $in: pools } } : { status: 'pool' };
  return Object.keys(scope).length === 0 ? {} : { $or: [scope, pool] };
}

/** The same rule for records that belong to a customer (contacts, follow-ups, deals, contracts): no pool. */
export function recordVisibility(actor: Actor): ScopeFilter {
  return buildScopeFilter(actor.viewer);
}

type Scoped = { ownerId: Types.ObjectId | null; departmentId: Types.ObjectId | null; sharedWith?: Types.ObjectId[]; status?: string };

export function canSeeRecord(actor: Actor, record: Scoped): boolean {
  if (record.status === 'pool' && !isPartner(actor)) return true;
  return isInScope(
    actor.viewer,
    { owner: record.ownerId, departments: record.departmentId ? [record.departmentId] : [], sharedWith: record.sharedWith },
    (a, b) => a.equals(b),
  );
}

/** Writing to a customer's records needs record.write and the customer in scope; pool customers must be claimed first. */
export function assertCanWrite(actor: Actor, customer: Scoped): void {
  if (!can(actor.user.roles, 'record.write')) throw new AppError(403, CustomerErrorCode.READ_ONLY, '只读账号不能修改客户资料');
  if (customer.status === 'pool') throw new AppError(409, CustomerErrorCode.IN_POOL, '该客户在公海中，请先领取');
  if (!canSeeRecord(actor, customer)) throw new AppError(404, CommonErrorCode.NOT_FOUND, '客户不存在或无权查看');
}

export function assertCan(actor: Actor, permission: Parameters<typeof can>[1]): void {
  if (!can(actor.user.roles, permission)) throw forbidden();
}

/**
 * Lists records that belong to customers (contacts, follow-ups, deals, contracts) within the actor's
 * scope, optionally for one customer, with any further conditions; newest first, by cursor.
 */
export function listVisible<T>(
  model: Model<T>,
  actor: Actor,
  q: { customerId?: string; cursor?: string; limit: number },
  conditions: Record<string, unknown> = {},
): Promise<Page<T>> {
  const and: Record<string, unknown>[] = [recordVisibility(actor), conditions];
  if (q.customerId) and.push({ customerId: new Types.ObjectId(q.customerId) });
  return paginateById(model, { $and: and }, q);
}

/** A read-only cursor over records (newest first); `close()` stops it (an export whose client went away). */
export interface RecordCursor<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

/** The export's batch size: rows fetched per round trip, the memory an export holds at a time. */
export const EXPORT_BATCH = 500;

/**
 * Streams every record of a customer (contacts, follow-ups, deals, contracts) the actor may see, with the
 * list's filters, newest first: the same query as `listVisible` without pages (exports).
 */
export function streamVisible<T>(
  model: Model<T>,
  actor: Actor,
  q: { customerId?: string },
  conditions: Record<string, unknown> = {},
  projection?: Record<string, 0 | 1>,
): RecordCursor<T & { _id: Types.ObjectId }> {
  const and: Record<string, unknown>[] = [recordVisibility(actor), conditions];
  if (q.customerId) and.push({ customerId: new Types.ObjectId(q.customerId) });
  const cursor = model.find({ $and: and }, projection).sort({ _id: -1 }).lean().cursor({ batchSize: EXPORT_BATCH });
  return cursor as unknown as RecordCursor<T & { _id: Types.ObjectId }>;
}

/** One such record within the actor's scope, or 404 naming what was asked for. */
export async function findVisible<T>(model: Model<T>, actor: Actor, id: string | Types.ObjectId, what: string): Promise<HydratedDocument<T>> {
  const doc = await model.findOne({ $and: [{ _id: new Types.ObjectId(id) }, recordVisibility(actor)] }).exec();
  if (!doc) throw notFound(what);
  return doc as HydratedDocument<T>;
}
