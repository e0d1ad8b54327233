import { createHash } from 'node:crypto';
import { Types, type Connection, type Model } from 'mongoose';
import type { CustomerSource, CustomerTier } from '@crm/shared';
import { insertIgnoringDuplicates } from '../../db/insert-many';
import { contactModel, type Contact } from '../contact/contact.model';
import { deriveCustomerFields } from './customer.derive';
import { customerModel, type Customer } from './customer.model';
import { similarCompany } from './duplicate-check';
import { identitiesOf, identityClaimModel, type IdentityClaim } from './identity-claims';

/** A fixed ObjectId for one thing of one import row (its customer, its contact): a rerun writes the same ids, so never twice. */
export function importObjectId(importId: Types.ObjectId, ...parts: Array<string | number>): Types.ObjectId {
  const bytes = Buffer.alloc(12);
  importId.id.subarray(0, 4).forEach((b, i) => (bytes[i] = b)); // keeps the import's time first (sort order)
  createHash('sha1')
    .update(`${importId.toHexString()}:${parts.join(':')}`)
    .digest()
    .copy(bytes, 4, 0, 8);
  return new Types.ObjectId(bytes);
}

/** Who holds a dedupe identity, as far as an import needs to know (scope fields to decide what it may see). */
export interface IdentityHolder {
  customerId: Types.ObjectId;
  name: string;
  company: string | null;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  sharedWith: Types.ObjectId[];
  status: Customer['status'];
  importId: Types.ObjectId | null;
  /** False while the holder is still being written (described from the claim). */
  exists: boolean;
}

export interface BulkCustomer {
  id: Types.ObjectId;
  name: string;
  company?: string;
  industry?: string;
  region?: { province?: string; city?: string };
  source: CustomerSource;
  tier: CustomerTier;
  tags: string[];
  nextFollowUpAt?: Date;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  contact?: { name: string; title?: string; mobiles: string[]; phones: string[]; emails: string[] };
}

export interface BulkUpdate {
  industry?: string;
  region?: { province?: string; city?: string };
  tier?: CustomerTier;
  tags?: string[];
  nextFollowUpAt?: Date;
}
export const BULK_UPDATE_FIELDS = ['industry', 'region', 'tier', 'tags', 'nextFollowUpAt'] as const;

const contactIdOf = (customerId: Types.ObjectId) => importObjectId(customerId, 'contact');
const DAY = 86_400_000;

/**
 * The customer module's bulk path for imports: claims, customers and contacts written in batches with
 * fixed ids (idempotent per row), every record tagged with its import id, and the undo of an import.
 * Owns nothing new: the customer module's collections, reached only from here and the CustomerService.
 */
export class CustomerBulk {
  readonly #customers: Model<Customer>;
  readonly #contacts: Model<Contact>;
  readonly #claims: Model<IdentityClaim>;

  constructor(
    conn: Connection,
    private readonly settings: { protectionDays: number },
  ) {
    this.#customers = customerModel(conn);
    this.#contacts = contactModel(conn);
    this.#claims = identityClaimModel(conn);
  }

  /** The holders of these identities (one read of the claims by `_id`, one of their customers). */
  async holders(identities: string[]): Promise<Map<string, IdentityHolder>> {
    const out = new Map<string, IdentityHolder>();
    if (!identities.length) return out;
    const claims = (await this.#claims
      .find({ _id: { $in: identities } })
      .lean()
      .exec()) as IdentityClaim[];
    const ids = [...new Set(claims.map((c) => String(c.customerId)))].map((x) => new Types.ObjectId(x));
    const customers = ids.length
      ? await this.#customers
          .find({ _id: { $in: ids } }, { name: 1, company: 1, ownerId: 1, departmentId: 1, sharedWith: 1, status: 1, importId: 1 })
          .lean()
          .exec()
      : [];
    const byId = new Map(customers.map((c) => [String(c._id), c]));
    for (const claim of claims) {
      const c = byId.get(String(claim.customerId));
      out.set(claim._id, {
        customerId: claim.customerId,
        name: c?.name ?? claim.name,
        company: c?.company ?? claim.company,
        ownerId: c ? (c.ownerId ?? null) : claim.ownerId,
        departmentId: c ? (c.departmentId ?? null) : claim.departmentId,
        sharedWith: c?.sharedWith ?? [],
        status: c?.status ?? 'owned',
        importId: c?.importId ?? null,
        exists: !!c,
      });
    }
    return out;
  }

  /** The soft rule of the duplicate check for a batch: customers with one of these person names at a similar company. */
  async samePersonAtSimilarCompany(probes: Array<{ personName: string; company?: string }>): Promise<Map<number, IdentityHolder>> {
    const out = new Map<number, IdentityHolder>();
    const names = [...new Set(probes.map((p) => p.personName).filter(Boolean))];
    if (!names.length) return out;
    const found = await this.#customers
      .find({ 'dedupe.personNames': { $in: names } }, { name: 1, company: 1, ownerId: 1, departmentId: 1, sharedWith: 1, status: 1, importId: 1, dedupe: 1 })
      .lean()
      .exec();
    probes.forEach((p, i) => {
      const hit = found.find((c) => c.dedupe.personNames.includes(p.personName) && similarCompany(c.company, p.company));
      if (hit)
        out.set(i, {
          customerId: hit._id,
          name: hit.name,
          company: hit.company ?? null,
          ownerId: hit.ownerId ?? null,
          departmentId: hit.departmentId ?? null,
          sharedWith: hit.sharedWith ?? [],
          status: hit.status,
          importId: hit.importId ?? null,
          exists: true,
        });
    });
    return out;
  }

  /**
   * Creates customers (with their first contact) for one import: identities claimed first (a claim held by
   * another customer makes that row `lost`, unless `force`: then it goes without that identity), then the
   * customers and contacts with fixed ids. Rerunning the same batch writes nothing twice.
   */
  async createMany(
    importId: Types.ObjectId,
    createdBy: Types.ObjectId,
    items: BulkCustomer[],
    opts: { force: boolean; now: Date },
  ): Promise<Map<string, { outcome: 'created' | 'lost'; heldBy?: string[] }>> {
    const result = new Map<string, { outcome: 'created' | 'lost'; heldBy?: string[] }>();
    const docs = items.map((it) => {
      const contact = it.contact ? { _id: contactIdOf(it.id), ...it.contact, primary: true } : null;
      const derived = deriveCustomerFields({ name: it.name, company: it.company }, contact ? [contact] : []);
      return { it, contact, derived, identities: identitiesOf(derived) };
    });
    const claimDocs = docs.flatMap((d) =>
      d.identities.map((identity) => ({
        _id: identity,
        customerId: d.it.id,
        claimedAt: opts.now,
        name: d.it.name,
        company: d.it.company ?? null,
        ownerId: d.it.ownerId,
        departmentId: d.it.departmentId,
        idempotencyKey: null,
      })),
    );
    const failed = new Set<string>();
    if (claimDocs.length) {
      try {
        await this.#claims.collection.insertMany(claimDocs as never[], { ordered: false });
      } catch (err) {
        for (const w of writeErrorsOf(err)) failed.add(claimDocs[w.index]!._id);
      }
    }
    const held = failed.size
      ? ((await this.#claims
          .find({ _id: { $in: [...failed] } })
          .lean()
          .exec()) as IdentityClaim[])
      : [];
    const heldByOther = new Map(held.map((c) => [c._id, c.customerId]));
    const toWrite: typeof docs = [];
    const releaseFrom: Types.ObjectId[] = [];
    for (const d of docs) {
      const lost = d.identities.filter((i) => failed.has(i) && !heldByOther.get(i)?.equals(d.it.id));
      if (lost.length && !opts.force) {
        result.set(String(d.it.id), { outcome: 'lost', heldBy: lost });
        releaseFrom.push(d.it.id);
        continue;
      }
      result.set(String(d.it.id), { outcome: 'created' });
      toWrite.push(d);
    }
    if (releaseFrom.length) await this.#claims.deleteMany({ customerId: { $in: releaseFrom } }).exec();
    const customers = toWrite.map(({ it, derived }) => ({
      _id: it.id,
      name: it.name,
      ...(it.company ? { company: it.company } : {}),
      ...(it.industry ? { industry: it.industry } : {}),
      ...(it.region ? { region: it.region } : {}),
      source: it.source,
      tier: it.tier,
      tags: it.tags,
      ownerId: it.ownerId,
      departmentId: it.departmentId,
      sharedWith: [],
      status: it.ownerId ? 'owned' : 'pool',
      protectionEndsAt: it.ownerId ? new Date(opts.now.getTime() + this.settings.protectionDays * DAY) : null,
      lastFollowUpAt: null,
      nextFollowUpAt: it.nextFollowUpAt ?? null,
      ...derived,
      createdBy,
      importId,
      createdAt: opts.now,
      updatedAt: opts.now,
      __v: 0,
    }));
    await insertIgnoringDuplicates(this.#customers, customers);
    const contacts = toWrite
      .filter((d) => d.contact)
      .map(({ it, contact }) => ({
        ...contact!,
        customerId: it.id,
        ownerId: it.ownerId,
        departmentId: it.departmentId,
        sharedWith: [],
        importId,
        createdAt: opts.now,
        updatedAt: opts.now,
        __v: 0,
      }));
    await insertIgnoringDuplicates(this.#contacts, contacts);
    return result;
  }

  /** The fields an update may change, as they are now (the before of a rollback), or null when the customer is gone. */
  async snapshot(customerId: Types.ObjectId): Promise<(BulkUpdate & { updatedAt: Date }) | null> {
    const c = await this.#customers.findById(customerId, { industry: 1, region: 1, tier: 1, tags: 1, nextFollowUpAt: 1, updatedAt: 1 }).lean().exec();
    if (!c) return null;
    return { industry: c.industry, region: c.region, tier: c.tier, tags: c.tags, nextFollowUpAt: c.nextFollowUpAt ?? undefined, updatedAt: c.updatedAt };
  }

  /**
   * An import's update of an existing customer (upsert by mobile / email / company): the row's non-empty
   * fields, its tags added, and its contact added when none of its numbers or emails is known (the new
   * contact's identities claimed; one held elsewhere leaves the contact out). Idempotent (the contact's id
   * is fixed). Answers the customer's `updatedAt` after the write, or null if it is gone or in the pool.
   */
  async updateFromImport(
    importId: Types.ObjectId,
    customerId: Types.ObjectId,
    line: number,
    set: BulkUpdate,
    contact: BulkCustomer['contact'] | undefined,
    now: Date,
  ): Promise<{ updatedAt: Date; contactAdded: boolean } | null> {
    const $set: Record<string, unknown> = {};
    for (const f of ['industry', 'region', 'tier', 'nextFollowUpAt'] as const) if (set[f] !== undefined) $set[f] = set[f];
    const update: Record<string, unknown> = { $set: { ...$set, updatedAt: now } };
    if (set.tags?.length) update.$addToSet = { tags: { $each: set.tags } };
    const res = await this.#customers.updateOne({ _id: customerId, status: { $ne: 'pool' } }, update, { timestamps: false }).exec();
    if (res.matchedCount === 0) return null;
    let contactAdded = false;
    if (contact) {
      const customer = await this.#customers.findById(customerId, { name: 1, company: 1, ownerId: 1, departmentId: 1, sharedWith: 1, dedupe: 1 }).lean().exec();
      if (!customer) return null;
      const known = new Set([...customer.dedupe.mobiles, ...customer.dedupe.emails]);
      const fresh = [...contact.mobiles, ...contact.emails].filter((x) => !known.has(x));
      const id = importObjectId(importId, line, 'contact');
      // a batch redone after a crash: the contact this row added is there already
      if (!fresh.length && (await this.#contacts.exists({ _id: id, customerId }).exec())) contactAdded = true;
      else if (fresh.length && fresh.length === contact.mobiles.length + contact.emails.length) {
        contactAdded = await this.claimAndWriteContact(importId, id, customerId, customer, contact, now);
      }
    }
    await this.rederive(customerId, now);
    return { updatedAt: now, contactAdded };
  }

  /**
   * One imported contact of a customer: its mobiles / emails claimed for the customer, then the contact written
   * with its fixed id (a repeat changes nothing). False when another customer holds one of them: the claims this
   * call took are given back and nothing is written.
   */
  private async claimAndWriteContact(
    importId: Types.ObjectId,
    id: Types.ObjectId,
    customerId: Types.ObjectId,
    customer: Pick<Customer, 'name' | 'company' | 'ownerId' | 'departmentId' | 'sharedWith'>,
    contact: NonNullable<BulkCustomer['contact']>,
    now: Date,
  ): Promise<boolean> {
    const wanted = identitiesOf({ dedupe: { mobiles: contact.mobiles, emails: contact.emails } });
    const claims = wanted.map((identity) => ({
      _id: identity,
      customerId,
      claimedAt: now,
      name: customer.name,
      company: customer.company ?? null,
      ownerId: customer.ownerId ?? null,
      departmentId: customer.departmentId ?? null,
      idempotencyKey: null,
    }));
    const failed = new Set<string>();
    try {
      if (claims.length) await this.#claims.collection.insertMany(claims as never[], { ordered: false });
    } catch (err) {
      for (const w of writeErrorsOf(err)) failed.add(claims[w.index]!._id);
    }
    const foreign = failed.size
      ? await this.#claims
          .find({ _id: { $in: [...failed] }, customerId: { $ne: customerId } })
          .lean()
          .exec()
      : [];
    if (foreign.length) {
      await this.#claims.deleteMany({ _id: { $in: wanted.filter((w) => !failed.has(w)) }, customerId }).exec();
      return false;
    }
    await insertIgnoringDuplicates(this.#contacts, [
      {
        _id: id,
        ...contact,
        primary: false,
        customerId,
        ownerId: customer.ownerId ?? null,
        departmentId: customer.departmentId ?? null,
        sharedWith: customer.sharedWith ?? [],
        importId,
        createdAt: now,
        updatedAt: now,
        __v: 0,
      },
    ]);
    return true;
  }

  /**
   * Another contact of a customer this import created (several people of one company on several rows): its
   * mobiles / emails claimed for the customer, the contact written with an id fixed per row, its search keys and
   * dedupe identities added to the customer's (`$addToSet`: the derivation is per contact, so this equals a full
   * re-derive without reading every contact) without touching its `updatedAt` (it still counts as unchanged since
   * the import, for a rollback). `lost`: one of its identities is held by another customer (nothing written); `gone`: the
   * customer is not there (its own row lost its claims). Idempotent per row.
   */
  async addContacts(
    importId: Types.ObjectId,
    items: Array<{ line: number; customerId: Types.ObjectId; contact: NonNullable<BulkCustomer['contact']> }>,
    now: Date,
  ): Promise<Map<number, 'added' | 'lost' | 'gone'>> {
    const out = new Map<number, 'added' | 'lost' | 'gone'>();
    if (!items.length) return out;
    const ids = [...new Set(items.map((i) => String(i.customerId)))].map((x) => new Types.ObjectId(x));
    const customers = await this.#customers
      .find({ _id: { $in: ids }, importId }, { name: 1, company: 1, ownerId: 1, departmentId: 1, sharedWith: 1 })
      .lean()
      .exec();
    const byId = new Map(customers.map((c) => [String(c._id), c]));
    for (const it of items) {
      const customer = byId.get(String(it.customerId));
      if (!customer) {
        out.set(it.line, 'gone');
        continue;
      }
      if (!(await this.claimAndWriteContact(importId, importObjectId(importId, it.line, 'contact'), it.customerId, customer, it.contact, now))) {
        out.set(it.line, 'lost');
        continue;
      }
      const d = deriveCustomerFields({ name: customer.name, company: customer.company }, [it.contact]);
      await this.#customers
        .updateOne(
          { _id: it.customerId },
          {
            $addToSet: {
              searchKeys: { $each: d.searchKeys },
              'dedupe.mobiles': { $each: d.dedupe.mobiles },
              'dedupe.emails': { $each: d.dedupe.emails },
              'dedupe.personNames': { $each: d.dedupe.personNames },
            },
          },
          { timestamps: false },
        )
        .exec();
      out.set(it.line, 'added');
    }
    return out;
  }

  /** The scope of these customers (records an import adds to them copy it), by id; absent when gone. */
  async scopes(
    ids: Types.ObjectId[],
  ): Promise<Map<string, { ownerId: Types.ObjectId | null; departmentId: Types.ObjectId | null; sharedWith: Types.ObjectId[] }>> {
    if (!ids.length) return new Map();
    const found = await this.#customers
      .find({ _id: { $in: ids } }, { ownerId: 1, departmentId: 1, sharedWith: 1 })
      .lean()
      .exec();
    return new Map(found.map((c) => [String(c._id), { ownerId: c.ownerId ?? null, departmentId: c.departmentId ?? null, sharedWith: c.sharedWith ?? [] }]));
  }

  /** Imported follow-ups moved their customers' last follow-up time (`$max`; `updatedAt` untouched, as a rollback reads it). */
  async followUpsImported(items: Array<{ customerId: Types.ObjectId; happenedAt: Date }>): Promise<void> {
    const latest = new Map<string, Date>();
    for (const i of items) {
      const k = String(i.customerId);
      if (!latest.has(k) || latest.get(k)! < i.happenedAt) latest.set(k, i.happenedAt);
    }
    if (!latest.size) return;
    await this.#customers.bulkWrite(
      [...latest].map(([id, at]) => ({ updateOne: { filter: { _id: new Types.ObjectId(id) }, update: { $max: { lastFollowUpAt: at } }, timestamps: false } })),
      { ordered: false },
    );
  }

  /** Recomputes a customer's derived fields from its contacts (as `refreshDerived`), stamping `updatedAt`. */
  private async rederive(customerId: Types.ObjectId, now: Date): Promise<void> {
    const customer = await this.#customers.findById(customerId, { name: 1, company: 1 }).lean().exec();
    if (!customer) return;
    const contacts = await this.#contacts.find({ customerId }).lean().exec();
    const derived = deriveCustomerFields(customer, contacts);
    await this.#customers.updateOne({ _id: customerId }, { $set: { ...derived, updatedAt: now } }, { timestamps: false }).exec();
    await this.#claims.deleteMany({ customerId, _id: { $nin: identitiesOf(derived) } }).exec();
  }

  /**
   * Undoes one update of an import: the fields as they were and the contact it added removed, only if nobody
   * changed the customer since (`updatedAt` still the import's, or this rollback's stamp `now` when a later row of
   * the same import was undone first). False: changed since, left as it is.
   */
  async restore(importId: Types.ObjectId, customerId: Types.ObjectId, line: number, before: BulkUpdate, importedAt: Date, now: Date): Promise<boolean> {
    const $set: Record<string, unknown> = { updatedAt: now };
    const $unset: Record<string, 1> = {};
    for (const f of BULK_UPDATE_FIELDS) {
      if (before[f] === undefined || before[f] === null) $unset[f] = 1;
      else $set[f] = before[f];
    }
    if ($unset.tags) {
      delete $unset.tags;
      $set.tags = [];
    }
    if ($unset.nextFollowUpAt) {
      delete $unset.nextFollowUpAt;
      $set.nextFollowUpAt = null;
    }
    const res = await this.#customers
      // `now` is the rollback's own stamp: a customer several rows of the import changed is restored row by row, the last first
      .updateOne({ _id: customerId, updatedAt: { $in: [importedAt, now] } }, { $set, ...(Object.keys($unset).length ? { $unset } : {}) }, { timestamps: false })
      .exec();
    if (res.modifiedCount === 0 && res.matchedCount === 0) return false;
    await this.#contacts.deleteOne({ _id: importObjectId(importId, line, 'contact'), importId }).exec();
    await this.rederive(customerId, now);
    return true;
  }

  /**
   * Removes a batch of the customers one import created, oldest first, with their contacts and claims; a
   * customer changed since it was imported (or given other records, which touch it) is kept and counted.
   * Answers what it removed and kept, and whether more remain.
   */
  async removeImported(
    importId: Types.ObjectId,
    after: Types.ObjectId | null,
    limit: number,
    /** Customers to keep (records added to them since, or kept by the rollback, still point at them). */
    keep: ReadonlySet<string> = new Set(),
  ): Promise<{ removed: number; kept: Types.ObjectId[]; last: Types.ObjectId | null; more: boolean }> {
    const batch = await this.#customers
      .find({ importId, ...(after ? { _id: { $gt: after } } : {}) }, { createdAt: 1, updatedAt: 1, companyKey: 1, dedupe: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean()
      .exec();
    const kept: Types.ObjectId[] = [];
    const byTime = new Map<number, typeof batch>();
    for (const c of batch) {
      if (c.updatedAt.getTime() !== c.createdAt.getTime() || keep.has(String(c._id))) kept.push(c._id);
      else byTime.set(c.updatedAt.getTime(), [...(byTime.get(c.updatedAt.getTime()) ?? []), c]);
    }
    let removed = 0;
    for (const [time, group] of byTime) {
      const ids = group.map((c) => c._id);
      // conditional: one changed between the read and now is not removed (and is found again as kept)
      removed += (await this.#customers.deleteMany({ _id: { $in: ids }, importId, updatedAt: new Date(time) }).exec()).deletedCount;
      const still = await this.#customers
        .find({ _id: { $in: ids } }, { _id: 1 })
        .lean()
        .exec();
      const gone = ids.filter((id) => !still.some((s) => s._id.equals(id)));
      kept.push(...still.map((s) => s._id));
      if (!gone.length) continue;
      // the first contact and those later rows of the file added (several people of one company)
      await this.#contacts.deleteMany({ customerId: { $in: gone } }).exec();
      const identities = group.filter((c) => gone.some((g) => g.equals(c._id))).flatMap((c) => identitiesOf(c));
      if (identities.length) await this.#claims.deleteMany({ _id: { $in: identities }, customerId: { $in: gone } }).exec();
    }
    return { removed, kept, last: batch.at(-1)?._id ?? after, more: batch.length === limit };
  }
}

function writeErrorsOf(err: unknown): Array<{ index: number }> {
  const e = err as { writeErrors?: Array<{ index: number; code?: number; err?: { code?: number } }>; code?: number } | null;
  const list = e?.writeErrors ?? [];
  if (!list.length || list.some((w) => (w.code ?? w.err?.code) !== 11000)) throw err;
  return list;
}
