import type { Connection, Types } from 'mongoose';
import { explainRoute, resubmissionChanges, type ApprovalBox, type ApprovalDecision, type ApprovalRulesConfig } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import type { ContractService } from '../contract/contract.service';
import type { CustomerService } from '../customer/customer.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import { ApprovalErrorCode, refusalError } from './approval.errors';
import { canDecide, decide, isRefusal, withdraw } from './approval.logic';
import type { Approval, ApprovalPlain, HistoryEntry } from './approval.model';
import { departmentNames, resolveRoute } from './approval.routing';
import { ApprovalSweep } from './approval.sweep';
import { ApprovalWorkflow, type ApprovalEvents } from './approval.workflow';
import { approvalSubjects, type SubmitInput } from './subjects';
import type { PoolService } from '../pool/pool.service';

export { ApprovalErrorCode } from './approval.errors';
export { noApprovalEvents, type ApprovalChange, type ApprovalEvents, type ApprovalOutcome } from './approval.workflow';
export type { SubmitInput } from './subjects';
export type { SweepResult } from './approval.sweep';
export { ApprovalSweep };

/**
 * Approvals: rule-based routes resolved at submit time and stored, decisions claimed with one
 * conditional update each (exactly once), side effects only after a successful claim. This service is
 * the people's side (submit / decide / withdraw / read); the timed work is `ApprovalSweep`, each kind of
 * subject a strategy in `subjects/`, the collection and the effects of a change `ApprovalWorkflow`.
 */
export class ApprovalService {
  constructor(
    private readonly flow: ApprovalWorkflow,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {}

  get rules(): ApprovalRulesConfig {
    return this.flow.rules;
  }

  private now(): Date {
    return this.flow.now();
  }

  /** Resolves when every background effect started so far (and any they started) has run: for tests, benchmarks, shutdown. */
  settled(): Promise<void> {
    return this.flow.settled();
  }

  // ---- submit --------------------------------------------------------------------------------

  async submit(actor: Actor, meta: RequestMeta, input: SubmitInput): Promise<ApprovalPlain> {
    const strategy = this.flow.subject(input.subjectType);
    const subject = await strategy.load(actor, input);
    const open = await this.flow.model.findOne({ subjectType: input.subjectType, subjectId: subject.id, status: 'pending' }, { _id: 1 }).lean().exec();
    if (open) throw new AppError(409, ApprovalErrorCode.ALREADY_PENDING, '该事项已在审批中');
    const previous = await this.flow.model
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
    const doc = await this.flow.model
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
    if (strategy.submitted) {
      try {
        await strategy.submitted(actor, meta, subject.id);
      } catch (err) {
        await this.flow.model.deleteOne({ _id: doc._id }).exec(); // the contract changed meanwhile: no approval for it
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
    return this.flow.afterChange(meta, approval, auto ? 'approved' : 'submitted', requester._id);
  }

  /** Contract submission (POST /contracts/:id/submit). */
  submitContract(actor: Actor, meta: RequestMeta, contractId: string, comment?: string): Promise<ApprovalPlain> {
    return this.submit(actor, meta, { subjectType: 'contract', subjectId: contractId, comment });
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
    const page = (await paginateById(this.flow.model, filter, { cursor: q.cursor, limit: q.limit })) as Page<ApprovalPlain>;
    if (q.box === 'todo') page.items = page.items.filter((a) => canDecide(a, me));
    return page;
  }

  async get(actor: Actor, id: string | Types.ObjectId): Promise<ApprovalPlain> {
    if (typeof id === 'string' && !/^[0-9a-f]{24}$/i.test(id)) throw notFound('审批');
    const a = await this.flow.findById(id);
    if (!a || !this.visible(actor, a)) throw notFound('审批');
    return a;
  }

  /**
   * An approval as stored, whoever asks: for its chat effects, which draw it for each of its own approvers
   * and its requester (never an answer to a user: `get` applies who may read it).
   */
  forEffects(id: Types.ObjectId): Promise<ApprovalPlain | null> {
    return this.flow.findById(id);
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
    input: { decision: ApprovalDecision; comment?: string | null; step?: number; click?: { taskId: string | null } },
  ): Promise<ApprovalPlain> {
    const comment = input.comment?.trim() || null;
    if (input.decision === 'reject' && !comment) throw new AppError(400, ApprovalErrorCode.REASON_REQUIRED, '驳回需要填写原因');
    await this.get(actor, id);
    const user = { _id: actor.user._id, name: actor.user.name };
    const claimed = await this.flow.claim(id, (a) => decide(a, user, input.decision, comment, this.now(), input.step));
    if (isRefusal(claimed)) {
      // A retry of a decision this approver already made (a client that lost the answer, a double tap): the current state.
      const now = claimed.refused === 'not-approver' ? null : await this.flow.findById(id);
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
    return this.flow.afterChange(meta, after, t.outcome, user._id, input.click ? { userId: user._id, ...input.click } : undefined);
  }

  async withdraw(actor: Actor, meta: RequestMeta, id: string, comment?: string): Promise<ApprovalPlain> {
    await this.get(actor, id);
    const user = { _id: actor.user._id, name: actor.user.name };
    const claimed = await this.flow.claim(id, (a) => withdraw(a, user, comment ?? null, this.now()));
    if (isRefusal(claimed)) {
      if (claimed.refused === 'not-approver') throw new AppError(403, CommonErrorCode.FORBIDDEN, '只有申请人可以撤回');
      throw refusalError(claimed);
    }
    const { after } = claimed!;
    await this.audit.record(meta, { action: 'approval.withdraw', entityType: 'approval', entityId: after._id, note: comment });
    return this.flow.afterChange(meta, after, 'withdrawn', user._id);
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

/** Builds the approval module: the service, the sweep and the subjects, on one workflow. */
export function buildApprovals(
  conn: Connection,
  deps: {
    org: OrgService;
    customers: CustomerService;
    contracts: ContractService;
    opportunities: OpportunityService;
    /** The pools (申请延期 follows through them). */
    pools: PoolService;
    audit: AuditService;
    rules: ApprovalRulesConfig;
    now: () => Date;
    /** The port "approval changed" goes out through (default: nowhere). */
    events?: ApprovalEvents;
  },
): { approvals: ApprovalService; approvalSweep: ApprovalSweep } {
  const subjects = approvalSubjects(deps);
  const flow = new ApprovalWorkflow(conn, subjects, deps.audit, deps.rules, deps.now, deps.events);
  return { approvals: new ApprovalService(flow, deps.org, deps.audit), approvalSweep: new ApprovalSweep(flow, deps.org, deps.audit) };
}
