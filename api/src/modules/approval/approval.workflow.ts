import type { Connection, Model, Types } from 'mongoose';
import type { ApprovalRulesConfig, ApprovalSubjectType } from '@crm/shared';
import type { RequestMeta } from '../../context';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import { isRefusal, type Refusal, type Transition } from './approval.logic';
import { approvalModel, type Approval, type ApprovalPlain } from './approval.model';
import type { ApprovalSubject } from './subjects';

export type ApprovalOutcome = Transition['outcome'] | 'submitted';

/** A change claimed on an approval, handed to the chat side (cards, notices) after the claim succeeded. */
export interface ApprovalChange {
  approval: ApprovalPlain;
  outcome: ApprovalOutcome;
  actorId: Types.ObjectId | null;
  /** The card tap that made this change (`taskId`: the tapped card's opaque reference): that card is redrawn at once. */
  click?: { userId: Types.ObjectId; taskId: string | null };
  /** Approvers to remind (outcome `reminded`). */
  remind?: Types.ObjectId[];
  /** Outcome `reassigned`: who took the steps over, and why (an approver left). */
  handedTo?: { userIds: Types.ObjectId[]; reason: string };
}

/** The port the domain calls out through after a change ("approval changed"; implemented in bot/src/approvals). */
export interface ApprovalEvents {
  changed(change: ApprovalChange): Promise<void>;
}

export const noApprovalEvents: ApprovalEvents = { changed: async () => undefined };

const MAX_CLAIM_ATTEMPTS = 100;

export type Claimed = { before: ApprovalPlain; after: ApprovalPlain; t: Transition };

/**
 * The approval module's own plumbing, shared by the service (submit / decide / withdraw / read) and the
 * sweep: the collection, claims conditional on the version read, and the effects of a claimed change (the
 * subject follows at once; chat effects run in the background and are recorded by `effectsVersion`).
 * Not exported from the module: nobody outside it sees the collection.
 */
export class ApprovalWorkflow {
  readonly #model: Model<Approval>;
  readonly #events: ApprovalEvents;
  /** Chat effects running in the background, chained per approval (so they run in the order of the changes). */
  readonly #tails = new Map<string, Promise<void>>();

  constructor(
    conn: Connection,
    private readonly subjects: Record<ApprovalSubjectType, ApprovalSubject>,
    private readonly audit: AuditService,
    readonly rules: ApprovalRulesConfig,
    readonly now: () => Date,
    /** Where "approval changed" goes (the bot's cards and notices), given once at construction. */
    events: ApprovalEvents = noApprovalEvents,
  ) {
    this.#model = approvalModel(conn);
    this.#events = events;
  }

  get model(): Model<Approval> {
    return this.#model;
  }

  get events(): ApprovalEvents {
    return this.#events;
  }

  subject(type: ApprovalSubjectType): ApprovalSubject {
    return this.subjects[type];
  }

  findById(id: string | Types.ObjectId): Promise<ApprovalPlain | null> {
    return this.#model.findById(id).lean<ApprovalPlain>().exec();
  }

  /** Reads, computes the next state, writes it conditional on the version read; retries when another change came first. */
  async claim(id: string | Types.ObjectId, compute: (a: ApprovalPlain) => Transition | Refusal | null): Promise<Claimed | Refusal | null> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const a = await this.findById(id);
      if (!a) throw notFound('审批');
      const t = compute(a);
      if (t === null || isRefusal(t)) return t;
      const after = await this.#model
        .findOneAndUpdate(
          { _id: a._id, version: a.version },
          {
            $set: { status: t.status, currentStep: t.currentStep, steps: t.steps },
            $push: { history: { $each: t.history } },
            $inc: { version: 1 },
            ...(t.status === 'pending' ? {} : { $unset: { openKey: 1 } }),
          },
          { returnDocument: 'after' },
        )
        .lean<ApprovalPlain>()
        .exec();
      if (after) return { before: a, after, t };
    }
    throw new AppError(409, CommonErrorCode.CONFLICT, '审批正被频繁修改，请稍后重试');
  }

  /**
   * Side effects of a claimed change. The subject follows at once (database writes: the answer reflects
   * them); a customer report whose claim fails ends `rejected` instead. Cards and notices (chat platforms,
   * their retries and send budget) run in the background from the stored state, and `effectsVersion` is
   * moved once they ran: a process that dies first leaves them to the sweep's recovery.
   */
  async afterChange(
    meta: RequestMeta,
    a: ApprovalPlain,
    outcome: ApprovalOutcome,
    actorId: Types.ObjectId | null,
    click?: ApprovalChange['click'],
    extra: Pick<ApprovalChange, 'handedTo'> = {},
  ): Promise<ApprovalPlain> {
    const applied = await this.applySubject(meta, a, outcome);
    this.inBackground(applied.approval._id, () => this.chatEffects({ approval: applied.approval, outcome: applied.outcome, actorId, click, ...extra }));
    return applied.approval;
  }

  /** The subject's side of an outcome; for a customer report the claim decides: it may turn `approved` into `rejected`. */
  async applySubject(meta: RequestMeta, a: ApprovalPlain, outcome: ApprovalOutcome): Promise<{ approval: ApprovalPlain; outcome: ApprovalOutcome }> {
    if (outcome !== 'approved' && outcome !== 'rejected' && outcome !== 'withdrawn' && outcome !== 'expired') return { approval: a, outcome };
    const failed = await this.followSubject(meta, a, outcome);
    if (failed && a.subjectType === 'customer-report' && outcome === 'approved') {
      const rejected = await this.refuseReport(meta, a, failed);
      if (rejected) return { approval: rejected, outcome: 'rejected' };
    }
    return { approval: a, outcome };
  }

  /**
   * Applies an outcome to the subject (its strategy), whoever may see it now: the contract follows its
   * approval even when the requester resigned or the customer was transferred meanwhile. Returns why it failed, if it did.
   */
  private async followSubject(meta: RequestMeta, a: ApprovalPlain, outcome: 'approved' | 'rejected' | 'withdrawn' | 'expired'): Promise<string | null> {
    try {
      await this.subject(a.subjectType).follow(meta, a, outcome);
      return null;
    } catch (err) {
      // The subject moved meanwhile (edited, claimed by someone else): say so in the approval's history.
      const message = err instanceof AppError ? err.message : '未知错误';
      await this.#model
        .updateOne(
          { _id: a._id },
          { $push: { history: { at: this.now(), actorId: null, actorName: null, action: 'subject-failed', comment: message, step: null } } },
        )
        .exec();
      return message;
    }
  }

  /** An approved report whose claim failed (someone else holds the customer): it ends rejected with the reason. */
  private async refuseReport(meta: RequestMeta, a: ApprovalPlain, reason: string): Promise<ApprovalPlain | null> {
    const comment = `报备未生效：${reason}`;
    const after = await this.#model
      .findOneAndUpdate(
        { _id: a._id, version: a.version, status: 'approved' },
        {
          $set: { status: 'rejected' },
          $push: { history: { at: this.now(), actorId: null, actorName: null, action: 'reject', comment, step: null } },
          $inc: { version: 1 },
          $unset: { openKey: 1 },
        },
        { returnDocument: 'after' },
      )
      .lean<ApprovalPlain>()
      .exec();
    if (!after) return null;
    await this.audit.record(meta, {
      action: 'approval.reject',
      entityType: 'approval',
      entityId: a._id,
      note: comment,
      changes: { status: { before: 'approved', after: 'rejected' } },
    });
    return after;
  }

  private async chatEffects(change: ApprovalChange): Promise<void> {
    await this.notify(change);
    await this.effectsRan(change.approval._id, change.approval.version);
  }

  /** Records that the chat effects of this version ran (never moves backwards). */
  async effectsRan(id: Types.ObjectId, version: number): Promise<void> {
    await this.#model.updateOne({ _id: id, effectsVersion: { $lt: version } }, { $set: { effectsVersion: version } }).exec();
  }

  private inBackground(id: Types.ObjectId, job: () => Promise<void>): void {
    const key = String(id);
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(job).catch(() => undefined); // the sweep's recovery retries what failed
    this.#tails.set(key, next);
    void next.then(() => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    });
  }

  /** Resolves when every background effect started so far (and any they started) has run. */
  async settled(): Promise<void> {
    while (this.#tails.size) await Promise.all([...this.#tails.values()]);
  }

  async notify(change: ApprovalChange): Promise<void> {
    try {
      await this.#events.changed(change);
    } catch {
      // Cards and notices are best effort: the decision stands; the bot logs its own failures.
    }
  }
}
