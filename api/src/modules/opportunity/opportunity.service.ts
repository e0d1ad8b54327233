import type { Connection, Model, Types } from 'mongoose';
import type { CreateOpportunityInput, MoveStageInput, StageDefinition, UpdateOpportunityInput } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { Page } from '../../db/paginate';
import { AppError, notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { assertCanWrite, canSeeRecord, findVisible, listVisible, recordVisibility, streamVisible, type RecordCursor } from '../customer/customer-scope';
import type { CustomerService } from '../customer/customer.service';
import { createKeyed, findByRecordKey } from '../idempotency/record-key';
import { opportunityModel, type Opportunity, type OpportunityDoc } from './opportunity.model';
import { reportReaderOf, type RecordChanged, type ReportReader } from '../report/report-read';
import { insertIgnoringDuplicates } from '../../db/insert-many';

export const OpportunityErrorCode = {
  UNKNOWN_STAGE: 'UNKNOWN_STAGE',
  CLOSED: 'OPPORTUNITY_CLOSED',
  LOST_REASON_REQUIRED: 'LOST_REASON_REQUIRED',
  STAGE_CHANGED: 'STAGE_CHANGED',
} as const;

/** One deal of an import row (`insertImported`). */
export interface ImportedOpportunityRecord {
  id: Types.ObjectId;
  customerId: Types.ObjectId;
  name: string;
  amountFen: number;
  /** A configured stage's key. */
  stage: string;
  expectedCloseDate?: Date;
  /** Who moved it into its stage (the importer). */
  byId: Types.ObjectId;
  scope: { ownerId: Types.ObjectId | null; departmentId: Types.ObjectId | null; sharedWith: Types.ObjectId[] };
}

const AUDITED = ['name', 'amountFen', 'stage', 'expectedCloseDate', 'probability', 'lostReason'] as const;

export class OpportunityService {
  readonly #model: Model<Opportunity>;
  private readonly stageByKey: Map<string, StageDefinition>;

  constructor(
    conn: Connection,
    private readonly customers: CustomerService,
    private readonly audit: AuditService,
    readonly stages: StageDefinition[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#model = opportunityModel(conn);
    this.stageByKey = new Map(stages.map((s) => [s.key, s]));
    // its records copy the customer's scope: transfers, releases, claims and shares update them here
    customers.registerDependent(async (customerId, scope) => void (await this.#model.updateMany({ customerId }, { $set: scope }).exec()));
  }

  private readonly changeListeners: RecordChanged[] = [];
  /** Told after each write of a deal, with the deal before and after it (the reports' roll-ups). */
  onChanged(listener: RecordChanged): void {
    this.changeListeners.push(listener);
  }
  private async changed(before: OpportunityDoc | null, after: OpportunityDoc | null): Promise<void> {
    for (const l of this.changeListeners) await l(before?.toObject() ?? null, after?.toObject() ?? null);
  }
  /** The reports' reads of deals (api/src/modules/report builds the filters, with the caller's scope). */
  reportReader(): ReportReader<unknown> {
    return reportReaderOf(this.#model);
  }

  list(actor: Actor, q: { customerId?: string; stage?: string; cursor?: string; limit: number }): Promise<Page<Opportunity>> {
    return listVisible(this.#model, actor, q, q.stage ? { stage: q.stage } : {});
  }

  /** Every deal `list` would page through (same scope and filters), as one cursor: exports. */
  streamForExport(actor: Actor, q: { customerId?: string; stage?: string }): RecordCursor<Opportunity & { _id: Types.ObjectId }> {
    return streamVisible(this.#model, actor, q, q.stage ? { stage: q.stage } : {}, { idempotencyKey: 0, stageHistory: 0 });
  }

  async get(actor: Actor, id: string): Promise<OpportunityDoc> {
    return findVisible(this.#model, actor, id, '商机');
  }

  /** With an Idempotency-Key, a retry answers with the deal already made (and writes its audit entry if a crash lost it). */
  async create(actor: Actor, meta: RequestMeta, input: CreateOpportunityInput, opts: { idempotencyKey?: string } = {}): Promise<OpportunityDoc> {
    const earlier = await findByRecordKey(this.#model, opts.idempotencyKey);
    if (earlier) return this.audited(meta, earlier);
    const customer = await this.customers.get(actor, input.customerId);
    assertCanWrite(actor, customer);
    const stage = this.stage(input.stage ?? this.stages.find((s) => s.outcome === 'open')!.key);
    if (stage.outcome !== 'open') throw new AppError(400, OpportunityErrorCode.UNKNOWN_STAGE, '新商机只能从进行中的阶段开始');
    const now = this.now();
    const { doc, created } = await createKeyed(this.#model, opts.idempotencyKey, {
      customerId: customer._id,
      name: input.name,
      amountFen: input.amountFen,
      stage: stage.key,
      stageEnteredAt: now,
      stageHistory: [{ stage: stage.key, enteredAt: now, byId: actor.user._id }],
      expectedCloseDate: input.expectedCloseDate ?? null,
      probability: input.probability ?? stage.probability,
      ...this.customers.scopeCopy(customer),
    });
    if (created) await this.changed(null, doc);
    return this.audited(meta, doc);
  }

  /** The create's audit entry, with the deal's id as its own: writing it again is a no-op. */
  private async audited(meta: RequestMeta, doc: OpportunityDoc): Promise<OpportunityDoc> {
    await this.audit.record(meta, {
      id: doc._id,
      at: doc.createdAt,
      action: 'opportunity.create',
      entityType: 'opportunity',
      entityId: doc._id,
      changes: diffFields(null, doc.toObject(), AUDITED),
    });
    return doc;
  }

  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateOpportunityInput): Promise<OpportunityDoc> {
    const before = await this.writable(actor, id);
    const after = await this.#model.findByIdAndUpdate(before._id, { $set: input }, { returnDocument: 'after', runValidators: true }).exec();
    if (!after) throw notFound('商机');
    await this.changed(before, after);
    const changes = diffFields(before.toObject(), after.toObject(), AUDITED);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'opportunity.update', entityType: 'opportunity', entityId: after._id, changes });
    return after;
  }

  /**
   * Moves the deal to another stage and records when it entered it. Conditional on the stage we read,
   * so two people moving the same deal at once cannot both win. Closed deals (won / lost) stay closed.
   */
  async moveStage(actor: Actor, meta: RequestMeta, id: string, input: MoveStageInput): Promise<OpportunityDoc> {
    const before = await this.writable(actor, id);
    const target = this.stage(input.stage);
    const current = this.stageByKey.get(before.stage);
    if (current && current.outcome !== 'open') throw new AppError(409, OpportunityErrorCode.CLOSED, `商机已${current.name}，不能再变更阶段`);
    if (target.key === before.stage) return before;
    if (target.outcome === 'lost' && !input.lostReason) {
      throw new AppError(400, OpportunityErrorCode.LOST_REASON_REQUIRED, '输单需要填写原因', {
        details: [{ path: 'body.lostReason', message: 'required when lost' }],
      });
    }
    const now = this.now();
    const after = await this.#model
      .findOneAndUpdate(
        { _id: before._id, stage: before.stage },
        {
          $set: {
            stage: target.key,
            stageEnteredAt: now,
            probability: target.probability,
            lostReason: target.outcome === 'lost' ? input.lostReason : null,
            closedAt: target.outcome === 'open' ? null : now,
          },
          $push: { stageHistory: { stage: target.key, enteredAt: now, byId: actor.user._id } },
        },
        { returnDocument: 'after' },
      )
      .exec();
    if (!after) throw new AppError(409, OpportunityErrorCode.STAGE_CHANGED, '商机阶段刚被他人修改，请刷新后重试');
    await this.changed(before, after);
    await this.audit.record(meta, {
      action: 'opportunity.stage',
      entityType: 'opportunity',
      entityId: after._id,
      changes: diffFields(before.toObject(), after.toObject(), ['stage', 'probability', 'lostReason']),
    });
    return after;
  }

  /** The customer's deals the actor may see (the customer 360 view), newest first. */
  forCustomer(actor: Actor, customerId: Types.ObjectId): Promise<Array<Opportunity & { _id: Types.ObjectId }>> {
    return this.#model
      .find({ $and: [{ customerId }, recordVisibility(actor)] })
      .sort({ _id: -1 })
      .lean<Array<Opportunity & { _id: Types.ObjectId }>>()
      .exec();
  }

  /** When each customer's newest deal was created, whoever asks (the pool's "no new opportunity for M days" rule). */
  async latestCreatedFor(customerIds: Types.ObjectId[]): Promise<Map<string, Date>> {
    if (!customerIds.length) return new Map();
    const rows = await this.#model
      .aggregate<{ _id: Types.ObjectId; at: Date }>([
        { $match: { customerId: { $in: customerIds } } },
        { $group: { _id: '$customerId', at: { $max: '$createdAt' } } },
      ])
      .exec();
    return new Map(rows.map((r) => [String(r._id), r.at]));
  }

  /** Deals in an open stage since before `before`, with an owner (the stalled-deal reminders). */
  stalledIn(
    stage: string,
    before: Date,
  ): Promise<Array<{ _id: Types.ObjectId; name: string; customerId: Types.ObjectId; ownerId: Types.ObjectId | null; stageEnteredAt: Date }>> {
    return this.#model
      .find({ stage, stageEnteredAt: { $lt: before }, ownerId: { $ne: null } }, { name: 1, customerId: 1, ownerId: 1, stageEnteredAt: 1 })
      .lean<Array<{ _id: Types.ObjectId; name: string; customerId: Types.ObjectId; ownerId: Types.ObjectId | null; stageEnteredAt: Date }>>()
      .exec();
  }

  /** Where a deal stands, whoever asks (a reminder checks it is still true before it is sent); null when there is none. */
  /**
   * Deals won (closed in a won stage) and their amount in [from, to) per owner, within the actor's scope (业绩 / 团队情况 in chat): read only.
   */
  async wonByOwner(actor: Actor, from: Date, to: Date): Promise<Map<string, { count: number; amountFen: number }>> {
    const rows = await this.#model
      .aggregate<{ _id: Types.ObjectId | null; count: number; amountFen: number }>([
        {
          $match: {
            $and: [
              recordVisibility(actor),
              { closedAt: { $gte: from, $lt: to }, stage: { $in: this.stages.filter((s) => s.outcome === 'won').map((s) => s.key) } },
            ],
          },
        },
        { $group: { _id: '$ownerId', count: { $sum: 1 }, amountFen: { $sum: '$amountFen' } } },
      ])
      .exec();
    return new Map(rows.filter((r) => r._id).map((r) => [String(r._id), { count: r.count, amountFen: r.amountFen }]));
  }

  async stageState(id: Types.ObjectId): Promise<{ name: string; stageEnteredAt: Date; closedAt: Date | null } | null> {
    const d = await this.#model.findById(id, { name: 1, stageEnteredAt: 1, closedAt: 1 }).lean().exec();
    return d ? { name: d.name, stageEnteredAt: d.stageEnteredAt, closedAt: d.closedAt ?? null } : null;
  }

  /**
   * An import's deals (a file's 商机 columns), with ids fixed per row, in one unordered batch (a batch redone
   * after a crash writes nothing twice), tagged with the import id, owned as their customer; a closed stage
   * (赢单 / 输单) is closed at the import. Each told to the listeners (the reports' roll-ups; a repeat is a no-op).
   */
  async insertImported(importId: Types.ObjectId, items: ImportedOpportunityRecord[], now: Date): Promise<void> {
    if (!items.length) return;
    const docs = items.map((it) => {
      const stage = this.stage(it.stage);
      return {
        _id: it.id,
        customerId: it.customerId,
        name: it.name,
        amountFen: it.amountFen,
        stage: stage.key,
        stageEnteredAt: now,
        stageHistory: [{ stage: stage.key, enteredAt: now, byId: it.byId }],
        expectedCloseDate: it.expectedCloseDate ?? null,
        probability: stage.probability,
        lostReason: stage.outcome === 'lost' ? '导入时已输单' : null,
        closedAt: stage.outcome === 'open' ? null : now,
        ownerId: it.scope.ownerId,
        departmentId: it.scope.departmentId,
        sharedWith: it.scope.sharedWith,
        importId,
        createdAt: now,
        updatedAt: now,
        __v: 0,
      };
    });
    await insertIgnoringDuplicates(this.#model, docs); // a batch redone after a crash: those written stay
    for (const d of docs) await this.changed(null, this.#model.hydrate(d));
  }

  /**
   * Removes a batch of one import's deals (rollback): those unchanged since (`updatedAt` = `createdAt`); the
   * others are kept (untagged) and their customers answered (a rollback keeps those customers too).
   */
  async removeImported(importId: Types.ObjectId, limit: number): Promise<{ removed: number; keptCustomers: Types.ObjectId[]; more: boolean }> {
    const batch = await this.#model.find({ importId }).limit(limit).exec();
    let removed = 0;
    const keptCustomers: Types.ObjectId[] = [];
    for (const d of batch) {
      const gone = await this.#model.findOneAndDelete({ _id: d._id, importId, updatedAt: d.createdAt }).exec();
      if (gone) {
        removed++;
        await this.changed(gone, null);
      } else {
        keptCustomers.push(d.customerId);
        await this.#model.updateOne({ _id: d._id }, { $unset: { importId: 1 } }, { timestamps: false }).exec();
      }
    }
    return { removed, keptCustomers, more: batch.length === limit };
  }

  /** Demo data (the seed): written as they are, in one unordered batch; and how many deals there are. */
  async insertSeedRecords(rows: object[]): Promise<void> {
    if (rows.length) await this.#model.insertMany(rows, { ordered: false });
  }

  countAll(): Promise<number> {
    return this.#model.estimatedDocumentCount().exec();
  }

  /** Whether the deal exists and belongs to this customer (a contract made from it). */
  async belongsTo(id: Types.ObjectId, customerId: Types.ObjectId): Promise<boolean> {
    return (await this.#model.exists({ _id: id, customerId }).exec()) !== null;
  }

  /**
   * A deal as a discount approval reads it: null when it does not exist or the actor may not see it. A
   * pool customer's deal is visible to whoever sees the customer.
   */
  async forDiscount(actor: Actor, id: Types.ObjectId): Promise<{ _id: Types.ObjectId; name: string; amountFen: number; customerId: Types.ObjectId } | null> {
    const opp = await this.#model.findById(id).lean().exec();
    if (!opp) return null;
    const customer = await this.customers.get(actor, opp.customerId).catch(() => null);
    if (!customer || (customer.status !== 'pool' && !canSeeRecord(actor, opp as unknown as Parameters<typeof canSeeRecord>[1]))) return null;
    return { _id: opp._id, name: opp.name, amountFen: opp.amountFen, customerId: opp.customerId };
  }

  stageName(key: string): string {
    return this.stageByKey.get(key)?.name ?? key;
  }

  private stage(key: string): StageDefinition {
    const s = this.stageByKey.get(key);
    if (!s)
      throw new AppError(400, OpportunityErrorCode.UNKNOWN_STAGE, `未知阶段：${key}`, {
        details: [{ path: 'body.stage', message: `one of ${[...this.stageByKey.keys()].join(', ')}` }],
      });
    return s;
  }

  private async writable(actor: Actor, id: string): Promise<OpportunityDoc> {
    const doc = await this.get(actor, id);
    const customer = await this.customers.get(actor, doc.customerId);
    assertCanWrite(actor, customer);
    return doc;
  }
}
