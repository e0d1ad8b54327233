import { Types, type Connection, type Model } from 'mongoose';
import { CONTRACT_STATUS_LABELS, CONTRACT_TRANSITIONS, type ContractStatus, type CreateContractInput, type UpdateContractInput } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { Page } from '../../db/paginate';
import { AppError, CommonErrorCode } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { assertCanWrite, findVisible, listVisible, recordVisibility, streamVisible, type RecordCursor } from '../customer/customer-scope';
import type { CustomerService } from '../customer/customer.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import { createKeyed, findByRecordKey } from '../idempotency/record-key';
import { reportReaderOf, type RecordChanged, type ReportReader } from '../report/report-read';
import { contractModel, type Contract, type ContractDoc } from './contract.model';

export const ContractErrorCode = {
  NUMBER_TAKEN: 'CONTRACT_NUMBER_TAKEN',
  INVALID_TRANSITION: 'CONTRACT_INVALID_TRANSITION',
} as const;

const AUDITED = ['title', 'amountFen', 'discountPercent', 'status', 'signedAt', 'endsAt'] as const;
/** Only these states may be edited; a contract under approval or signed is frozen. */
const EDITABLE: readonly ContractStatus[] = ['draft', 'rejected'];

export class ContractService {
  readonly #model: Model<Contract>;

  constructor(
    conn: Connection,
    private readonly customers: CustomerService,
    private readonly opportunities: OpportunityService,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#model = contractModel(conn);
    // its records copy the customer's scope: transfers, releases, claims and shares update them here
    customers.registerDependent(async (customerId, scope) => void (await this.#model.updateMany({ customerId }, { $set: scope }).exec()));
  }

  private readonly changeListeners: RecordChanged[] = [];
  /** Told after each status change of a contract, with the contract before and after it (the reports' roll-ups). */
  onChanged(listener: RecordChanged): void {
    this.changeListeners.push(listener);
  }
  /** The reports' reads of contracts (api/src/modules/report builds the filters, with the caller's scope). */
  reportReader(): ReportReader<unknown> {
    return reportReaderOf(this.#model);
  }

  list(actor: Actor, q: { customerId?: string; status?: ContractStatus; cursor?: string; limit: number }): Promise<Page<Contract>> {
    return listVisible(this.#model, actor, q, q.status ? { status: q.status } : {});
  }

  /** Every contract `list` would page through (same scope and filters), as one cursor: exports. */
  streamForExport(actor: Actor, q: { customerId?: string; status?: ContractStatus }): RecordCursor<Contract & { _id: Types.ObjectId }> {
    return streamVisible(this.#model, actor, q, q.status ? { status: q.status } : {}, { idempotencyKey: 0, statusHistory: 0 });
  }

  async get(actor: Actor, id: string | Types.ObjectId): Promise<ContractDoc> {
    return findVisible(this.#model, actor, id, '合同');
  }

  /** With an Idempotency-Key, a retry answers with the contract already made (and writes its audit entry if a crash lost it). */
  async create(actor: Actor, meta: RequestMeta, input: CreateContractInput, opts: { idempotencyKey?: string } = {}): Promise<ContractDoc> {
    const key = opts.idempotencyKey;
    const earlier = await findByRecordKey(this.#model, key);
    if (earlier) return this.audited(meta, earlier);
    const customer = await this.customers.get(actor, input.customerId);
    assertCanWrite(actor, customer);
    if (input.opportunityId) {
      const ok = await this.opportunities.belongsTo(new Types.ObjectId(input.opportunityId), customer._id);
      if (!ok)
        throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '商机不属于该客户', {
          details: [{ path: 'body.opportunityId', message: 'not an opportunity of this customer' }],
        });
    }
    const { doc } = await createKeyed(this.#model, key, {
      customerId: customer._id,
      opportunityId: input.opportunityId ? new Types.ObjectId(input.opportunityId) : null,
      number: input.number,
      title: input.title,
      amountFen: input.amountFen,
      discountPercent: input.discountPercent,
      endsAt: input.endsAt ? new Date(input.endsAt) : null,
      status: 'draft',
      statusHistory: [{ status: 'draft', at: this.now(), byId: actor.user._id }],
      ...this.customers.scopeCopy(customer),
    }).catch(async (err: unknown) => {
      if ((err as { code?: number }).code !== 11000) throw err;
      const mine = await findByRecordKey(this.#model, key); // our own earlier attempt took the number
      if (mine) return { doc: mine, created: false };
      throw new AppError(409, ContractErrorCode.NUMBER_TAKEN, `合同编号 ${input.number} 已存在`);
    });
    return this.audited(meta, doc);
  }

  /** The create's audit entry, with the contract's id as its own: writing it again is a no-op. */
  private async audited(meta: RequestMeta, doc: ContractDoc): Promise<ContractDoc> {
    await this.audit.record(meta, {
      id: doc._id,
      at: doc.createdAt,
      action: 'contract.create',
      entityType: 'contract',
      entityId: doc._id,
      changes: diffFields(null, doc.toObject(), AUDITED),
    });
    return doc;
  }

  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateContractInput): Promise<ContractDoc> {
    const before = await this.writable(actor, id);
    const after = await this.#model
      .findOneAndUpdate({ _id: before._id, status: { $in: EDITABLE } }, { $set: input }, { returnDocument: 'after', runValidators: true })
      .exec();
    if (!after) throw new AppError(409, ContractErrorCode.INVALID_TRANSITION, `${CONTRACT_STATUS_LABELS[before.status]}的合同不能修改`);
    const changes = diffFields(before.toObject(), after.toObject(), AUDITED);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'contract.update', entityType: 'contract', entityId: after._id, changes });
    return after;
  }

  /**
   * Moves a contract along CONTRACT_TRANSITIONS with one conditional update on the current status: a
   * concurrent change makes this one fail with 409 rather than overwrite it.
   */
  async transition(actor: Actor, meta: RequestMeta, id: string | Types.ObjectId, to: ContractStatus, reason?: string): Promise<ContractDoc> {
    const before = await this.writable(actor, id);
    const from = before.status;
    if (!CONTRACT_TRANSITIONS[from].includes(to)) {
      throw new AppError(409, ContractErrorCode.INVALID_TRANSITION, `合同${CONTRACT_STATUS_LABELS[from]}，不能变为${CONTRACT_STATUS_LABELS[to]}`);
    }
    const now = this.now();
    const after = await this.#model
      .findOneAndUpdate(
        { _id: before._id, status: from },
        {
          $set: { status: to, ...(to === 'signed' ? { signedAt: now } : {}) },
          $push: { statusHistory: { status: to, at: now, byId: actor.user._id, reason } },
        },
        { returnDocument: 'after' },
      )
      .exec();
    if (!after) throw new AppError(409, CommonErrorCode.CONFLICT, '合同状态刚被他人修改，请刷新后重试');
    for (const l of this.changeListeners) await l(before.toObject(), after.toObject());
    await this.audit.record(meta, {
      action: `contract.${to}`,
      entityType: 'contract',
      entityId: after._id,
      changes: diffFields(before.toObject(), after.toObject(), AUDITED),
      note: reason,
    });
    return after;
  }

  /**
   * The contract follows its approval (pending_approval → approved / rejected / draft): applied by the
   * approval itself, so it never depends on the requester's current scope (resigned, customer transferred).
   * Conditional on the status read and idempotent (already there: nothing to do).
   */
  async followApproval(meta: RequestMeta, id: Types.ObjectId, to: ContractStatus, byId: Types.ObjectId | null, reason?: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await this.#model.findById(id).exec();
      if (!before || before.status === to) return;
      if (!CONTRACT_TRANSITIONS[before.status].includes(to)) {
        throw new AppError(409, ContractErrorCode.INVALID_TRANSITION, `合同${CONTRACT_STATUS_LABELS[before.status]}，不能变为${CONTRACT_STATUS_LABELS[to]}`);
      }
      const now = this.now();
      const after = await this.#model
        .findOneAndUpdate(
          { _id: id, status: before.status },
          { $set: { status: to }, $push: { statusHistory: { status: to, at: now, byId, reason } } },
          { returnDocument: 'after' },
        )
        .exec();
      if (!after) continue;
      await this.audit.record(meta, {
        action: `contract.${to}`,
        entityType: 'contract',
        entityId: after._id,
        changes: diffFields(before.toObject(), after.toObject(), AUDITED),
        note: reason,
      });
      return;
    }
    throw new AppError(409, CommonErrorCode.CONFLICT, '合同状态刚被他人修改，请刷新后重试');
  }

  /** The customer's contracts the actor may see (the customer 360 view), newest first. */
  forCustomer(actor: Actor, customerId: Types.ObjectId): Promise<Array<Contract & { _id: Types.ObjectId }>> {
    return this.#model
      .find({ $and: [{ customerId }, recordVisibility(actor)] })
      .sort({ _id: -1 })
      .lean<Array<Contract & { _id: Types.ObjectId }>>()
      .exec();
  }

  /** Demo data (the seed): written as they are, in one unordered batch; and how many contracts there are. */
  async insertSeedRecords(rows: object[]): Promise<void> {
    if (rows.length)
      await this.#model.insertMany(
        rows.map((r) => ({ endsAt: null, ...r })),
        { ordered: false },
      );
  }

  /** Migration 020: contracts written before 合同到期日 existed get `endsAt: null` (the API answers it on every contract). */
  async backfillEndsAt(): Promise<number> {
    return (await this.#model.updateMany({ endsAt: { $exists: false } }, { $set: { endsAt: null } }).exec()).modifiedCount;
  }

  countAll(): Promise<number> {
    return this.#model.estimatedDocumentCount().exec();
  }

  /** A contract's status, whoever may see it (its approval moves it); null when there is no such contract. */
  /**
   * Contracts signed (signedAt) and their amount in [from, to) per owner, within the actor's scope (业绩 / 团队情况 in chat): read only.
   */
  async signedByOwner(actor: Actor, from: Date, to: Date): Promise<Map<string, { count: number; amountFen: number }>> {
    const rows = await this.#model
      .aggregate<{ _id: Types.ObjectId | null; count: number; amountFen: number }>([
        { $match: { $and: [recordVisibility(actor), { signedAt: { $gte: from, $lt: to } }] } },
        { $group: { _id: '$ownerId', count: { $sum: 1 }, amountFen: { $sum: '$amountFen' } } },
      ])
      .exec();
    return new Map(rows.filter((r) => r._id).map((r) => [String(r._id), { count: r.count, amountFen: r.amountFen }]));
  }

  async statusOf(id: Types.ObjectId): Promise<ContractStatus | null> {
    const c = await this.#model.findById(id, { status: 1 }).lean().exec();
    return c?.status ?? null;
  }

  /** An approved discount written to a draft (or rejected) contract, whoever may see it now. */
  async applyApprovedDiscount(meta: RequestMeta, id: Types.ObjectId, discountPercent: number): Promise<boolean> {
    const before = await this.#model.findOne({ _id: id, status: { $in: EDITABLE } }).exec();
    if (!before) return false;
    const after = await this.#model.findOneAndUpdate({ _id: id, status: before.status }, { $set: { discountPercent } }, { returnDocument: 'after' }).exec();
    if (!after) return false;
    const changes = diffFields(before.toObject(), after.toObject(), AUDITED);
    if (Object.keys(changes).length)
      await this.audit.record(meta, { action: 'contract.update', entityType: 'contract', entityId: after._id, changes, note: '折扣审批通过' });
    return true;
  }

  private async writable(actor: Actor, id: string | Types.ObjectId): Promise<ContractDoc> {
    const doc = await this.get(actor, id);
    const customer = await this.customers.get(actor, doc.customerId);
    assertCanWrite(actor, customer);
    return doc;
  }
}
