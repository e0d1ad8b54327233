import { Types, type Connection, type Model } from 'mongoose';
import { explainRoute, resubmissionChanges, type ApprovalBox, type ApprovalDecision, type ApprovalRulesConfig, type ApprovalSubjectType } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import { assertCanWrite, canSeeRecord } from '../customer/customer-scope';
import type { CustomerService } from '../customer/customer.service';
import type { ContractService } from '../contract/contract.service';
import type { OrgService } from '../org/org.service';
import type { UserDoc } from '../org/user.model';
import { canDecide, decide, escalate, expire, isRefusal, reassign, withdraw, type Refusal, type Transition } from './approval.logic';
import { approvalCardModel, approvalModel, type Approval, type ApprovalCard, type ApprovalPlain, type HistoryEntry } from './approval.model';
import { departmentNames, resolveRoute, standInFor } from './approval.routing';

export const ApprovalErrorCode = {
  HANDLED: 'APPROVAL_ALREADY_HANDLED',
  NOT_PENDING: 'APPROVAL_NOT_PENDING',
  NOT_APPROVER: 'APPROVAL_NOT_APPROVER',
  ALREADY_PENDING: 'APPROVAL_ALREADY_PENDING',
  INVALID_SUBJECT: 'APPROVAL_INVALID_SUBJECT',
  REASON_REQUIRED: 'APPROVAL_REASON_REQUIRED',
} as const;

export type ApprovalOutcome = Transition['outcome'] | 'submitted';

/** A change claimed on an approval, handed to the bot (cards, notices) after the claim succeeded. */
export interface ApprovalChange {
  approval: ApprovalPlain;
  outcome: ApprovalOutcome;
  actorId: Types.ObjectId | null;
  /** The card click that made this change: its fresh response code redraws that approver's card. */
  click?: { userId: Types.ObjectId; taskId: string | null; responseCode: string | null };
  /** Approvers to remind (outcome `reminded`). */
  remind?: Types.ObjectId[];
  /** Outcome `reassigned`: who took the steps over, and why (an approver left). */
  handedTo?: { userIds: Types.ObjectId[]; reason: string };
}

/** The port the domain calls out through after a change (implemented in bot/src/approvals). */
export interface ApprovalEvents {
  changed(change: ApprovalChange): Promise<void>;
  /** Issues a new card in place of one whose response code is about to run out. */
  refreshCard(approval: ApprovalPlain, card: ApprovalCard & { _id: Types.ObjectId }): Promise<void>;
}

export const noApprovalEvents: ApprovalEvents = { changed: async () => undefined, refreshCard: async () => undefined };

export interface SubmitInput {
  subjectType: ApprovalSubjectType;
  subjectId: string;
  /** Discount approvals: the discount asked for (percent). */
  discountPercent?: number;
  comment?: string;
}

const HOUR = 3_600_000;
const MAX_CLAIM_ATTEMPTS = 100;

/**
 * Approvals: rule-based routes resolved at submit time and stored, decisions claimed with one
 * conditional update each (exactly once), side effects only after a successful claim.
 */
export class ApprovalService {
  readonly model: Model<Approval>;
  readonly cards: Model<ApprovalCard>;
  private events: ApprovalEvents = noApprovalEvents;
  /** Chat effects running in the background, chained per approval (so they run in the order of the changes). */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    conn: Connection,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly contracts: ContractService,
    private readonly audit: AuditService,
    readonly rules: ApprovalRulesConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.model = approvalModel(conn);
    this.cards = approvalCardModel(conn);
    org.onDeactivated((meta, leaver, handover) => this.handOver(meta, leaver._id, handover.successorId).then(() => undefined));
  }

  /** Wires the bot in (the composition root builds services before the bot). */
  setEvents(events: ApprovalEvents): void {
    this.events = events;
  }

  // ---- submit --------------------------------------------------------------------------------

  async submit(actor: Actor, meta: RequestMeta, input: SubmitInput): Promise<ApprovalPlain> {
    const subject = await this.loadSubject(actor, input);
    const open = await this.model.findOne({ subjectType: input.subjectType, subjectId: subject.id, status: 'pending' }, { _id: 1 }).lean().exec();
    if (open) throw new AppError(409, ApprovalErrorCode.ALREADY_PENDING, '该事项已在审批中');
    const previous = await this.model
      .findOne({ subjectType: input.subjectType, subjectId: subject.id, status: { $in: ['rejected', 'withdrawn', 'expired'] } })
      .sort({ _id: -1 })
      .lean<ApprovalPlain>()
      .exec();
    const note = input.comment?.trim() || null;
    const requester = actor.user;
    const facts = {
      amountFen: subject.amountFen,
      discountPercent: subject.discountPercent,
      customerTier: subject.customerTier,
      departments: await departmentNames(this.org, requester),
      productLine: subject.productLine,
    };
    const { ruleIds, steps: specs } = explainRoute(this.rules.rules, input.subjectType, facts);
    const now = this.now();
    const steps = await resolveRoute(this.org, requester, specs, now);
    const pendingIndex = steps.findIndex((s) => s.status === 'pending');
    const auto = pendingIndex < 0;
    const history: HistoryEntry[] = [
      { at: now, actorId: requester._id, actorName: requester.name, action: previous ? 'resubmit' : 'submit', comment: input.comment ?? null, step: null },
    ];
    for (const s of steps)
      for (const x of s.approvers)
        if (x.standInReason)
          history.push({ at: now, actorId: null, actorName: null, action: 'stand-in', comment: `${s.name}：${x.standInReason}`, step: s.index });
    if (auto) history.push({ at: now, actorId: null, actorName: null, action: 'approve', comment: '无需审批，自动通过', step: null });
    // The unique `openKey` is the claim: one pending approval per subject, even when two submit at once.
    const doc = await this.model
      .create({
        ...(auto ? {} : { openKey: `${input.subjectType}:${String(subject.id)}` }),
        subjectType: input.subjectType,
        subjectId: subject.id,
        title: subject.title,
        status: auto ? 'approved' : 'pending',
        requesterId: requester._id,
        requesterName: requester.name,
        customerId: subject.customerId,
        customerName: subject.customerName,
        amountFen: subject.amountFen,
        discountPercent: subject.discountPercent,
        ruleIds,
        currentStep: auto ? 0 : pendingIndex,
        steps,
        history,
        previousId: previous?._id ?? null,
        note,
        resubmission: previous ? resubmissionOf(previous, { ...subject, note }) : null,
        version: 1,
        effectsVersion: 0,
      })
      .catch((err: unknown) => {
        if ((err as { code?: number }).code === 11000) throw new AppError(409, ApprovalErrorCode.ALREADY_PENDING, '该事项已在审批中');
        throw err;
      });
    if (input.subjectType === 'contract') {
      try {
        await this.followContract(actor, meta, subject.id, 'pending_approval');
      } catch (err) {
        await this.model.deleteOne({ _id: doc._id }).exec(); // the contract changed meanwhile: no approval for it
        throw err;
      }
    }
    const approval = doc.toObject() as ApprovalPlain;
    await this.audit.record(meta, {
      action: 'approval.submit',
      entityType: 'approval',
      entityId: approval._id,
      note: `${approval.title}；路线：${steps.map((s) => `${s.name}(${s.approvers.map((a) => (a.standInReason ? `${a.name}·代` : a.name)).join('/')})`).join(' → ') || '自动通过'}`,
    });
    return this.afterChange(meta, approval, auto ? 'approved' : 'submitted', requester._id);
  }

  /** Contract submission (POST /contracts/:id/submit). */
  submitContract(actor: Actor, meta: RequestMeta, contractId: string, comment?: string): Promise<ApprovalPlain> {
    return this.submit(actor, meta, { subjectType: 'contract', subjectId: contractId, comment });
  }

  private async loadSubject(actor: Actor, input: SubmitInput) {
    const invalid = (msg: string) => new AppError(409, ApprovalErrorCode.INVALID_SUBJECT, msg);
    if (input.subjectType === 'contract') {
      const c = await this.contracts.get(actor, input.subjectId);
      const customer = await this.customers.get(actor, c.customerId);
      assertCanWrite(actor, customer);
      if (c.status !== 'draft' && c.status !== 'rejected') throw invalid('只有草稿或已驳回的合同可以提交审批');
      return {
        id: c._id,
        title: `${c.title}（${c.number}）`,
        amountFen: c.amountFen,
        discountPercent: c.discountPercent ?? 0,
        customerId: customer._id,
        customerName: customer.company || customer.name,
        customerTier: customer.tier as string,
        productLine: null as string | null,
      };
    }
    if (input.subjectType === 'customer-report') {
      const customer = await this.customers.get(actor, input.subjectId);
      if (customer.status !== 'pool') throw invalid('只有公海中的客户可以报备');
      return {
        id: customer._id,
        title: `报备客户 ${customer.company || customer.name}`,
        amountFen: null,
        discountPercent: null,
        customerId: customer._id,
        customerName: customer.company || customer.name,
        customerTier: customer.tier as string,
        productLine: null,
      };
    }
    if (input.discountPercent === undefined) {
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, '请填写折扣', { details: [{ path: 'body.discountPercent', message: 'required' }] });
    }
    // A discount on an opportunity (its amount) or on a contract.
    // One that exists out of the actor's scope answers exactly like one that does not exist.
    const id = new Types.ObjectId(input.subjectId);
    const opp = await this.contracts.model.db.collection('opportunities').findOne({ _id: id });
    const contract = opp ? null : await this.contracts.get(actor, id).catch(() => null);
    if (!opp && !contract) throw notFound('商机或合同');
    const customer = await this.customers.get(actor, (opp?.customerId as Types.ObjectId | undefined) ?? contract!.customerId).catch(() => null);
    if (!customer || (opp && customer.status !== 'pool' && !canSeeRecord(actor, opp as unknown as Parameters<typeof canSeeRecord>[1])))
      throw notFound('商机或合同');
    try {
      assertCanWrite(actor, customer);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw notFound('商机或合同');
      throw err;
    }
    return {
      id,
      title: `${opp ? `商机 ${String(opp.name)}` : `合同 ${contract!.title}`} 折扣 ${input.discountPercent}%`,
      amountFen: (opp?.amountFen as number | undefined) ?? contract!.amountFen,
      discountPercent: input.discountPercent,
      customerId: customer._id,
      customerName: customer.company || customer.name,
      customerTier: customer.tier as string,
      productLine: null,
    };
  }

  // ---- read ----------------------------------------------------------------------------------

  async list(actor: Actor, q: { box: ApprovalBox; cursor?: string; limit: number }): Promise<Page<ApprovalPlain>> {
    const me = actor.user._id;
    const filter =
      q.box === 'mine'
        ? { requesterId: me }
        : q.box === 'todo'
          ? { status: 'pending', steps: { $elemMatch: { status: 'pending', approvers: { $elemMatch: { userId: me, decision: null, replacedById: null } } } } }
          : { 'steps.approvers': { $elemMatch: { userId: me, decision: { $ne: null } } } };
    const page = (await paginateById(this.model, filter, { cursor: q.cursor, limit: q.limit })) as Page<ApprovalPlain>;
    if (q.box === 'todo') page.items = page.items.filter((a) => canDecide(a, me));
    return page;
  }

  async get(actor: Actor, id: string | Types.ObjectId): Promise<ApprovalPlain> {
    if (typeof id === 'string' && !/^[0-9a-f]{24}$/i.test(id)) throw notFound('审批');
    const a = await this.model.findById(id).lean<ApprovalPlain>().exec();
    if (!a || !this.visible(actor, a)) throw notFound('审批');
    return a;
  }

  /**
   * Who may read an approval: its requester and its approvers; besides them admins and users with scope
   * `all`. Partners never by scope: only what is theirs (whatever `dataScope` an admin gave them).
   */
  visible(actor: Actor, a: ApprovalPlain): boolean {
    const me = actor.user._id;
    if (a.requesterId.equals(me) || a.steps.some((s) => s.approvers.some((x) => x.userId.equals(me)))) return true;
    if (actor.user.roles.includes('admin')) return true;
    if (actor.user.roles.includes('partner')) return false;
    return actor.viewer.scope === 'all';
  }

  // ---- decisions -----------------------------------------------------------------------------

  /**
   * One decision: claimed with one update conditional on the version read (the approval is pending, at
   * this step, this approver has not decided). Losers get 409 "已由 X 处理"; side effects run only for the winner.
   */
  async decide(
    actor: Actor,
    meta: RequestMeta,
    id: string | Types.ObjectId,
    input: { decision: ApprovalDecision; comment?: string | null; step?: number; click?: { taskId: string | null; responseCode: string | null } },
  ): Promise<ApprovalPlain> {
    const comment = input.comment?.trim() || null;
    if (input.decision === 'reject' && !comment) throw new AppError(400, ApprovalErrorCode.REASON_REQUIRED, '驳回需要填写原因');
    await this.get(actor, id);
    const user = { _id: actor.user._id, name: actor.user.name };
    const claimed = await this.claim(id, (a) => decide(a, user, input.decision, comment, this.now(), input.step));
    if (isRefusal(claimed)) {
      // A retry of a decision this approver already made (a client that lost the answer, a double tap): the current state.
      const now = claimed.refused === 'not-approver' ? null : await this.model.findById(id).lean<ApprovalPlain>().exec();
      if (now && alreadyDecided(now, user._id, input.decision, input.step)) return now;
      throw refusalError(claimed);
    }
    const { after, t } = claimed!;
    await this.audit.record(meta, {
      action: `approval.${input.decision}`,
      entityType: 'approval',
      entityId: after._id,
      actorName: actor.user.name,
      note: [after.steps[t.history[0]!.step ?? 0]?.name, comment].filter(Boolean).join('：'),
      changes: { status: { before: 'pending', after: after.status } },
    });
    return this.afterChange(meta, after, t.outcome, user._id, input.click ? { userId: user._id, ...input.click } : undefined);
  }

  async withdraw(actor: Actor, meta: RequestMeta, id: string, comment?: string): Promise<ApprovalPlain> {
    await this.get(actor, id);
    const user = { _id: actor.user._id, name: actor.user.name };
    const claimed = await this.claim(id, (a) => withdraw(a, user, comment ?? null, this.now()));
    if (isRefusal(claimed)) {
      if (claimed.refused === 'not-approver') throw new AppError(403, CommonErrorCode.FORBIDDEN, '只有申请人可以撤回');
      throw refusalError(claimed);
    }
    const { after } = claimed!;
    await this.audit.record(meta, { action: 'approval.withdraw', entityType: 'approval', entityId: after._id, note: comment });
    return this.afterChange(meta, after, 'withdrawn', user._id);
  }

  /** Reads, computes the next state, writes it conditional on the version read; retries when another change came first. */
  private async claim(
    id: string | Types.ObjectId,
    compute: (a: ApprovalPlain) => Transition | Refusal | null,
  ): Promise<{ before: ApprovalPlain; after: ApprovalPlain; t: Transition } | Refusal | null> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const a = await this.model.findById(id).lean<ApprovalPlain>().exec();
      if (!a) throw notFound('审批');
      const t = compute(a);
      if (t === null || isRefusal(t)) return t;
      const after = await this.model
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
   * moved once they ran: a process that dies first leaves them to `recoverEffects`.
   */
  private async afterChange(
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
  private async applySubject(meta: RequestMeta, a: ApprovalPlain, outcome: ApprovalOutcome): Promise<{ approval: ApprovalPlain; outcome: ApprovalOutcome }> {
    if (outcome !== 'approved' && outcome !== 'rejected' && outcome !== 'withdrawn' && outcome !== 'expired') return { approval: a, outcome };
    const failed = await this.followSubject(meta, a, outcome);
    if (failed && a.subjectType === 'customer-report' && outcome === 'approved') {
      const rejected = await this.refuseReport(meta, a, failed);
      if (rejected) return { approval: rejected, outcome: 'rejected' };
    }
    return { approval: a, outcome };
  }

  /** An approved report whose claim failed (someone else holds the customer): it ends rejected with the reason. */
  private async refuseReport(meta: RequestMeta, a: ApprovalPlain, reason: string): Promise<ApprovalPlain | null> {
    const comment = `报备未生效：${reason}`;
    const after = await this.model
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
    const v = change.approval.version;
    await this.model.updateOne({ _id: change.approval._id, effectsVersion: { $lt: v } }, { $set: { effectsVersion: v } }).exec();
  }

  private inBackground(id: Types.ObjectId, job: () => Promise<void>): void {
    const key = String(id);
    const next = (this.tails.get(key) ?? Promise.resolve()).then(job).catch(() => undefined); // recoverEffects retries what failed
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Resolves when every background effect started so far (and any they started) has run: for tests, benchmarks, shutdown. */
  async settled(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }

  private async notify(change: ApprovalChange): Promise<void> {
    try {
      await this.events.changed(change);
    } catch {
      // Cards and notices are best effort: the decision stands; the bot logs its own failures.
    }
  }

  /**
   * Applies an outcome to the subject, whoever may see it now: the contract follows its approval even
   * when the requester resigned or the customer was transferred meanwhile. Returns why it failed, if it did.
   */
  private async followSubject(meta: RequestMeta, a: ApprovalPlain, outcome: 'approved' | 'rejected' | 'withdrawn' | 'expired'): Promise<string | null> {
    try {
      if (a.subjectType === 'contract') {
        const to = outcome === 'approved' ? 'approved' : outcome === 'rejected' ? 'rejected' : 'draft';
        await this.contracts.followApproval(meta, a.subjectId, to, meta.actorId, `审批${statusText(a.status)}`);
      } else if (a.subjectType === 'customer-report' && outcome === 'approved') {
        const requester = await this.org.users.findById(a.requesterId).exec();
        if (!requester || requester.status !== 'active') throw new AppError(409, ApprovalErrorCode.INVALID_SUBJECT, '申请人已离职');
        const actor: Actor = { user: requester, viewer: await this.org.resolveViewer(requester) };
        const c = await this.customers.customers.findById(a.subjectId, { status: 1, ownerId: 1 }).lean().exec();
        if (c && c.status === 'owned' && c.ownerId?.equals(requester._id)) return null; // already claimed (a re-run)
        try {
          await this.customers.claim(actor, meta, String(a.subjectId));
        } catch (err) {
          const now = await this.customers.customers.findById(a.subjectId, { ownerId: 1 }).lean().exec();
          const holder = now?.ownerId ? await this.org.users.findById(now.ownerId, { name: 1 }).lean().exec() : null;
          if (holder) throw new AppError(409, ApprovalErrorCode.INVALID_SUBJECT, `客户已被 ${holder.name} 领取`);
          throw err;
        }
      } else if (a.subjectType === 'discount' && outcome === 'approved' && a.discountPercent !== null) {
        await this.contracts.applyApprovedDiscount(meta, a.subjectId, a.discountPercent);
      }
      return null;
    } catch (err) {
      // The subject moved meanwhile (edited, claimed by someone else): say so in the approval's history.
      const message = err instanceof AppError ? err.message : '未知错误';
      await this.model
        .updateOne(
          { _id: a._id },
          { $push: { history: { at: this.now(), actorId: null, actorName: null, action: 'subject-failed', comment: message, step: null } } },
        )
        .exec();
      return message;
    }
  }

  /** Moves a contract with its own status machine (conditional on its current status), idempotently. */
  private async followContract(actor: Actor, meta: RequestMeta, id: Types.ObjectId, to: 'pending_approval' | 'approved' | 'rejected' | 'draft') {
    const c = await this.contracts.model.findById(id, { status: 1 }).lean().exec();
    if (!c || c.status === to) return;
    if (to === 'pending_approval' && c.status === 'rejected') await this.contracts.transition(actor, meta, id, 'draft', '修改后重新提交');
    await this.contracts.transition(actor, meta, id, to);
  }

  // ---- people who left -----------------------------------------------------------------------

  /**
   * Hands every pending approval step that waits on `leaverId` to a stand-in: `successorId` (the
   * deactivation's new leader) unless that is the requester, else the fallback chain from the leaver.
   * Called on deactivation and by the sweep (for users who left some other way). Returns how many approvals moved.
   */
  async handOver(meta: RequestMeta, leaverId: Types.ObjectId, successorId: Types.ObjectId | null = null): Promise<number> {
    const leaver = await this.org.users.findById(leaverId).lean().exec();
    if (!leaver || leaver.status === 'active') return 0;
    const rows = await this.model
      .find(
        {
          status: 'pending',
          steps: {
            $elemMatch: { status: { $in: ['pending', 'waiting'] }, approvers: { $elemMatch: { userId: leaverId, decision: null, replacedById: null } } },
          },
        },
        { _id: 1, requesterId: 1 },
      )
      .lean()
      .exec();
    const successor = successorId ? await this.org.findActiveUserById(successorId) : null;
    let n = 0;
    for (const row of rows) {
      const why = `${leaver.name} 已离职`;
      let standIn =
        successor && !successor._id.equals(row.requesterId)
          ? { person: { _id: successor._id, name: successor.name }, reason: `${why}，由接任者 ${successor.name} 代为审批` }
          : null;
      standIn ??= await standInFor(this.org, { above: [leaver], departments: leaver.departmentIds, exclude: [row.requesterId, leaverId], why });
      if (!standIn) continue; // nobody at all (no admin): left to the 24-hour escalation and expiry
      const chosen = standIn;
      const claimed = await this.claim(row._id, (a) => reassign(a, leaverId, chosen.person, chosen.reason, this.now()));
      if (!claimed || isRefusal(claimed)) continue;
      n += 1;
      await this.audit.record(meta, { action: 'approval.reassign', entityType: 'approval', entityId: row._id, note: chosen.reason });
      await this.afterChange(meta, claimed.after, 'reassigned', null, undefined, { handedTo: { userIds: [chosen.person._id], reason: chosen.reason } });
    }
    return n;
  }

  // ---- timeouts and card refresh ---------------------------------------------------------------

  /**
   * Reminds silent approvers, escalates to their leaders, and re-issues WeCom cards whose response code
   * is about to run out. Idempotent and safe in several processes: every action is claimed with a
   * conditional update first. Also re-runs side effects a crashed process left behind.
   */
  async sweep(
    now: Date = this.now(),
  ): Promise<{ expired: number; reminded: number; escalated: number; rerouted: number; refreshed: number; recovered: number; failed: number }> {
    const out = { expired: 0, reminded: 0, escalated: 0, rerouted: 0, refreshed: 0, recovered: 0, failed: 0 };
    /** One approval's trouble never stops the sweep for the others (the next sweep tries it again). */
    const each = async (id: Types.ObjectId, fn: (id: Types.ObjectId) => Promise<void>) => {
      try {
        await fn(id);
      } catch {
        out.failed += 1;
      }
    };
    const meta: RequestMeta = { requestId: `approval-sweep:${now.toISOString()}`, channel: 'system', actorId: null };
    const expireBefore = new Date(now.getTime() - this.rules.expireAfterHours * HOUR);
    const overdue = await this.model
      .find({ status: 'pending', createdAt: { $lte: expireBefore } }, { _id: 1 })
      .lean()
      .exec();
    for (const row of overdue)
      await each(row._id, async (_id) => {
        const claimed = await this.claim(_id, (a) =>
          a.createdAt <= expireBefore ? expire(a, `超过 ${this.rules.expireAfterHours} 小时未完成，已过期`, now) : null,
        );
        if (!claimed || isRefusal(claimed)) return;
        out.expired += 1;
        await this.audit.record(meta, { action: 'approval.expire', entityType: 'approval', entityId: _id });
        await this.afterChange(meta, claimed.after, 'expired', null);
      });
    // Steps waiting on someone who left are re-routed now, not left to the 24-hour escalation.
    const resigned = (await this.org.users.distinct('_id', { status: 'resigned' }).exec()) as Types.ObjectId[];
    if (resigned.length) {
      const waitingOnLeavers = await this.model
        .find(
          {
            status: 'pending',
            steps: {
              $elemMatch: {
                status: { $in: ['pending', 'waiting'] },
                approvers: { $elemMatch: { userId: { $in: resigned }, decision: null, replacedById: null } },
              },
            },
          },
          { steps: 1 },
        )
        .lean<ApprovalPlain[]>()
        .exec();
      const leavers = new Set<string>();
      for (const a of waitingOnLeavers)
        for (const st of a.steps)
          for (const x of st.approvers) if (x.decision === null && !x.replacedById && resigned.some((r) => r.equals(x.userId))) leavers.add(String(x.userId));
      for (const id of leavers)
        await each(new Types.ObjectId(id), async (leaverId) => {
          out.rerouted += await this.handOver(meta, leaverId);
        });
    }
    const remindBefore = new Date(now.getTime() - this.rules.remindAfterHours * HOUR);
    const escalateBefore = new Date(now.getTime() - this.rules.escalateAfterHours * HOUR);
    const pending = await this.model
      .find({ status: 'pending', steps: { $elemMatch: { status: 'pending', startedAt: { $lte: remindBefore } } } }, { _id: 1 })
      .lean()
      .exec();
    for (const row of pending)
      await each(row._id, async (_id) => {
        const a = await this.model.findById(_id).lean<ApprovalPlain>().exec();
        if (!a || a.status !== 'pending') return;
        const s = a.steps[a.currentStep]!;
        if (!s.escalatedAt && s.startedAt && s.startedAt <= escalateBefore) {
          const silent = s.approvers.filter((x) => x.decision === null && !x.replacedById);
          const users = await this.org.users
            .find({ _id: { $in: silent.map((x) => x.userId) } }, { leaderId: 1 })
            .lean()
            .exec();
          const leaderIds = users.map((u) => u.leaderId).filter((x): x is Types.ObjectId => x !== null);
          const leaders = await this.org.users
            .find({ _id: { $in: leaderIds }, status: 'active' }, { name: 1 })
            .lean()
            .exec();
          const byId = new Map(leaders.map((l) => [String(l._id), { _id: l._id, name: l.name }]));
          const map = new Map<string, { _id: Types.ObjectId; name: string }>();
          for (const u of users) if (u.leaderId && byId.has(String(u.leaderId))) map.set(String(u._id), byId.get(String(u.leaderId))!);
          const claimed = await this.claim(_id, (x) => {
            const cur = x.steps[x.currentStep];
            if (x.status !== 'pending' || !cur || cur.escalatedAt || cur.index !== s.index) return null;
            return escalate(x, map, now);
          });
          if (claimed && !isRefusal(claimed)) {
            out.escalated += claimed.t.history.length;
            if (claimed.t.history.length) {
              await this.audit.record(meta, {
                action: 'approval.escalate',
                entityType: 'approval',
                entityId: _id,
                note: claimed.t.history.map((h) => h.comment).join('；'),
              });
            }
            await this.afterChange(meta, claimed.after, 'escalated', null);
          }
          return;
        }
        if (!s.remindedAt && s.startedAt && s.startedAt <= remindBefore) {
          const claimed = await this.claim(_id, (x) => {
            const cur = x.steps[x.currentStep];
            if (x.status !== 'pending' || !cur || cur.remindedAt || cur.index !== s.index) return null;
            const steps = x.steps.map((st) => (st.index === cur.index ? { ...st, remindedAt: now } : st));
            const names = cur.approvers.filter((y) => y.decision === null && !y.replacedById).map((y) => y.name);
            return {
              status: x.status,
              currentStep: x.currentStep,
              steps,
              history: [{ at: now, actorId: null, actorName: null, action: 'remind', comment: `提醒 ${names.join('、')} 审批`, step: cur.index }],
              outcome: 'reminded',
            };
          });
          if (claimed && !isRefusal(claimed)) {
            out.reminded += 1;
            const cur = claimed.after.steps[claimed.after.currentStep]!;
            await this.events
              .changed({
                approval: claimed.after,
                outcome: 'reminded',
                actorId: null,
                remind: cur.approvers.filter((y) => y.decision === null && !y.replacedById).map((y) => y.userId),
              })
              .catch(() => undefined);
            await this.model.updateOne({ _id, effectsVersion: { $lt: claimed.after.version } }, { $set: { effectsVersion: claimed.after.version } }).exec();
          }
        }
      });
    out.refreshed = await this.refreshCards(now);
    out.recovered = await this.recoverEffects(this.now());
    return out;
  }

  /** WeCom cards of still-pending approvers whose response code is older than the refresh age: a new card each. */
  private async refreshCards(now: Date): Promise<number> {
    const before = new Date(now.getTime() - this.rules.cardRefreshAfterHours * HOUR);
    // Only cards that still carry buttons (what they show is `act:<step>`) are worth re-issuing.
    const old = await this.cards
      .find({ channel: 'wecom', replaced: false, drawn: /^act:/, codeIssuedAt: { $lte: before } })
      .lean()
      .exec();
    let n = 0;
    for (const card of old) {
      const a = await this.model.findById(card.approvalId).lean<ApprovalPlain>().exec();
      if (!a || !canDecide(a, card.userId)) continue;
      // Claim: only one process replaces this card.
      const mine = await this.cards.updateOne({ _id: card._id, replaced: false }, { $set: { replaced: true } }).exec();
      if (mine.modifiedCount !== 1) continue;
      await this.events.refreshCard(a, card as ApprovalCard & { _id: Types.ObjectId }).catch(() => undefined);
      n += 1;
    }
    return n;
  }

  /** Side effects a stopped process never ran (claimed change, then a crash): re-run once, claimed by version. */
  private async recoverEffects(now: Date): Promise<number> {
    const stuck = await this.model
      .find({ $expr: { $lt: ['$effectsVersion', '$version'] }, updatedAt: { $lte: new Date(now.getTime() - 60_000) } })
      .limit(50)
      .lean<ApprovalPlain[]>()
      .exec()
      .catch(() => [] as ApprovalPlain[]);
    let n = 0;
    for (const a of stuck) {
      const res = await this.model.updateOne({ _id: a._id, effectsVersion: a.effectsVersion }, { $set: { effectsVersion: a.version } }).exec();
      if (res.modifiedCount !== 1) continue;
      const meta: RequestMeta = { requestId: `approval-recover:${String(a._id)}`, channel: 'system', actorId: null };
      const applied = await this.applySubject(meta, a, a.status === 'pending' ? 'step-advanced' : a.status);
      await this.notify({ approval: applied.approval, outcome: applied.outcome, actorId: null });
      if (applied.approval.version !== a.version)
        await this.model
          .updateOne({ _id: a._id, effectsVersion: { $lt: applied.approval.version } }, { $set: { effectsVersion: applied.approval.version } })
          .exec();
      n += 1;
    }
    return n;
  }

  // ---- card bookkeeping (used by the bot) ------------------------------------------------------------

  /** Uses a card's stored response code once: true when this caller got it (nobody else will). */
  async takeCode(cardId: Types.ObjectId, code: string): Promise<boolean> {
    const res = await this.cards.updateOne({ _id: cardId, responseCode: code }, { $set: { responseCode: null } }).exec();
    return res.modifiedCount === 1;
  }

  /** Users as the bot needs them (names for the card). */
  userById(id: Types.ObjectId): Promise<UserDoc | null> {
    return this.org.findActiveUserById(id);
  }
}

/** How the previous approval of a subject ended, and what the resubmission changed. */
function resubmissionOf(
  previous: ApprovalPlain,
  next: { title: string; amountFen: number | null; discountPercent: number | null; customerName: string | null; note: string | null },
): NonNullable<Approval['resubmission']> {
  const rejection = previous.status === 'rejected' ? previous.history.filter((h) => h.action === 'reject').at(-1) : undefined;
  return {
    previousStatus: previous.status,
    rejectedBy: rejection?.actorName ?? null,
    reason: rejection?.comment ?? null,
    changes: resubmissionChanges(
      {
        title: previous.title,
        amountFen: previous.amountFen,
        discountPercent: previous.discountPercent,
        customerName: previous.customerName,
        note: previous.note ?? null,
      },
      next,
    ),
  };
}

/** Whether this approver already made this decision (at this step, when given): a retry, answered with the current state. */
function alreadyDecided(a: ApprovalPlain, userId: Types.ObjectId, decision: ApprovalDecision, step?: number): boolean {
  return a.steps.some((s) => (step === undefined || s.index === step) && s.approvers.some((x) => x.userId.equals(userId) && x.decision === decision));
}

function refusalError(r: Refusal): AppError {
  if (r.refused === 'not-pending') return new AppError(409, ApprovalErrorCode.NOT_PENDING, `该审批${statusText(r.status)}`);
  if (r.refused === 'not-approver') return new AppError(403, ApprovalErrorCode.NOT_APPROVER, '你不是当前步骤的审批人');
  return new AppError(409, ApprovalErrorCode.HANDLED, r.byName ? `已由 ${r.byName} 处理` : '该步骤已处理');
}

const statusText = (s: string) => ({ approved: '已通过', rejected: '已驳回', withdrawn: '已撤回', expired: '已过期', pending: '审批中' })[s] ?? s;
