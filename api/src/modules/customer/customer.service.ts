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
import { assertCan, assertCanWrite, canSeeRecord, customerVisibility, EXPORT_BATCH, recordVisibility, type RecordCursor } from './customer-scope';
import { deriveCustomerFields, splitPhones } from './customer.derive';
import { CustomerErrorCode } from './customer.errors';
import { customerModel, type Customer, type CustomerDoc, type PendingCustomerCreate } from './customer.model';
import { findDuplicateCandidates, type DuplicateCandidate, type DuplicateReason } from './duplicate-check';
import { identitiesOf, identityClaimModel, isDuplicateKey, reasonOf, type IdentityClaim } from './identity-claims';
import type { ScopeFields } from './scope-fields';
import { createKeyed, findByRecordKey } from '../idempotency/record-key';
import { reportReaderOf, type ReportReader } from '../report/report-read';
import { onlyDuplicateKeys } from '../../db/insert-many';

const oid = (s: string | Types.ObjectId) => (typeof s === 'string' ? new Types.ObjectId(s) : s);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DAY = 86_400_000;
export const LIST_PROJECTION = { searchKeys: 0, dedupe: 0, idempotencyKey: 0, pendingCreate: 0 } as const;
/** A claim whose holder does not carry the identity (it died before writing, or changed since) may be taken over after this. */
export const CLAIM_GRACE_MS = 60_000;
/** A create's pending effects are left to its own request for this long before a recovery pass finishes them. */
export const PENDING_AFTER_MS = 5_000;

/** Who takes a claim: the customer (existing or about to be written) and the snapshot the claim carries. */
interface ClaimHolder {
  customerId: Types.ObjectId;
  name: string;
  company: string | null;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  idempotencyKey: string | null;
}
type ClaimOutcome = { taken: string[]; lost: IdentityClaim[] };

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

/**
 * The port through which a customer's scope reaches the records that copy it: each module holding
 * records of a customer (contacts, follow-ups, deals, contracts) registers a callback that updates its own
 * collection (transfer, release, claim, share). The customer module never sees those collections.
 */
export type CopyScope = (customerId: Types.ObjectId, scope: Partial<ScopeFields>) => Promise<void>;

/** A customer changed hands (created, claimed, released, transferred, reclaimed, assigned): the pool module keeps its reclaim clocks by it. */
export interface OwnershipChange {
  customerId: Types.ObjectId;
  action: string;
  ownerId: Types.ObjectId | null;
  previousOwnerId: Types.ObjectId | null;
  /** The department the customer's records were filed under before (the reports move their roll-ups by it). */
  previousDepartmentId?: Types.ObjectId | null;
  status: Customer['status'];
  poolId: string | null;
  tier: Customer['tier'];
  at: Date;
}
export type OwnershipListener = (change: OwnershipChange, meta: RequestMeta) => Promise<void>;
/** Runs before a claim is written (pool membership, claim limits, cooldown); throws to refuse it. */
export type ClaimGuard = (actor: Actor, customer: CustomerDoc) => Promise<void>;

export class CustomerService {
  readonly #customers: Model<Customer>;
  /** The customer's contacts, part of its aggregate: written with a new customer, read for the derived search fields. */
  readonly #contacts: Model<Contact>;
  /** Dedupe identities (mobile, email, company core) → the one customer holding each. */
  readonly #claims: Model<IdentityClaim>;
  /** Modules holding records of a customer, kept in step with its owner on transfer / release / claim / share. */
  private readonly dependents: CopyScope[] = [];
  private readonly ownershipListeners: OwnershipListener[] = [];
  private readonly claimGuards: ClaimGuard[] = [];
  private poolScope?: (actor: Actor) => Promise<Array<string | null> | null>;

  constructor(
    conn: Connection,
    private readonly org: OrgService,
    private readonly audit: AuditService,
    private readonly settings: { protectionDays: number; now?: () => Date },
  ) {
    this.#customers = customerModel(conn);
    this.#contacts = contactModel(conn);
    this.#claims = identityClaimModel(conn);
    this.dependents.push(async (customerId, scope) => void (await this.#contacts.updateMany({ customerId }, { $set: scope }).exec()));
  }

  /** The reports' reads of customers (api/src/modules/report builds the filters, with the caller's scope). */
  reportReader(): ReportReader<unknown> {
    return reportReaderOf(this.#customers);
  }

  /** Other modules register how their per-customer records copy the scope (follow-ups, deals, contracts). */
  registerDependent(copyScope: CopyScope): void {
    this.dependents.push(copyScope);
  }

  /** Told after every change of hands (the pool module's reclaim clocks). */
  onOwnershipChanged(listener: OwnershipListener): void {
    this.ownershipListeners.push(listener);
  }

  /** Which pools an actor may see (the pool module's membership; null = every pool); pool customers of other pools are out of scope. */
  scopePoolsBy(poolScope: (actor: Actor) => Promise<Array<string | null> | null>): void {
    this.poolScope = poolScope;
  }

  /** Asked before every claim (the pool module's membership, limits and cooldown). */
  guardClaims(guard: ClaimGuard): void {
    this.claimGuards.push(guard);
  }

  private now(): Date {
    return this.settings.now?.() ?? new Date();
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Search and filters, always within what the actor may see. `q` matches names, company, pinyin, initials, phone (or its last digits), email. */
  async list(actor: Actor, q: ListCustomersQuery): Promise<Page<Customer>> {
    const pools = (await this.poolScope?.(actor)) ?? null;
    return paginateById(this.#customers, this.listFilter(actor, q, pools), { cursor: q.cursor, limit: q.limit, projection: LIST_PROJECTION });
  }

  /** The exact filter `list` issues (the benchmark replays it through the bare driver). */
  listFilter(actor: Actor, q: Omit<ListCustomersQuery, 'cursor' | 'limit'>, pools: Array<string | null> | null = null): Record<string, unknown> {
    const and: Record<string, unknown>[] = [customerVisibility(actor, pools)];
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

  /** Every customer `list` would page through (same scope and filters, newest first), as one cursor: exports. */
  streamForExport(actor: Actor, q: Omit<ListCustomersQuery, 'cursor' | 'limit'>): RecordCursor<Customer & { _id: Types.ObjectId }> {
    return this.#customers
      .find(this.listFilter(actor, q), LIST_PROJECTION)
      .sort({ _id: -1 })
      .lean()
      .cursor({ batchSize: EXPORT_BATCH }) as unknown as RecordCursor<Customer & { _id: Types.ObjectId }>;
  }

  /** One customer the actor may see, or 404 (never 403: existence does not leak). */
  /** The list with each owner's name (search results show it), within what the actor may see. */
  async listWithOwners(actor: Actor, q: ListCustomersQuery): Promise<Page<Customer & { ownerName: string | null }>> {
    const page = await this.list(actor, q);
    const names = await this.org.namesOf(page.items.map((c) => c.ownerId));
    return { ...page, items: page.items.map((c) => ({ ...c, ownerName: c.ownerId ? (names.get(String(c.ownerId)) ?? null) : null })) };
  }

  /** The customer's contacts the actor may see (the customer 360 view), the primary first. */
  contactsOf(actor: Actor, customerId: Types.ObjectId): Promise<Array<Contact & { _id: Types.ObjectId }>> {
    return this.#contacts
      .find({ $and: [{ customerId }, recordVisibility(actor)] })
      .sort({ primary: -1, _id: 1 })
      .lean<Array<Contact & { _id: Types.ObjectId }>>()
      .exec();
  }

  /** Each customer's first number (the primary contact's first mobile, else phone), for chat replies that list customers. */
  async firstNumbers(customerIds: Types.ObjectId[]): Promise<Map<string, string>> {
    const contacts = await this.#contacts
      .find({ customerId: { $in: customerIds } }, { customerId: 1, mobiles: 1, phones: 1, primary: 1 })
      .sort({ primary: -1, _id: 1 })
      .lean()
      .exec();
    const out = new Map<string, string>();
    for (const p of contacts) {
      const n = p.mobiles?.[0] ?? p.phones?.[0];
      if (n && !out.has(String(p.customerId))) out.set(String(p.customerId), n);
    }
    return out;
  }

  /** Whether the contact is one of the customer's (a follow-up names it). */
  async hasContact(customerId: Types.ObjectId, contactId: Types.ObjectId): Promise<boolean> {
    return (await this.#contacts.exists({ _id: contactId, customerId }).exec()) !== null;
  }

  /** Per customer: how many contacts it has and their WeCom external contact ids (the hand-over's preview and WeCom transfers). */
  async contactLinks(customerIds: Types.ObjectId[]): Promise<Map<string, { contacts: number; externalUserIds: string[] }>> {
    const rows = await this.#contacts
      .find({ customerId: { $in: customerIds } }, { customerId: 1, wecomExternalUserId: 1 })
      .lean()
      .exec();
    const out = new Map<string, { contacts: number; externalUserIds: string[] }>(customerIds.map((id) => [String(id), { contacts: 0, externalUserIds: [] }]));
    for (const r of rows) {
      const hit = out.get(String(r.customerId))!;
      hit.contacts += 1;
      if (r.wecomExternalUserId) hit.externalUserIds.push(r.wecomExternalUserId);
    }
    return out;
  }

  /** A follow-up was logged: the customer's last contact moves forward (never back) and its next step is the new one. */
  async followUpLogged(customerId: Types.ObjectId, happenedAt: Date, nextDueAt: Date | null): Promise<void> {
    await this.#customers
      .updateOne({ _id: customerId }, { $max: { lastFollowUpAt: happenedAt }, ...(nextDueAt ? { $set: { nextFollowUpAt: nextDueAt } } : {}) })
      .exec();
  }

  /** A follow-up's next step was changed (or cleared). */
  async nextFollowUpChanged(customerId: Types.ObjectId, dueAt: Date | null): Promise<void> {
    await this.#customers.updateOne({ _id: customerId }, { $set: { nextFollowUpAt: dueAt } }).exec();
  }

  /**
   * New customers (created) in [from, to) per owner, within the actor's scope (业绩 / 团队情况 in chat): read only.
   */
  async createdByOwner(actor: Actor, from: Date, to: Date): Promise<Map<string, { count: number; amountFen: number }>> {
    const rows = await this.#customers
      .aggregate<{ _id: Types.ObjectId | null; count: number; amountFen: number }>([
        { $match: { $and: [recordVisibility(actor), { createdAt: { $gte: from, $lt: to } }] } },
        { $group: { _id: '$ownerId', count: { $sum: 1 }, amountFen: { $sum: 0 } } },
      ])
      .exec();
    return new Map(rows.filter((r) => r._id).map((r) => [String(r._id), { count: r.count, amountFen: r.amountFen }]));
  }

  /** Names and last contact of customers, whoever asks (reminder cards go to the reminder's own recipient). */
  labels(ids: Types.ObjectId[]): Promise<Array<{ _id: Types.ObjectId; name: string; company?: string | null; lastFollowUpAt: Date | null }>> {
    if (!ids.length) return Promise.resolve([]);
    return this.#customers
      .find({ _id: { $in: ids } }, { name: 1, company: 1, lastFollowUpAt: 1 })
      .lean<Array<{ _id: Types.ObjectId; name: string; company?: string | null; lastFollowUpAt: Date | null }>>()
      .exec();
  }

  /** Owned customers of a tier not contacted since `before` (the cold-customer reminders). */
  coldSince(tier: Customer['tier'], before: Date) {
    return this.#customers
      .find(
        { tier, status: 'owned', ownerId: { $ne: null }, $or: [{ lastFollowUpAt: { $lt: before } }, { lastFollowUpAt: null, createdAt: { $lt: before } }] },
        { name: 1, company: 1, ownerId: 1, lastFollowUpAt: 1, createdAt: 1 },
      )
      .lean()
      .exec();
  }

  /** Who holds the customer and when it was last contacted, whoever asks (a cold-customer reminder checks it is still true). */
  contactState(id: Types.ObjectId) {
    return this.#customers.findById(id, { lastFollowUpAt: 1, createdAt: 1, ownerId: 1, status: 1 }).lean().exec();
  }

  /** Demo data (the seed): customers and their contacts written as they are, in unordered batches. */
  async insertSeedRecords(customers: object[], contacts: object[]): Promise<void> {
    if (customers.length) await this.#customers.insertMany(customers, { ordered: false });
    if (contacts.length) await this.#contacts.insertMany(contacts, { ordered: false });
  }

  /** How many customers and contacts there are (the seed reports them). */
  async countAll(): Promise<{ customers: number; contacts: number }> {
    return { customers: await this.#customers.estimatedDocumentCount().exec(), contacts: await this.#contacts.estimatedDocumentCount().exec() };
  }

  /** A demo customer by name and owner (the seed's first reminder); null when there is none. */
  findSeeded(name: string, ownerId: Types.ObjectId): Promise<CustomerDoc | null> {
    return this.#customers.findOne({ name, ownerId }).exec();
  }

  /** How many customers each of these people owns now (a leaver's customers still waiting for a hand-over). */
  async ownedCounts(ownerIds: Types.ObjectId[]): Promise<Map<string, number>> {
    if (!ownerIds.length) return new Map();
    const rows = await this.#customers
      .aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { ownerId: { $in: ownerIds }, status: 'owned' } },
        { $group: { _id: '$ownerId', n: { $sum: 1 } } },
      ])
      .exec();
    return new Map(rows.map((r) => [String(r._id), r.n]));
  }

  /** Who holds a customer, whoever asks (an approved report checks it was not claimed meanwhile); null when there is none. */
  async ownership(id: Types.ObjectId): Promise<{ status: Customer['status']; ownerId: Types.ObjectId | null } | null> {
    const c = await this.#customers.findById(id, { status: 1, ownerId: 1 }).lean().exec();
    return c ? { status: c.status, ownerId: c.ownerId ?? null } : null;
  }

  async get(actor: Actor, id: string | Types.ObjectId): Promise<CustomerDoc> {
    const customer = await this.#customers.findById(oid(id)).exec();
    if (!customer || !canSeeRecord(actor, customer)) throw notFound('客户');
    if (customer.status === 'pool' && this.poolScope) {
      // a pool customer of a pool the actor is not a member of is out of scope (unless the actor sees every record)
      const pools = await this.poolScope(actor);
      const everyRecord = canSeeRecord(actor, { ownerId: null, departmentId: null, sharedWith: [] });
      if (pools && !everyRecord && !pools.includes(customer.poolId ?? null)) throw notFound('客户');
    }
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
    const found = await findDuplicateCandidates(this.#customers, { company: input.company, companyKey: derived.companyKey, dedupe: derived.dedupe }, excludeId);
    return this.describeCandidates(actor, found);
  }

  /** Candidates as the actor may see them (those out of scope only as "其他团队"). */
  private async describeCandidates(
    actor: Actor,
    found: Array<{
      customer: Pick<Customer, 'name' | 'company' | 'status' | 'ownerId' | 'departmentId' | 'sharedWith'> & { _id: Types.ObjectId };
      reasons: DuplicateReason[];
    }>,
  ): Promise<DuplicateCandidate[]> {
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
   *
   * Race-free: the customer's identities (normalized mobiles, emails, company core) are claimed in
   * `customer_identity_claims` (unique `_id`) before the customer is written, so of N simultaneous
   * creates of the same company exactly one wins; the others release what they took and answer 409
   * naming the winner. Crash-safe: the customer is inserted with its contacts and audit entry as
   * `pendingCreate` and those are written afterwards idempotently (fixed ids), by this request or by
   * `recoverPending`. With an Idempotency-Key (`idempotencyKey`), a retry answers with the record the
   * first attempt created, whatever happened to that attempt.
   */
  async create(actor: Actor, meta: RequestMeta, input: CreateCustomerInput, opts: { idempotencyKey?: string } = {}): Promise<CustomerDoc> {
    assertCan(actor, 'record.write');
    const key = opts.idempotencyKey;
    const earlier = await findByRecordKey(this.#customers, key);
    if (earlier) return this.finishCreate(earlier);
    // Before any 409: a concurrent attempt with the same key (a double tap) may have written the customer meanwhile.
    const ownOr409 = async (candidates: DuplicateCandidate[]): Promise<CustomerDoc> => {
      const mine = await findByRecordKey(this.#customers, key);
      if (mine) return this.finishCreate(mine);
      throw duplicateSuspected(candidates);
    };
    const candidates = await this.checkDuplicates(actor, input);
    if (candidates.length > 0 && !input.force) return ownOr409(candidates);

    const now = this.now();
    const contactRows = normalizeContacts(input.contacts);
    const id = new Types.ObjectId();
    const ownerId = actor.user._id;
    const departmentId = actor.user.departmentIds[0] ?? null;
    const derived = deriveCustomerFields(input, contactRows);
    const holder: ClaimHolder = { customerId: id, name: input.name, company: input.company ?? null, ownerId, departmentId, idempotencyKey: key ?? null };
    const claimed = await this.claimIdentities(holder, identitiesOf(derived), { force: input.force });
    if (claimed.lost.length) {
      await this.releaseClaims(id, claimed.taken);
      return ownOr409(await this.candidatesFromClaims(actor, claimed.lost));
    }
    const forcedOver = input.force ? [...candidates, ...(await this.candidatesFromClaims(actor, await this.heldByOthers(id, identitiesOf(derived))))] : [];
    const forcedIds = [...new Set(forcedOver.map((c) => (c.visible ? c.id : '其他团队')))];
    const forced = input.force && forcedIds.length > 0;

    const contacts = contactRows.map((c) => ({ _id: new Types.ObjectId(), ...c, customerId: id, ownerId, departmentId, sharedWith: [] }));
    const pendingCreate: PendingCustomerCreate = {
      since: now,
      contacts,
      audit: {
        action: forced ? 'customer.create.forced' : 'customer.create',
        note: forced ? `强制创建：${input.reason}；疑似重复 ${forcedIds.length} 个：${forcedIds.join(', ')}` : undefined,
        requestId: meta.requestId,
        channel: meta.channel,
        actorId: meta.actorId,
        actorName: meta.actorName,
      },
    };
    let inserted;
    try {
      inserted = await createKeyed(this.#customers, key, {
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
        ...derived,
        pendingCreate,
      });
    } catch (err) {
      await this.releaseClaims(id, claimed.taken).catch(() => undefined);
      throw err;
    }
    if (!inserted.created) {
      // Another attempt with the same key wrote the customer first: the claims we took are its identities too.
      await this.#claims.updateMany({ customerId: id }, { $set: { customerId: inserted.doc._id } }).exec();
    }
    try {
      return await this.finishCreate(inserted.doc);
    } catch (err) {
      if (!inserted.created) throw err;
      // Contacts refused (not a crash): nothing half-written stays.
      await this.#contacts
        .deleteMany({ customerId: id })
        .exec()
        .catch(() => undefined);
      await this.#customers
        .deleteOne({ _id: id })
        .exec()
        .catch(() => undefined);
      await this.releaseClaims(id).catch(() => undefined);
      throw err;
    }
  }

  /** Writes what a create left pending (contacts, audit entry), idempotently, then clears the mark. */
  private async finishCreate(customer: CustomerDoc): Promise<CustomerDoc> {
    const pending = customer.pendingCreate;
    if (!pending) return customer;
    if (pending.contacts.length) {
      await this.#contacts.insertMany(pending.contacts, { ordered: false }).catch((err: unknown) => {
        if (!onlyDuplicateKeys(err)) throw err;
      });
    }
    const a = pending.audit;
    const after = customer.toObject();
    await this.audit.record(
      { requestId: a.requestId, channel: a.channel as RequestMeta['channel'], actorId: a.actorId, actorName: a.actorName },
      {
        id: customer._id,
        at: customer.createdAt,
        action: a.action,
        entityType: 'customer',
        entityId: customer._id,
        changes: diffFields(null, after, CUSTOMER_AUDITED_FIELDS),
        note: a.note,
      },
    );
    await this.#customers.updateOne({ _id: customer._id }, { $unset: { pendingCreate: 1 } }).exec();
    customer.set('pendingCreate', undefined);
    // the pool's reclaim clock starts (a failure here is healed by the reclaim job's backfill, never undoes the create)
    await this.ownershipChanged(
      { requestId: a.requestId, channel: a.channel as RequestMeta['channel'], actorId: a.actorId, actorName: a.actorName },
      customer,
      null,
      'customer.create',
    ).catch(() => undefined);
    return customer;
  }

  /**
   * Finishes creates whose request stopped (a crash) after the customer was written: contacts and the
   * audit entry. Idempotent; run at start-up and on a timer, by any number of processes.
   */
  async recoverPending(now: Date = this.now()): Promise<{ finished: number; failed: number }> {
    const stuck = await this.#customers
      .find({ 'pendingCreate.since': { $lt: new Date(now.getTime() - PENDING_AFTER_MS) } })
      .limit(200)
      .exec();
    let finished = 0;
    let failed = 0;
    for (const c of stuck) {
      try {
        await this.finishCreate(c);
        finished++;
      } catch {
        failed++;
      }
    }
    return { finished, failed };
  }

  // ---- identity claims -------------------------------------------------------------------------

  /**
   * Takes each identity for the holder, in order. Stops at the first one another customer holds (unless
   * `force`: a forced duplicate simply does without it). Returns what was taken and what was lost.
   */
  private async claimIdentities(holder: ClaimHolder, identities: string[], opts: { force?: boolean } = {}): Promise<ClaimOutcome> {
    const taken: string[] = [];
    const lost: IdentityClaim[] = [];
    for (const identity of identities) {
      const held = await this.claimOne(identity, holder);
      if (held === 'taken') taken.push(identity);
      else if (!opts.force) {
        lost.push(held);
        break;
      }
    }
    return { taken, lost };
  }

  /** One identity: insert the claim; if held, take it over only when its holder is gone or no longer has it (after the grace period), or when it is our own earlier attempt. */
  private async claimOne(identity: string, holder: ClaimHolder, attempt = 0): Promise<'taken' | IdentityClaim> {
    const now = this.now();
    const fields = { ...holder, claimedAt: now };
    try {
      await this.#claims.create({ _id: identity, ...fields });
      return 'taken';
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await this.#claims.findById(identity).lean().exec();
    if (!existing) return attempt < 3 ? this.claimOne(identity, holder, attempt + 1) : 'taken';
    if (existing.customerId.equals(holder.customerId)) return 'taken';
    const holderRecord = await this.#customers.findById(existing.customerId, { companyKey: 1, dedupe: 1 }).lean().exec();
    const ownAttempt = !!holder.idempotencyKey && existing.idempotencyKey === holder.idempotencyKey && !holderRecord;
    const stale = now.getTime() - existing.claimedAt.getTime() > CLAIM_GRACE_MS && (!holderRecord || !identitiesOf(holderRecord).includes(identity));
    if (!ownAttempt && !stale) return existing as IdentityClaim;
    const moved = await this.#claims.updateOne({ _id: identity, customerId: existing.customerId }, { $set: fields }).exec();
    if (moved.modifiedCount === 1) return 'taken';
    return attempt < 3 ? this.claimOne(identity, holder, attempt + 1) : (existing as IdentityClaim);
  }

  /** Claims of these identities held by customers other than `customerId`. */
  private async heldByOthers(customerId: Types.ObjectId, identities: string[]): Promise<IdentityClaim[]> {
    if (!identities.length) return [];
    return (await this.#claims
      .find({ _id: { $in: identities }, customerId: { $ne: customerId } })
      .lean()
      .exec()) as IdentityClaim[];
  }

  /** The customers behind lost claims, as candidates; a winner still being written is described from its claim. */
  private async candidatesFromClaims(actor: Actor, lost: IdentityClaim[]): Promise<DuplicateCandidate[]> {
    const reasons = new Map<string, DuplicateReason[]>();
    for (const c of lost) reasons.set(String(c.customerId), [...new Set([...(reasons.get(String(c.customerId)) ?? []), reasonOf(c._id)])]);
    const ids = [...reasons.keys()].map((x) => new Types.ObjectId(x));
    const found = await this.#customers
      .find({ _id: { $in: ids } }, { name: 1, company: 1, status: 1, ownerId: 1, departmentId: 1, sharedWith: 1 })
      .lean()
      .exec();
    const byId = new Map(found.map((c) => [String(c._id), c]));
    const rows = [...reasons.entries()].map(([id, r]) => {
      const claim = lost.find((c) => String(c.customerId) === id)!;
      const customer = byId.get(id) ?? {
        _id: claim.customerId,
        name: claim.name,
        company: claim.company ?? undefined,
        status: 'owned' as const,
        ownerId: claim.ownerId,
        departmentId: claim.departmentId,
        sharedWith: [],
      };
      return { customer, reasons: r };
    });
    return this.describeCandidates(actor, rows);
  }

  /**
   * Before a customer's name / company or contacts change: claims the identities `next` has that the
   * customer does not have yet; 409 DUPLICATE_SUSPECTED (nothing kept) if another customer holds one.
   * The identities it no longer has are released by `refreshDerived` after the write.
   */
  async claimChangedIdentities(
    actor: Actor,
    customer: CustomerDoc,
    next: { name: string; company?: string | null },
    contacts: Parameters<typeof deriveCustomerFields>[1],
  ): Promise<void> {
    const before = new Set(identitiesOf(customer));
    const wanted = identitiesOf(deriveCustomerFields(next, contacts)).filter((i) => !before.has(i));
    if (!wanted.length) return;
    const holder: ClaimHolder = {
      customerId: customer._id,
      name: next.name,
      company: next.company ?? null,
      ownerId: customer.ownerId,
      departmentId: customer.departmentId,
      idempotencyKey: customer.idempotencyKey ?? null,
    };
    const claimed = await this.claimIdentities(holder, wanted);
    if (claimed.lost.length) {
      await this.releaseClaims(customer._id, claimed.taken);
      throw duplicateSuspected(await this.candidatesFromClaims(actor, claimed.lost));
    }
  }

  /**
   * Frees a customer's identity claims (all of them, or the named ones), so another customer may take
   * them. Used by the create rollback; any path that deletes or merges customers must call it (the
   * merged-away customer's claims first, then the survivor's `refreshDerived` claims what it now has).
   */
  async releaseClaims(customerId: Types.ObjectId, identities?: string[]): Promise<void> {
    if (identities && !identities.length) return;
    await this.#claims.deleteMany({ customerId, ...(identities ? { _id: { $in: identities } } : {}) }).exec();
  }

  /**
   * Claims for customers written before claims existed (or by an import): every identity of every
   * customer, oldest customer first, skipping those already held. Idempotent; run at start-up.
   */
  async backfillIdentityClaims(): Promise<{ customers: number; claimed: number }> {
    let customers = 0;
    let claimed = 0;
    const cursor = this.#customers
      .find({}, { name: 1, company: 1, companyKey: 1, dedupe: 1, ownerId: 1, departmentId: 1, idempotencyKey: 1, createdAt: 1 })
      .sort({ _id: 1 })
      .lean()
      .cursor();
    for await (const c of cursor) {
      customers++;
      const docs = identitiesOf(c).map((identity) => ({
        _id: identity,
        customerId: c._id,
        claimedAt: c.createdAt ?? this.now(),
        name: c.name,
        company: c.company ?? null,
        ownerId: c.ownerId ?? null,
        departmentId: c.departmentId ?? null,
        idempotencyKey: c.idempotencyKey ?? null,
      }));
      if (!docs.length) continue;
      try {
        claimed += (await this.#claims.insertMany(docs, { ordered: false })).length;
      } catch (err) {
        if (!onlyDuplicateKeys(err)) throw err;
        claimed += (err as { insertedDocs?: unknown[] }).insertedDocs?.length ?? 0;
      }
    }
    return { customers, claimed };
  }

  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateCustomerInput): Promise<CustomerDoc> {
    const before = await this.get(actor, id);
    assertCanWrite(actor, before);
    const set: Partial<Customer> = { ...input };
    if (input.tags) set.tags = [...new Set(input.tags)];
    const identityChange = input.name !== undefined || input.company !== undefined;
    if (identityChange) {
      const contacts = await this.#contacts.find({ customerId: before._id }).lean().exec();
      const next = { name: input.name ?? before.name, company: input.company ?? before.company };
      await this.claimChangedIdentities(actor, before, next, contacts);
      Object.assign(set, deriveCustomerFields(next, contacts));
    }
    const after = await this.#customers.findByIdAndUpdate(before._id, { $set: set }, { returnDocument: 'after', runValidators: true }).exec();
    if (!after) throw notFound('客户');
    if (identityChange) await this.releaseStaleClaims(after);
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
      { ownerId: owner._id, departmentId: owner.departmentIds[0] ?? null, status: 'owned', protectionEndsAt: before.protectionEndsAt, poolId: null },
      'customer.transfer',
      reason,
    );
  }

  /** Releases a customer to the public pool (公海). */
  async release(actor: Actor, meta: RequestMeta, id: string, reason?: string, opts: { poolId?: string } = {}): Promise<CustomerDoc> {
    const before = await this.get(actor, id);
    assertCanWrite(actor, before);
    const next = { ownerId: null, departmentId: null, status: 'pool' as const, protectionEndsAt: null, poolId: opts.poolId ?? null };
    return this.moveOwnership(meta, before, next, 'customer.release', reason);
  }

  /** Takes a customer from the pool; one conditional update, so two reps claiming at once get one winner. */
  async claim(actor: Actor, meta: RequestMeta, id: string): Promise<CustomerDoc> {
    assertCan(actor, 'record.write');
    const before = await this.get(actor, id);
    if (before.status !== 'pool') throw new AppError(409, CustomerErrorCode.NOT_IN_POOL, '该客户不在公海中，可能已被他人领取');
    for (const guard of this.claimGuards) await guard(actor, before);
    const protectionEndsAt = new Date(this.now().getTime() + this.settings.protectionDays * DAY);
    return this.moveOwnership(
      meta,
      before,
      { ownerId: actor.user._id, departmentId: actor.user.departmentIds[0] ?? null, status: 'owned', protectionEndsAt, poolId: null },
      'customer.claim',
    );
  }

  /** Shares a customer read-only with partners (replaces the list). */
  async share(actor: Actor, meta: RequestMeta, id: string, partnerIds: string[]): Promise<CustomerDoc> {
    const before = await this.get(actor, id);
    assertCanWrite(actor, before);
    const partners = await this.org.activePartners(partnerIds.map(oid));
    if (partners.length !== new Set(partnerIds).size) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '只能共享给在职的外部合作方', {
        details: [{ path: 'body.partnerIds', message: 'not all are active partners' }],
      });
    }
    const sharedWith = partners.map((p) => p._id);
    const after = await this.#customers.findOneAndUpdate({ _id: before._id }, { $set: { sharedWith } }, { returnDocument: 'after' }).exec();
    if (!after) throw notFound('客户');
    await Promise.all(this.dependents.map((copy) => copy(before._id, { sharedWith })));
    await this.audit.record(meta, {
      action: 'customer.share',
      entityType: 'customer',
      entityId: after._id,
      changes: diffFields(before.toObject(), after.toObject(), ['sharedWith']),
    });
    return after;
  }

  /** Recomputes search keys and duplicate identifiers after contacts change, and frees the identity claims it no longer needs. */
  async refreshDerived(customerId: Types.ObjectId): Promise<void> {
    const customer = await this.#customers.findById(customerId, { name: 1, company: 1 }).lean().exec();
    if (!customer) return;
    const contacts = await this.#contacts.find({ customerId }).lean().exec();
    const derived = deriveCustomerFields(customer, contacts);
    await this.#customers.updateOne({ _id: customerId }, { $set: derived }).exec();
    await this.releaseStaleClaims({ _id: customerId, ...derived });
  }

  /** Frees the claims of identities the customer no longer has (after its contacts or company changed). */
  private async releaseStaleClaims(c: { _id: Types.ObjectId; companyKey?: string | null; dedupe: Customer['dedupe'] }): Promise<void> {
    await this.#claims.deleteMany({ customerId: c._id, _id: { $nin: identitiesOf(c) } }).exec();
  }

  /** The customer's scope fields, for records created under it. */
  scopeCopy(customer: Customer): ScopeFields {
    return { ownerId: customer.ownerId, departmentId: customer.departmentId, sharedWith: customer.sharedWith };
  }

  private async moveOwnership(
    meta: RequestMeta,
    before: CustomerDoc,
    next: Pick<Customer, 'ownerId' | 'departmentId' | 'status' | 'protectionEndsAt'> & { poolId?: string | null },
    action: string,
    reason?: string,
  ): Promise<CustomerDoc> {
    // Conditional on the state we read: a concurrent transfer / claim makes this one fail instead of overwrite.
    const after = await this.#customers
      .findOneAndUpdate({ _id: before._id, status: before.status, ownerId: before.ownerId }, { $set: next }, { returnDocument: 'after' })
      .exec();
    if (!after) throw new AppError(409, CommonErrorCode.CONFLICT, '客户刚被他人处理，请刷新后重试');
    await Promise.all(this.dependents.map((copy) => copy(before._id, { ownerId: next.ownerId, departmentId: next.departmentId })));
    await this.audit.record(meta, {
      action,
      entityType: 'customer',
      entityId: after._id,
      changes: diffFields(before.toObject(), after.toObject(), CUSTOMER_AUDITED_FIELDS),
      note: reason,
    });
    await this.ownershipChanged(meta, after, before.ownerId, action, before.departmentId);
    return after;
  }

  private async ownershipChanged(
    meta: RequestMeta,
    c: CustomerDoc,
    previousOwnerId: Types.ObjectId | null,
    action: string,
    previousDepartmentId: Types.ObjectId | null = null,
  ): Promise<void> {
    const change: OwnershipChange = {
      previousDepartmentId,
      customerId: c._id,
      action,
      ownerId: c.ownerId,
      previousOwnerId,
      status: c.status,
      poolId: c.poolId ?? null,
      tier: c.tier,
      at: this.now(),
    };
    for (const listener of this.ownershipListeners) await listener(change, meta);
  }

  // ---- pools (公海) and assignment: the pool and assignment modules call these ------------------------

  /**
   * Returns an owned customer to a pool (the reclaim job): one update conditional on the owner read, so two
   * workers reclaim it once; the loser (or a customer that moved meanwhile) answers null. Audited with the reason.
   */
  async reclaim(meta: RequestMeta, id: Types.ObjectId, expectedOwnerId: Types.ObjectId, poolId: string, reason: string): Promise<CustomerDoc | null> {
    const before = await this.#customers.findById(id).exec();
    if (!before || before.status !== 'owned' || !before.ownerId?.equals(expectedOwnerId)) return null;
    const next = { ownerId: null, departmentId: null, status: 'pool' as const, protectionEndsAt: null, poolId };
    return this.moveOwnership(meta, before, next, 'customer.reclaim', reason).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 409) return null;
      throw err;
    });
  }

  /**
   * Gives a customer to an owner or a pool by the assignment rules (a new lead, a lead not accepted in time),
   * conditional on the holder read (`expectedOwnerId`, null for an unowned one); null when it moved meanwhile.
   */
  async assign(
    meta: RequestMeta,
    id: Types.ObjectId,
    expectedOwnerId: Types.ObjectId | null,
    to: { ownerId: Types.ObjectId; departmentId: Types.ObjectId | null } | { poolId: string },
    reason: string,
  ): Promise<CustomerDoc | null> {
    const before = await this.#customers.findById(id).exec();
    if (!before || String(before.ownerId ?? null) !== String(expectedOwnerId)) return null;
    const next =
      'poolId' in to
        ? { ownerId: null, departmentId: null, status: 'pool' as const, protectionEndsAt: null, poolId: to.poolId }
        : { ownerId: to.ownerId, departmentId: to.departmentId, status: 'owned' as const, protectionEndsAt: before.protectionEndsAt, poolId: null };
    return this.moveOwnership(meta, before, next, 'poolId' in to ? 'customer.assign-pool' : 'customer.assign', reason).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 409) return null;
      throw err;
    });
  }

  /** Puts an unowned customer that has no pool yet into one (a release through the customer API); conditional. */
  async placeInPool(id: Types.ObjectId, poolId: string): Promise<void> {
    await this.#customers.updateOne({ _id: id, status: 'pool', poolId: null }, { $set: { poolId } }).exec();
  }

  /** Pool customers of these pools (browsing; the pool module checks membership), newest first, by cursor. */
  inPools(
    poolIds: string[],
    q: { cursor?: string; limit: number; region?: string; industry?: string; ids?: Types.ObjectId[]; includeUnplaced?: boolean },
  ): Promise<Page<Customer>> {
    const pools: Record<string, unknown> = { poolId: { $in: q.includeUnplaced ? [...poolIds, null] : poolIds } };
    const and: Record<string, unknown>[] = [{ status: 'pool' }, pools];
    if (q.region) and.push({ 'region.province': q.region });
    if (q.industry) and.push({ industry: q.industry });
    if (q.ids) and.push({ _id: { $in: q.ids } });
    return paginateById(this.#customers, { $and: and }, { cursor: q.cursor, limit: q.limit, projection: LIST_PROJECTION });
  }

  /** How many customers the user owns (the pool's maximum, assignment by load). */
  countOwned(ownerIds: Types.ObjectId[]): Promise<Map<string, number>> {
    return this.#customers
      .aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { ownerId: { $in: ownerIds }, status: 'owned' } },
        { $group: { _id: '$ownerId', n: { $sum: 1 } } },
      ])
      .exec()
      .then((rows) => new Map(rows.map((r) => [String(r._id), r.n])));
  }

  /** What the reclaim rules read of customers, whoever asks (the reclaim job checks each due customer). */
  reclaimFacts(ids: Types.ObjectId[]) {
    return this.#customers
      .find(
        { _id: { $in: ids } },
        { ownerId: 1, status: 1, tier: 1, lastFollowUpAt: 1, createdAt: 1, name: 1, company: 1, region: 1, industry: 1, source: 1, poolId: 1 },
      )
      .lean()
      .exec();
  }

  /** Owned customers after `afterId` in id order (the reclaim clocks' backfill), at most `limit`. */
  ownedAfter(afterId: Types.ObjectId | null, limit: number) {
    return this.#customers
      .find({ status: 'owned', ...(afterId ? { _id: { $gt: afterId } } : {}) }, { ownerId: 1, tier: 1, lastFollowUpAt: 1, createdAt: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  private async ownerNames(ids: Array<Types.ObjectId | null>): Promise<Map<string, string>> {
    const wanted = ids.filter((x): x is Types.ObjectId => x !== null);
    if (!wanted.length) return new Map();
    return this.org.namesOf(wanted);
  }
}

function duplicateSuspected(candidates: DuplicateCandidate[]): AppError {
  return new AppError(409, CustomerErrorCode.DUPLICATE_SUSPECTED, '可能与已有客户重复，请确认；如确需新建，请填写原因后强制创建', {
    details: { candidates },
  });
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
