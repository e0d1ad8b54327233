import { Types, type Connection, type Model } from 'mongoose';
import type { CreateFollowUpInput, RecordSource, UpdateFollowUpInput } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { Page } from '../../db/paginate';
import { AppError, CommonErrorCode, forbidden, notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { assertCanWrite, findVisible, listVisible } from '../customer/customer-scope';
import type { CustomerService } from '../customer/customer.service';
import { followUpModel, type FollowUp, type FollowUpDoc } from './follow-up.model';

/**
 * The port through which a follow-up's next step reaches the reminders (filled by the reminders work;
 * the default does nothing). The domain never imports the bot.
 */
export interface FollowUpEvents {
  nextStepChanged(followUp: FollowUpDoc): Promise<void>;
}
export const noFollowUpEvents: FollowUpEvents = { nextStepChanged: async () => undefined };

const AUDITED = ['type', 'content', 'happenedAt', 'nextStep', 'location', 'contactId'] as const;
/** A follow-up may be corrected by its author for this long. */
const EDIT_WINDOW_MS = 24 * 3600_000;

export class FollowUpService {
  readonly model: Model<FollowUp>;

  constructor(
    conn: Connection,
    private readonly customers: CustomerService,
    private readonly audit: AuditService,
    private readonly events: FollowUpEvents = noFollowUpEvents,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.model = followUpModel(conn);
    customers.registerDependent(this.model);
  }

  list(actor: Actor, q: { customerId?: string; cursor?: string; limit: number }): Promise<Page<FollowUp>> {
    return listVisible(this.model, actor, q);
  }

  async get(actor: Actor, id: string): Promise<FollowUpDoc> {
    return findVisible(this.model, actor, id, '跟进记录');
  }

  /** Logs a follow-up and moves the customer's last / next follow-up times. */
  async create(actor: Actor, meta: RequestMeta, input: CreateFollowUpInput, source: RecordSource = 'api'): Promise<FollowUpDoc> {
    const customer = await this.customers.get(actor, input.customerId);
    assertCanWrite(actor, customer);
    if (input.contactId) {
      const ok = await this.customers.contacts.exists({ _id: new Types.ObjectId(input.contactId), customerId: customer._id });
      if (!ok)
        throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '联系人不属于该客户', {
          details: [{ path: 'body.contactId', message: 'not a contact of this customer' }],
        });
    }
    const happenedAt = input.happenedAt ?? this.now();
    if (happenedAt.getTime() > this.now().getTime() + 5 * 60_000) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '跟进时间不能晚于现在', { details: [{ path: 'body.happenedAt', message: 'in the future' }] });
    }
    const doc = await this.model.create({
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
    });
    await this.customers.customers
      .updateOne({ _id: customer._id }, { $max: { lastFollowUpAt: happenedAt }, ...(input.nextStep ? { $set: { nextFollowUpAt: input.nextStep.dueAt } } : {}) })
      .exec();
    await this.audit.record(meta, {
      action: 'follow-up.create',
      entityType: 'follow-up',
      entityId: doc._id,
      changes: diffFields(null, doc.toObject(), AUDITED),
      note: `customer ${String(customer._id)}`,
    });
    if (doc.nextStep) await this.events.nextStepChanged(doc);
    return doc;
  }

  /** The author may correct content or the next step within a day. */
  async update(actor: Actor, meta: RequestMeta, id: string, input: UpdateFollowUpInput): Promise<FollowUpDoc> {
    const before = await this.get(actor, id);
    if (!before.authorId.equals(actor.user._id)) throw forbidden('只有记录人可以修改跟进记录');
    if (this.now().getTime() - before.createdAt.getTime() > EDIT_WINDOW_MS)
      throw new AppError(409, CommonErrorCode.CONFLICT, '跟进记录超过 24 小时后不能修改，请补充一条新记录');
    const after = await this.model.findByIdAndUpdate(before._id, { $set: input }, { returnDocument: 'after' }).exec();
    if (!after) throw notFound('跟进记录');
    if (input.nextStep !== undefined) {
      await this.customers.customers.updateOne({ _id: after.customerId }, { $set: { nextFollowUpAt: input.nextStep?.dueAt ?? null } }).exec();
      await this.events.nextStepChanged(after);
    }
    const changes = diffFields(before.toObject(), after.toObject(), AUDITED);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'follow-up.update', entityType: 'follow-up', entityId: after._id, changes });
    return after;
  }
}
