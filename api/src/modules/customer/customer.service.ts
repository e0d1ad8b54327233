import { Types, type Connection, type Model } from 'mongoose';
import {
  normalizeEmail,
  normalizePersonName,
  parseSearchQuery,
  type CreateCustomerInput,
  type ListCustomersQuery,
  type UpdateCustomerInput,
} from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { contactModel, type Contact } from '../contact/contact.model';
import type { OrgService } from '../org/org.service';
import { assertCan, assertCanWrite, canSeeRecord, customerVisibility } from './customer-scope';
import { deriveCustomerFields, splitPhones } from './customer.derive';
import { CustomerErrorCode } from './customer.errors';
import { customerModel, type Customer, type CustomerDoc } from './customer.model';
import { findDuplicateCandidates, type DuplicateCandidate } from './duplicate-check';
import type { ScopeFields } from './scope-fields';

const oid = (s: string | Types.ObjectId) => (typeof s === 'string' ? new Types.ObjectId(s) : s);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DAY = 86_400_000;
export const LIST_PROJECTION = { searchKeys: 0, dedupe: 0 } as const;

export const CUSTOMER_AUDITED_FIELDS = [
  'name',
  'company',
  'industry',
  'region',
  'source',
  'tier',
  'tags',
  'ownerId',
  'departmentId',
  'status',
  'protectionEndsAt',
  'sharedWith',
] as const;

/** A collection of records that belong to a customer and copy its scope fields. */
export interface DependentRecords {
  updateMany(filter: { customerId: Types.ObjectId }, update: { $set: Partial<ScopeFields> }): { exec(): Promise<unknown> };
}

export class CustomerService {
  readonly customers: Model<Customer>;
  readonly contacts: Model<Contact>;
  /** Collections holding records of a customer, kept in step with its owner on transfer / release / claim. */
  private readonly dependents: DependentRecords[] = [];

  constructor(
    conn: Connection,
    private readonly org: OrgService,
    private readonly audit: AuditService,
    private readonly settings: { protectionDays: number; now?: () => Date },
  ) {
    this.customers = customerModel(conn);
    this.contacts = contactModel(conn);
    this.dependents.push(this.contacts);
  }

  /** Other domains register their per-customer collections here (follow-ups, deals, contracts). */
  registerDependent(model: DependentRecords): void {
    this.dependents.push(model);
  }

  private now(): Date {
    return this.settings.now?.() ?? new Date();
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Search and filters, always within what the actor may see. `q` matches names, company, pinyin, initials, phone (or its last digits), email. */
  list(actor: Actor, q: ListCustomersQuery): Promise<Page<Customer>> {
    return paginateById(this.customers, this.listFilter(actor, q), { cursor: q.cursor, limit: q.limit, projection: LIST_PROJECTION });
  }

  /** The exact filter `list` issues (the benchmark replays it through the bare driver). */
  listFilter(actor: Actor, q: Omit<ListCustomersQuery, 'cursor' | 'limit'>): Record<string, unknown> {
    const and: Record<string, unknown>[] = [customerVisibility(actor)];
    if (q.owner) and.push({ ownerId: q.owner === 'me' ? actor.user._id : oid(q.owner) });
    if (q.tier) and.push({ tier: q.tier });
    if (q.status) and.push({ status: q.status });
    if (q.source) and.push({ source: q.source });
    if (q.q) {
      const queries = parseSearchQuery(q.q);
      if (queries.length) {
        and.push({ $or: queries.map((s) => ({ searchKeys: { $regex: `^${escapeRegex(s.kind === 'prefix' ? s.prefix : s.reversedPrefix)}` } })) });
      }
    }
    return { $and: and };
  }

  /** One customer the actor may see, or 404 (never 403: existence does not leak). */
  async get(actor: Actor, id: string | Types.ObjectId): Promise<CustomerDoc> {
    const customer = await this.customers.findById(oid(id)).exec();
    if (!customer || !canSeeRecord(actor, customer)) throw notFound('客户');
    return customer;
  }

  // ---- duplicate check -----------------------------------------------------------------------

  /** Likely duplicates of a would-be customer, each reported only as far as the actor may see it. */
  async checkDuplicates(
    actor: Actor,
    input: Pick<CreateCustomerInput, 'name' | 'company' | 'contacts'>,
    excludeId?: Types.ObjectId,
  ): Promise<DuplicateCandidate[]> {
    const contacts = input.contacts.map((c) => ({
      name: c.name,
      ...splitPhones(c.phones),
      emails: c.emails.map((e) => normalizeEmail(e)).filter((e): e is string => !!e),
    }));
    const derived = deriveCustomerFields({ name: input.name, company: input.company }, contacts);
    const found = await findDuplicateCandidates(this.customers, { company: input.company, companyKey: derived.companyKey, dedupe: derived.dedupe }, excludeId);
    const ownerNames = await this.ownerNames(found.map((f) => f.customer.ownerId));
    return found.map(({ customer, reasons }) =>
      canSeeRecord(actor, customer)
        ? {
            visible: true as const,
            id: String(customer._id),
            name: customer.name,
            company: customer.company ?? null,
            status: customer.status,
            ownerName: customer.ownerId ? (ownerNames.get(String(customer.ownerId)) ?? null) : null,
            reasons,
          }
        : { visible: false as const, ownedBy: '其他团队', reasons },
    );
  }

  // ---- writing -------------------------------------------------------------------------------

  /**
   * Creates a customer and its contacts after the duplicate check. A likely duplicate answers 409
   * DUPLICATE_SUSPECTED with the candidates; `force` with a reason creates anyway and is audited.
   * If the contacts cannot be written, the customer is removed again: nothing half-written stays.
   */
  async create(actor: Actor, meta: RequestMeta, input: CreateCustomerInput): Promise<CustomerDoc> {
    assertCan(actor, 'record.write');
    const candidates = await this.checkDuplicates(actor, input);
    if (candidates.length > 0 && !input.force) {
      throw new AppError(409, CustomerErrorCode.DUPLICATE_SUSPECTED, '可能与已有客户重复，请确认；如确需新建，请填写原因后强制创建', {
        details: { candidates },
      });
    }
    const now = this.now();
    const contactRows = normalizeContacts(input.contacts);
    const id = new Types.ObjectId();
    const ownerId = actor.user._id;
    const departmentId = actor.user.departmentIds[0] ?? null;
    const customer = new this.customers({
      _id: id,
      name: input.name,
      company: input.company,
      industry: input.industry,
      region: input.region,
      source: input.source,
      tier: input.tier,
      tags: [...new Set(input.tags)],
      ownerId,
      departmentId,
      status: 'owned',
      protectionEndsAt: new Date(now.getTime() + this.settings.protectionDays * DAY),
      sharedWith: [],
      createdBy: actor.user._id,
      ...deriveCustomerFields(input, contactRows),
    });
    await customer.save();
    try {
      if (contactRows.length) {
        await this.contacts.insertMany(contactRows.map((c) => ({ ...c, customerId: id, ownerId, departmentId, sharedWith: [] })));
      }
    } catch (err) {
      await this.contacts
        .deleteMany({ customerId: id })
        .exec()
        .catch(() => undefined);
      await this.customers
        .deleteOne({ _id: id })
        .exec()
        .catch(() => undefined);
      throw err;
    }
    await this.audit.record(meta, {
      action: input.force && candidates.length ? 'customer.create.forced' : 'customer.create',
      entityType: 'customer',
      entityId: id,
      changes: diffFields(null, customer.toObject(), CUSTOMER_AUDITED_FIELDS),
      note:
        input.force && candidates.length
          ? `强制创建：${input.reason}；疑似重复 ${candidates.length} 个：${candidates.map((c) => (c.visible ? c.id : '其他团队')).join(', ')}`
          : undefined,
    });
    return customer;
  }

  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateCustomerInput): Promise<CustomerDoc> {
    const before = await this.get(actor, id);
    assertCanWrite(actor, before);
    const set: Partial<Customer> = { ...input };
    if (input.tags) set.tags = [...new Set(input.tags)];
    if (input.name !== undefined || input.company !== undefined) {
      const contacts = await this.contacts.find({ customerId: before._id }).lean().exec();
      Object.assign(set, deriveCustomerFields({ name: input.name ?? before.name, company: input.company ?? before.company }, contacts));
    }
    const after = await this.customers.findByIdAndUpdate(before._id, { $set: set }, { returnDocument: 'after', runValidators: true }).exec();
    if (!after) throw notFound('客户');
    const changes = diffFields(before.toObject(), after.toObject(), CUSTOMER_AUDITED_FIELDS);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'customer.update', entityType: 'customer', entityId: after._id, changes });
    return after;
  }

  /** Hands a customer (and all its records) to another active user. Managers and admins only. */
  async transfer(actor: Actor, meta: RequestMeta, id: string, newOwnerId: string, reason?: string): Promise<CustomerDoc> {
    assertCan(actor, 'record.transfer');
    const before = await this.get(actor, id);
    if (before.status === 'pool') throw new AppError(409, CustomerErrorCode.IN_POOL, '公海客户请用领取或分配');
    const owner = await this.org.findActiveUserById(newOwnerId);
    if (!owner || owner.roles.every((r) => r === 'partner')) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '新负责人不存在、已停用或不是内部员工', {
        details: [{ path: 'body.ownerId', message: 'not an active employee' }],
      });
    }
    return this.moveOwnership(
      meta,
      before,
      { ownerId: owner._id, departmentId: owner.departmentIds[0] ?? null, status: 'owned', protectionEndsAt: before.protectionEndsAt },
      'customer.transfer',
      reason,
    );
  }

  /** Releases a customer to the public pool (公海). */
  async release(actor: Actor, meta: RequestMeta, id: string, reason?: string): Promise<CustomerDoc> {
    const before = await this.get(actor, id);
    assertCanWrite(actor, before);
    return this.moveOwnership(meta, before, { ownerId: null, departmentId: null, status: 'pool', protectionEndsAt: null }, 'customer.release', reason);
  }

  /** Takes a customer from the pool; one conditional update, so two reps claiming at once get one winner. */
  async claim(actor: Actor, meta: RequestMeta, id: string): Promise<CustomerDoc> {
    assertCan(actor, 'record.write');
    const before = await this.get(actor, id);
    if (before.status !== 'pool') throw new AppError(409, CustomerErrorCode.NOT_IN_POOL, '该客户不在公海中，可能已被他人领取');
    const protectionEndsAt = new Date(this.now().getTime() + this.settings.protectionDays * DAY);
    return this.moveOwnership(
      meta,
      before,
      { ownerId: actor.user._id, departmentId: actor.user.departmentIds[0] ?? null, status: 'owned', protectionEndsAt },
      'customer.claim',
    );
  }

  /** Shares a customer read-only with partners (replaces the list). */
  async share(actor: Actor, meta: RequestMeta, id: string, partnerIds: string[]): Promise<CustomerDoc> {
    const before = await this.get(actor, id);
    assertCanWrite(actor, before);
    const partners = await this.org.users
      .find({ _id: { $in: partnerIds.map(oid) }, roles: 'partner', status: 'active' }, { _id: 1 })
      .lean()
      .exec();
    if (partners.length !== new Set(partnerIds).size) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '只能共享给在职的外部合作方', {
        details: [{ path: 'body.partnerIds', message: 'not all are active partners' }],
      });
    }
    const sharedWith = partners.map((p) => p._id);
    const after = await this.customers.findOneAndUpdate({ _id: before._id }, { $set: { sharedWith } }, { returnDocument: 'after' }).exec();
    if (!after) throw notFound('客户');
    await Promise.all(this.dependents.map((m) => m.updateMany({ customerId: before._id }, { $set: { sharedWith } }).exec()));
    await this.audit.record(meta, {
      action: 'customer.share',
      entityType: 'customer',
      entityId: after._id,
      changes: diffFields(before.toObject(), after.toObject(), ['sharedWith']),
    });
    return after;
  }

  /** Recomputes search keys and duplicate identifiers after contacts change. */
  async refreshDerived(customerId: Types.ObjectId): Promise<void> {
    const customer = await this.customers.findById(customerId, { name: 1, company: 1 }).lean().exec();
    if (!customer) return;
    const contacts = await this.contacts.find({ customerId }).lean().exec();
    await this.customers.updateOne({ _id: customerId }, { $set: deriveCustomerFields(customer, contacts) }).exec();
  }

  /** The customer's scope fields, for records created under it. */
  scopeCopy(customer: Customer): ScopeFields {
    return { ownerId: customer.ownerId, departmentId: customer.departmentId, sharedWith: customer.sharedWith };
  }

  private async moveOwnership(
    meta: RequestMeta,
    before: CustomerDoc,
    next: Pick<Customer, 'ownerId' | 'departmentId' | 'status' | 'protectionEndsAt'>,
    action: string,
    reason?: string,
  ): Promise<CustomerDoc> {
    // Conditional on the state we read: a concurrent transfer / claim makes this one fail instead of overwrite.
    const after = await this.customers
      .findOneAndUpdate({ _id: before._id, status: before.status, ownerId: before.ownerId }, { $set: next }, { returnDocument: 'after' })
      .exec();
    if (!after) throw new AppError(409, CommonErrorCode.CONFLICT, '客户刚被他人处理，请刷新后重试');
    await Promise.all(
      this.dependents.map((m) => m.updateMany({ customerId: before._id }, { $set: { ownerId: next.ownerId, departmentId: next.departmentId } }).exec()),
    );
    await this.audit.record(meta, {
      action,
      entityType: 'customer',
      entityId: after._id,
      changes: diffFields(before.toObject(), after.toObject(), CUSTOMER_AUDITED_FIELDS),
      note: reason,
    });
    return after;
  }

  private async ownerNames(ids: Array<Types.ObjectId | null>): Promise<Map<string, string>> {
    const wanted = ids.filter((x): x is Types.ObjectId => x !== null);
    if (!wanted.length) return new Map();
    const users = await this.org.users
      .find({ _id: { $in: wanted } }, { name: 1 })
      .lean()
      .exec();
    return new Map(users.map((u) => [String(u._id), u.name]));
  }
}

/** Contact input as typed → stored form. */
export function normalizeContacts(
  input: CreateCustomerInput['contacts'],
): Array<Omit<Contact, 'customerId' | 'ownerId' | 'departmentId' | 'sharedWith' | 'createdAt' | 'updatedAt'>> {
  let primarySeen = false;
  return input.map((c, i) => {
    const primary = (c.primary || (i === 0 && !input.some((x) => x.primary))) && !primarySeen;
    if (primary) primarySeen = true;
    return {
      name: normalizePersonName(c.name),
      title: c.title,
      ...splitPhones(c.phones),
      emails: [...new Set(c.emails.map((e) => normalizeEmail(e)).filter((e): e is string => !!e))],
      wecomExternalUserId: c.wecomExternalUserId,
      primary,
    };
  });
}
