import type { Connection, Model, Types } from 'mongoose';
import type { ContactInput, UpdateContactInput } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { Page } from '../../db/paginate';
import { notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { assertCanWrite, findVisible, listVisible, streamVisible, type RecordCursor } from '../customer/customer-scope';
import { splitPhones } from '../customer/customer.derive';
import { normalizeContacts, type CustomerService } from '../customer/customer.service';
import { contactModel, type Contact, type ContactDoc } from './contact.model';
import { normalizeEmail } from '@crm/shared';
import { createKeyed, findByRecordKey } from '../idempotency/record-key';

const AUDITED = ['name', 'title', 'mobiles', 'phones', 'emails', 'wecomExternalUserId', 'primary'] as const;

/**
 * A customer's contacts. They belong to the customer's aggregate: the customer module writes a new
 * customer's contacts with it and reads them to derive its search fields; this module edits them.
 */
export class ContactService {
  readonly #model: Model<Contact>;

  constructor(
    conn: Connection,
    private readonly customers: CustomerService,
    private readonly audit: AuditService,
  ) {
    this.#model = contactModel(conn);
  }

  list(actor: Actor, q: { customerId?: string; cursor?: string; limit: number }): Promise<Page<Contact>> {
    return listVisible(this.#model, actor, q);
  }

  /** Every contact `list` would page through (same scope and filter), as one cursor: exports. */
  streamForExport(actor: Actor, q: { customerId?: string }): RecordCursor<Contact & { _id: Types.ObjectId }> {
    return streamVisible(this.#model, actor, q, {}, { idempotencyKey: 0 });
  }

  /** Contact names by id (the export names the contact of a follow-up). */
  async namesOf(ids: ReadonlyArray<Types.ObjectId | null | undefined>): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((x): x is Types.ObjectId => !!x).map(String))];
    if (!wanted.length) return new Map();
    const rows = await this.#model
      .find({ _id: { $in: wanted } }, { name: 1 })
      .lean()
      .exec();
    return new Map(rows.map((c) => [String(c._id), c.name]));
  }

  async get(actor: Actor, id: string): Promise<ContactDoc> {
    return findVisible(this.#model, actor, id, '联系人');
  }

  /**
   * Adds a contact. Its mobiles and emails are claimed for the customer first (409 DUPLICATE_SUSPECTED if
   * another customer holds one). With an Idempotency-Key, a retry answers with the contact already made.
   */
  async add(actor: Actor, meta: RequestMeta, customerId: string, input: ContactInput, opts: { idempotencyKey?: string } = {}): Promise<ContactDoc> {
    const customer = await this.customers.get(actor, customerId);
    assertCanWrite(actor, customer);
    const earlier = await findByRecordKey(this.#model, opts.idempotencyKey);
    if (earlier) return earlier;
    const [row] = normalizeContacts([{ ...input, primary: input.primary }]);
    const existing = await this.#model.find({ customerId: customer._id }).lean().exec();
    await this.customers.claimChangedIdentities(actor, customer, customer, [...existing, row!]);
    if (row!.primary) await this.#model.updateMany({ customerId: customer._id }, { $set: { primary: false } }).exec();
    const { doc: contact, created } = await createKeyed(this.#model, opts.idempotencyKey, {
      ...row!,
      primary: input.primary,
      customerId: customer._id,
      ...this.customers.scopeCopy(customer),
    });
    await this.customers.refreshDerived(customer._id);
    if (!created) return contact;
    await this.audit.record(meta, {
      action: 'contact.create',
      entityType: 'contact',
      entityId: contact._id,
      changes: diffFields(null, contact.toObject(), AUDITED),
      note: `customer ${String(customer._id)}`,
    });
    return contact;
  }

  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateContactInput): Promise<ContactDoc> {
    const before = await this.get(actor, id);
    const customer = await this.customers.get(actor, before.customerId);
    assertCanWrite(actor, customer);
    const set: Partial<Contact> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.title !== undefined) set.title = input.title;
    if (input.phones !== undefined) Object.assign(set, splitPhones(input.phones));
    if (input.emails !== undefined) set.emails = [...new Set(input.emails.map((e) => normalizeEmail(e)).filter((e): e is string => !!e))];
    if (input.wecomExternalUserId !== undefined) set.wecomExternalUserId = input.wecomExternalUserId;
    if (input.primary !== undefined) {
      set.primary = input.primary;
      if (input.primary) await this.#model.updateMany({ customerId: customer._id, _id: { $ne: before._id } }, { $set: { primary: false } }).exec();
    }
    if (set.mobiles || set.emails) {
      const contacts = await this.#model.find({ customerId: customer._id }).lean().exec();
      const next = contacts.map((c) => (c._id.equals(before._id) ? { ...c, ...set } : c));
      await this.customers.claimChangedIdentities(actor, customer, customer, next);
    }
    const after = await this.#model.findByIdAndUpdate(before._id, { $set: set }, { returnDocument: 'after' }).exec();
    if (!after) throw notFound('联系人');
    await this.customers.refreshDerived(customer._id);
    const changes = diffFields(before.toObject(), after.toObject(), AUDITED);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'contact.update', entityType: 'contact', entityId: after._id, changes });
    return after;
  }
}
