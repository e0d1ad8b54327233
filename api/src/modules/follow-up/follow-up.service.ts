import { Types, type Connection, type Model } from 'mongoose';
import type { CreateFollowUpInput, RecordSource, UpdateFollowUpInput } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { Page } from '../../db/paginate';
import { AppError, CommonErrorCode, forbidden, notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { assertCanWrite, findVisible, listVisible, recordVisibility, streamVisible, type RecordCursor } from '../customer/customer-scope';
import type { CustomerService } from '../customer/customer.service';
import { PENDING_AFTER_MS } from '../customer/customer.service';
import { createKeyed, findByRecordKey } from '../idempotency/record-key';
import { followUpModel, type FollowUp, type FollowUpDoc, type FollowUpEffect } from './follow-up.model';
import { reportReaderOf, type RecordChanged, type ReportReader } from '../report/report-read';
import { insertIgnoringDuplicates } from '../../db/insert-many';

/**
 * The port through which a follow-up's next step reaches the reminders (filled by the reminders work;
 * the default does nothing). The domain never imports the bot.
 */
export interface FollowUpEvents {
  nextStepChanged(followUp: FollowUpDoc): Promise<void>;
  /** A follow-up was created (part of its `customer-times` effect, so recovery reruns it; must be idempotent). */
  followUpLogged?(followUp: FollowUpDoc): Promise<void>;
  /**
   * A recovery rerun of a created follow-up's next step: its reminder is made only when none exists (one
   * made before the crash may have been sent since, and is never rescheduled).
   */
  nextStepRecovered?(followUp: FollowUpDoc): Promise<unknown>;
  /**
   * An imported follow-up (history from a file; must be idempotent): pool clocks and the reports' roll-ups, but
   * no reminder is settled (a follow-up of last month says nothing about today's next step).
   */
  followUpImported?(followUp: FollowUpDoc): Promise<void>;
}
/** One follow-up of an import row (`insertImported`). */
export interface ImportedFollowUpRecord {
  id: Types.ObjectId;
  customerId: Types.ObjectId;
  authorId: Types.ObjectId;
  type: FollowUp['type'];
  content: string;
  happenedAt: Date;
  scope: { ownerId: Types.ObjectId | null; departmentId: Types.ObjectId | null; sharedWith: Types.ObjectId[] };
}

export const noFollowUpEvents: FollowUpEvents = { nextStepChanged: async () => undefined };

const AUDITED = ['type', 'content', 'happenedAt', 'nextStep', 'location', 'contactId'] as const;
/** A follow-up may be corrected by its author for this long. */
const EDIT_WINDOW_MS = 24 * 3600_000;

export class FollowUpService {
  readonly #model: Model<FollowUp>;

  constructor(
    conn: Connection,
    private readonly customers: CustomerService,
    private readonly audit: AuditService,
    private readonly events: FollowUpEvents = noFollowUpEvents,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#model = followUpModel(conn);
    // its records copy the customer's scope: transfers, releases, claims and shares update them here
    customers.registerDependent(async (customerId, scope) => void (await this.#model.updateMany({ customerId }, { $set: scope }).exec()));
  }

  private readonly changeListeners: RecordChanged[] = [];
  /** Told after a follow-up is edited or undone, with it before and after (the reports' roll-ups; creations reach them through FollowUpEvents.followUpLogged). */
  onChanged(listener: RecordChanged): void {
    this.changeListeners.push(listener);
  }
  /** The reports' reads of follow-ups (api/src/modules/report builds the filters, with the caller's scope). */
  reportReader(): ReportReader<unknown> {
    return reportReaderOf(this.#model);
  }

  list(actor: Actor, q: { customerId?: string; cursor?: string; limit: number }): Promise<Page<FollowUp>> {
    return listVisible(this.#model, actor, q);
  }

  /** Every follow-up `list` would page through (same scope and filter), as one cursor: exports. */
  streamForExport(actor: Actor, q: { customerId?: string }): RecordCursor<FollowUp & { _id: Types.ObjectId }> {
    return streamVisible(this.#model, actor, q, {}, { idempotencyKey: 0, pendingEffects: 0, effectsMeta: 0 });
  }

  async get(actor: Actor, id: string): Promise<FollowUpDoc> {
    return findVisible(this.#model, actor, id, '跟进记录');
  }

  /**
   * Logs a follow-up and moves the customer's last / next follow-up times.
   *
   * Crash-safe without transactions: the follow-up is inserted with its side effects listed in
   * `pendingEffects` (customer times, audit entry, reminder for the next step); they are then written
   * one by one, each idempotent (`$max`/`$set`, the audit entry's id is the follow-up's, the reminder is
   * keyed `next-step:<id>`), and the list is removed. A process killed in between leaves the list, and
   * `recoverPending` finishes it. With an Idempotency-Key, a retry answers with the follow-up already
   * made (finishing its effects if they are still pending).
   */
  async create(
    actor: Actor,
    meta: RequestMeta,
    input: CreateFollowUpInput,
    source: RecordSource = 'api',
    opts: { idempotencyKey?: string } = {},
  ): Promise<FollowUpDoc> {
    const earlier = await findByRecordKey(this.#model, opts.idempotencyKey);
    if (earlier) return this.finishEffects(earlier);
    const customer = await this.customers.get(actor, input.customerId);
    assertCanWrite(actor, customer);
    if (input.contactId) {
      const ok = await this.customers.hasContact(customer._id, new Types.ObjectId(input.contactId));
      if (!ok)
        throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '联系人不属于该客户', {
          details: [{ path: 'body.contactId', message: 'not a contact of this customer' }],
        });
    }
    const now = this.now();
    const happenedAt = input.happenedAt ?? now;
    if (happenedAt.getTime() > now.getTime() + 5 * 60_000) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '跟进时间不能晚于现在', { details: [{ path: 'body.happenedAt', message: 'in the future' }] });
    }
    const effects: FollowUpEffect[] = ['customer-times', 'audit', ...(input.nextStep ? (['reminder'] as const) : [])];
    const { doc } = await createKeyed(this.#model, opts.idempotencyKey, {
      customerId: customer._id,
      contactId: input.contactId ? new Types.ObjectId(input.contactId) : null,
      authorId: actor.user._id,
      type: input.type,
      content: input.content,
      happenedAt,
      location: input.location ?? null,
      nextStep: input.nextStep ?? null,
      source,
      ...this.customers.scopeCopy(customer),
      pendingEffects: effects,
      pendingSince: now,
      effectsMeta: { requestId: meta.requestId, channel: meta.channel, actorId: meta.actorId, actorName: meta.actorName },
    });
    return this.finishEffects(doc);
  }

  /**
   * Finishes follow-ups whose effects were left pending for more than a few seconds (the process that
   * wrote them died): customer times, audit entry, reminder. Idempotent; any number of processes may run
   * it, at start-up and on a timer.
   */
  async recoverPending(now: Date = this.now()): Promise<{ finished: number; failed: number }> {
    const stuck = await this.#model
      .find({ pendingSince: { $lt: new Date(now.getTime() - PENDING_AFTER_MS) } })
      .limit(200)
      .exec();
    let finished = 0;
    let failed = 0;
    for (const doc of stuck) {
      try {
        await this.finishEffects(doc);
        finished++;
      } catch {
        failed++;
      }
    }
    return { finished, failed };
  }

  /** Writes the pending effects of one follow-up (each safe to repeat), then clears the list. */
  private async finishEffects(doc: FollowUpDoc): Promise<FollowUpDoc> {
    const pending = doc.pendingEffects;
    if (!pending?.length) return doc;
    if (pending.includes('customer-times')) {
      await this.customers.followUpLogged(doc.customerId, doc.happenedAt, doc.nextStep?.dueAt ?? null);
      await this.events.followUpLogged?.(doc);
    }
    if (pending.includes('audit')) {
      const m = doc.effectsMeta;
      await this.audit.record(
        {
          requestId: m?.requestId ?? 'recovery',
          channel: (m?.channel ?? 'system') as RequestMeta['channel'],
          actorId: m?.actorId ?? doc.authorId,
          actorName: m?.actorName,
        },
        {
          id: doc._id,
          at: doc.createdAt,
          action: 'follow-up.create',
          entityType: 'follow-up',
          entityId: doc._id,
          changes: diffFields(null, doc.toObject(), AUDITED),
          note: `customer ${String(doc.customerId)}`,
        },
      );
    }
    if (pending.includes('reminder') && doc.nextStep) {
      // A reminder already made for it (a rerun after a crash) may have been sent since: never reschedule it.
      if (this.events.nextStepRecovered) await this.events.nextStepRecovered(doc);
      else await this.events.nextStepChanged(doc);
    }
    await this.#model.updateOne({ _id: doc._id }, { $unset: { pendingEffects: 1, pendingSince: 1, effectsMeta: 1 } }).exec();
    doc.set({ pendingEffects: undefined, pendingSince: undefined, effectsMeta: undefined });
    return doc;
  }

  /** The customer's latest follow-ups the actor may see (the customer 360 view). */
  recentForCustomer(actor: Actor, customerId: Types.ObjectId, limit = 10): Promise<Array<FollowUp & { _id: Types.ObjectId }>> {
    return this.#model
      .find({ $and: [{ customerId }, recordVisibility(actor)] })
      .sort({ happenedAt: -1 })
      .limit(limit)
      .lean<Array<FollowUp & { _id: Types.ObjectId }>>()
      .exec();
  }

  /** The latest follow-up this person logged in chat since `since` (改到 corrects its next step); null when none. */
  latestFromBot(authorId: Types.ObjectId, since: Date): Promise<FollowUpDoc | null> {
    return this.#model
      .findOne({ authorId, source: 'bot', createdAt: { $gte: since } })
      .sort({ createdAt: -1 })
      .exec();
  }

  /**
   * 撤销 in chat: the author's own follow-up logged in chat within `windowMs` is removed (one conditional
   * delete: a repeat removes nothing), audited (`follow-up.undo`, with what it said), and its next step's
   * reminder cancelled. Null when there is no such follow-up (someone else's, too old, already undone).
   */
  async undoFromBot(actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, windowMs: number): Promise<FollowUpDoc | null> {
    if (!Types.ObjectId.isValid(String(id))) return null;
    const since = new Date(this.now().getTime() - windowMs);
    const doc = await this.#model
      // happenedAt: when a chat follow-up was logged, on the service's clock (chat never backdates one)
      .findOneAndDelete({ _id: new Types.ObjectId(String(id)), authorId: actor.user._id, source: 'bot', happenedAt: { $gte: since } })
      .exec();
    if (!doc) return null;
    for (const l of this.changeListeners) await l(doc.toObject(), null);
    await this.audit.record(meta, {
      action: 'follow-up.undo',
      entityType: 'follow-up',
      entityId: doc._id,
      // what the removed follow-up said
      changes: diffFields(null, doc.toObject(), AUDITED),
      note: `customer ${String(doc.customerId)}`,
    });
    if (doc.nextStep) {
      const cleared = this.#model.hydrate({ ...doc.toObject(), nextStep: null });
      await this.events.nextStepChanged(cleared);
      await this.customers.nextFollowUpChanged(doc.customerId, null);
    }
    return doc;
  }

  /**
   * Follow-ups logged (happened) in [from, to) per author, within the actor's scope (业绩 / 团队情况 in chat): read only.
   */
  async loggedByAuthor(actor: Actor, from: Date, to: Date): Promise<Map<string, { count: number; amountFen: number }>> {
    const rows = await this.#model
      .aggregate<{ _id: Types.ObjectId | null; count: number; amountFen: number }>([
        { $match: { $and: [recordVisibility(actor), { happenedAt: { $gte: from, $lt: to } }] } },
        { $group: { _id: '$authorId', count: { $sum: 1 }, amountFen: { $sum: 0 } } },
      ])
      .exec();
    return new Map(rows.filter((r) => r._id).map((r) => [String(r._id), { count: r.count, amountFen: r.amountFen }]));
  }

  /** Whether a follow-up with this content exists for the customer (the seed's first reminder, idempotent). */
  async exists(customerId: Types.ObjectId, content: string): Promise<boolean> {
    return (await this.#model.exists({ customerId, content }).exec()) !== null;
  }

  /** Next steps due since `since`, whoever wrote them (the reminders make reminders of steps written by the seed or an import). */
  nextStepsSince(
    since: Date,
  ): Promise<Array<{ _id: Types.ObjectId; customerId: Types.ObjectId; authorId: Types.ObjectId; nextStep: { text: string; dueAt: Date } }>> {
    return this.#model
      .find({ 'nextStep.dueAt': { $gte: since } }, { customerId: 1, authorId: 1, nextStep: 1 })
      .lean<Array<{ _id: Types.ObjectId; customerId: Types.ObjectId; authorId: Types.ObjectId; nextStep: { text: string; dueAt: Date } }>>()
      .exec();
  }

  /**
   * An import's follow-ups (a file's 跟进 columns, its 备注 as a note), with ids fixed per row: written in one
   * unordered batch (a batch redone after a crash writes nothing twice), tagged with the import id, source
   * `import`; each then told to the follow-up events as imported (pool clocks, the reports' roll-ups: each a
   * no-op the second time; no reminder settled). The customer's last follow-up time is the import's to move
   * (CustomerBulk).
   */
  async insertImported(importId: Types.ObjectId, items: ImportedFollowUpRecord[], now: Date): Promise<void> {
    if (!items.length) return;
    const docs = items.map((it) => ({
      _id: it.id,
      customerId: it.customerId,
      contactId: null,
      authorId: it.authorId,
      type: it.type,
      content: it.content,
      happenedAt: it.happenedAt,
      location: null,
      nextStep: null,
      source: 'import',
      ownerId: it.scope.ownerId,
      departmentId: it.scope.departmentId,
      sharedWith: it.scope.sharedWith,
      importId,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    }));
    await insertIgnoringDuplicates(this.#model, docs); // a batch redone after a crash: those written stay
    for (const d of docs) await this.events.followUpImported?.(this.#model.hydrate(d));
  }

  /**
   * Removes a batch of one import's follow-ups (rollback): those unchanged since (`updatedAt` = `createdAt`);
   * the others are kept and their customers answered (a rollback keeps those customers too).
   */
  async removeImported(importId: Types.ObjectId, limit: number): Promise<{ removed: number; keptCustomers: Types.ObjectId[]; more: boolean }> {
    const batch = await this.#model.find({ importId }).limit(limit).lean().exec();
    let removed = 0;
    const keptCustomers: Types.ObjectId[] = [];
    for (const f of batch) {
      const gone = await this.#model.findOneAndDelete({ _id: f._id, importId, updatedAt: f.createdAt }).lean().exec();
      if (gone) {
        removed++;
        for (const l of this.changeListeners) await l(gone, null);
      } else {
        keptCustomers.push(f.customerId);
        await this.#model.updateOne({ _id: f._id }, { $unset: { importId: 1 } }, { timestamps: false }).exec();
      }
    }
    return { removed, keptCustomers, more: batch.length === limit };
  }

  /** Demo data (the seed): written as they are, in one unordered batch; and how many follow-ups there are. */
  async insertSeedRecords(rows: object[]): Promise<void> {
    if (rows.length) await this.#model.insertMany(rows, { ordered: false });
  }

  countAll(): Promise<number> {
    return this.#model.estimatedDocumentCount().exec();
  }

  /** The author may correct content or the next step within a day. */
  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateFollowUpInput): Promise<FollowUpDoc> {
    const before = await this.get(actor, id);
    if (!before.authorId.equals(actor.user._id)) throw forbidden('只有记录人可以修改跟进记录');
    if (this.now().getTime() - before.createdAt.getTime() > EDIT_WINDOW_MS)
      throw new AppError(409, CommonErrorCode.CONFLICT, '跟进记录超过 24 小时后不能修改，请补充一条新记录');
    const after = await this.#model.findByIdAndUpdate(before._id, { $set: input }, { returnDocument: 'after' }).exec();
    if (!after) throw notFound('跟进记录');
    for (const l of this.changeListeners) await l(before.toObject(), after.toObject());
    if (input.nextStep !== undefined) {
      await this.customers.nextFollowUpChanged(after.customerId, input.nextStep?.dueAt ?? null);
      await this.events.nextStepChanged(after);
    }
    const changes = diffFields(before.toObject(), after.toObject(), AUDITED);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'follow-up.update', entityType: 'follow-up', entityId: after._id, changes });
    return after;
  }
}
