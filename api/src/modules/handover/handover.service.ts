import { createHash, randomUUID } from 'node:crypto';
import { Types, type Connection, type Model } from 'mongoose';
import { buildScopeFilter, can, isInScope } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { ApprovalService, ApprovalSweep } from '../approval/approval.service';
import type { AuditService } from '../audit/audit.service';
import type { ContractService } from '../contract/contract.service';
import type { CustomerService } from '../customer/customer.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import type { UserDoc } from '../org/user.model';
import type { ReminderService } from '../reminder/reminder.service';
import {
  handoverBatchModel,
  handoverItemModel,
  handoverModel,
  type Handover,
  type HandoverBatch,
  type HandoverDoc,
  type HandoverItem,
  type HandoverStatus,
  type OnRefused,
  type Person,
  type Split,
  type WeComState,
} from './handover.model';
import type { HandoverEvents, HandoverKind, HandoverNotice, HandoverPlatform, TransferState } from './handover.ports';
import { proposeSplit, type SplitSuccessor } from './handover.split';

export const HandoverErrorCode = { HANDOVER_RUNNING: 'HANDOVER_RUNNING' } as const;

/** WeCom takes at most 100 customers (and 100 groups) per transfer call. */
export const TRANSFER_BATCH = 100;
const PAGE = 100;
const oid = (s: string | Types.ObjectId) => new Types.ObjectId(String(s));
const ACTIVE: HandoverStatus[] = ['queued', 'running', 'waiting'];
/** transfer_result status → our state. */
const RESULT_STATE: Record<TransferState['status'], WeComState> = { 1: 'accepted', 2: 'waiting', 3: 'refused', 4: 'failed' };
const OPEN_CONTRACT = new Set(['draft', 'pending_approval', 'approved']);

export interface HandoverRequest {
  fromUserId: string;
  kind: HandoverKind;
  successors: string[];
  split: Split;
}
export interface StartHandoverInput extends HandoverRequest {
  assignments?: Array<{ customerId: string; successorId: string }>;
  onRefused: OnRefused;
  transferMessage?: string;
  newLeaderId?: string;
}

export interface HandoverSettings {
  /** How often transfer_result is asked while customers may still refuse. */
  pollEveryMs: number;
  /** After the last transfer call, transfers still waiting count as timed out (WeCom's 24 h plus a margin). */
  timeoutMs: number;
  /** How long a worker holds a hand-over it advances (renewed at each step). */
  leaseMs: number;
  /** A failed step is tried again after this long. */
  retryMs: number;
  now?: () => Date;
}

interface Deps {
  org: OrgService;
  customers: CustomerService;
  opportunities: OpportunityService;
  contracts: ContractService;
  approvals: ApprovalService;
  approvalSweep: ApprovalSweep;
  reminders: ReminderService;
  audit: AuditService;
  platform: HandoverPlatform;
  events: HandoverEvents;
}

/** Why the step could not go on (the run stops; a worker tries again after `retryMs`). */
class StepError extends Error {}

/**
 * The hand-over (离职继承 / 在职继承) of one rep's customers to successors: a preview of everything that hangs on
 * the rep with a proposed split, then a durable run that a worker advances phase by phase (`runDue`, job
 * `handover`): CRM ownership (each customer through the customer service, so its records follow) → people
 * (approvals, reminders, the deactivation) → WeCom (external contacts, 100 per call, each call recorded before it
 * is made; groups) → polling transfer_result until each transfer is accepted, refused or timed out → refused or
 * failed ones reconciled as the starter chose → the report. Every step is conditional on the state it read, so a
 * worker that stops anywhere leaves work the next one finishes without doing anything twice.
 */
export class HandoverService {
  readonly #handovers: Model<Handover>;
  readonly #items: Model<HandoverItem>;
  readonly #batches: Model<HandoverBatch>;

  constructor(
    conn: Connection,
    private readonly deps: Deps,
    private readonly settings: HandoverSettings,
  ) {
    this.#handovers = handoverModel(conn);
    this.#items = handoverItemModel(conn);
    this.#batches = handoverBatchModel(conn);
  }

  private now(): Date {
    return this.settings.now?.() ?? new Date();
  }

  // ---- preview -----------------------------------------------------------------------------

  /** Everything that hangs on the rep, and the proposed split of their customers. */
  async preview(actor: Actor, input: HandoverRequest) {
    const { from, successors } = await this.people(actor, input);
    const customers = await this.customersOf(actor, from._id);
    const links = await this.deps.customers.contactLinks(customers.map((c) => c._id));
    const proposal = await this.propose(actor, customers, successors, input.split);
    const opportunities: Array<{ id: string; name: string; customerId: string; stage: string; amountFen: number }> = [];
    const contracts: Array<{ id: string; title: string; customerId: string; status: string }> = [];
    const perCustomer = new Map<string, { opps: number; contracts: number }>();
    for (let i = 0; i < customers.length; i += 10) {
      await Promise.all(
        customers.slice(i, i + 10).map(async (c) => {
          const [opps, cons] = await Promise.all([this.deps.opportunities.forCustomer(actor, c._id), this.deps.contracts.forCustomer(actor, c._id)]);
          const open = opps.filter((o) => !o.closedAt);
          const pending = cons.filter((k) => OPEN_CONTRACT.has(k.status));
          perCustomer.set(String(c._id), { opps: open.length, contracts: pending.length });
          for (const o of open) opportunities.push({ id: String(o._id), name: o.name, customerId: String(c._id), stage: o.stage, amountFen: o.amountFen });
          for (const k of pending) contracts.push({ id: String(k._id), title: k.title, customerId: String(c._id), status: k.status });
        }),
      );
    }
    const fromActor = await this.actorOf(from);
    const [requested, waiting, reminders] = await Promise.all([
      this.deps.approvals.list(fromActor, { box: 'mine', limit: 100 }),
      this.deps.approvals.list(fromActor, { box: 'todo', limit: 100 }),
      Promise.all((['overdue', 'today', 'upcoming'] as const).map((box) => this.deps.reminders.list(fromActor, box, 200))).then((x) => x.flat()),
    ]);
    const wecomId = from.identities?.wecom ?? null;
    const wecomOn = this.deps.platform.enabled() && !!wecomId;
    const [external, groups] = wecomOn
      ? await Promise.all([this.deps.platform.externalContactsOf(wecomId, input.kind), this.deps.platform.groupChatsOf(wecomId)])
      : [[], []];
    const customerOfExternal = new Map<string, string>();
    for (const [cid, l] of links) for (const e of l.externalUserIds) customerOfExternal.set(e, cid);
    const first = String(successors[0]!._id);
    const given = new Map<string, number>();
    for (const to of proposal.values()) given.set(to, (given.get(to) ?? 0) + 1);
    const pendingApprovals = requested.items.filter((a) => a.status === 'pending');
    const rows = customers.map((c) => ({
      id: String(c._id),
      name: c.name,
      company: c.company ?? null,
      tier: c.tier,
      contacts: links.get(String(c._id))?.contacts ?? 0,
      externalUserIds: links.get(String(c._id))?.externalUserIds ?? [],
      openOpportunities: perCustomer.get(String(c._id))?.opps ?? 0,
      pendingContracts: perCustomer.get(String(c._id))?.contracts ?? 0,
      successorId: proposal.get(String(c._id))!,
    }));
    return {
      from: { id: String(from._id), name: from.name, status: from.status, wecomUserId: wecomId },
      kind: input.kind,
      split: input.split,
      successors: successors.map((s) => ({ id: String(s._id), name: s.name, customers: given.get(String(s._id)) ?? 0 })),
      customers: rows,
      opportunities,
      contracts,
      approvals: {
        requested: pendingApprovals.map((a) => ({ id: String(a._id), title: a.title, status: a.status })),
        waiting: waiting.items.map((a) => ({ id: String(a._id), title: a.title, status: a.status })),
      },
      reminders: { count: reminders.length, items: reminders.slice(0, 50).map((r) => ({ id: String(r._id), title: r.title, dueAt: r.dueAt.toISOString() })) },
      wecom: {
        enabled: wecomOn,
        externalContacts: external.map((e) => {
          const cid = customerOfExternal.get(e) ?? null;
          return { externalUserId: e, customerId: cid, successorId: cid ? proposal.get(cid)! : first };
        }),
        groupChats: groups.map((g) => ({ chatId: g, successorId: first })),
      },
      totals: {
        customers: rows.length,
        contacts: rows.reduce((n, r) => n + r.contacts, 0),
        openOpportunities: opportunities.length,
        pendingContracts: contracts.length,
        approvalsRequested: pendingApprovals.length,
        approvalsWaiting: waiting.items.length,
        reminders: reminders.length,
        externalContacts: external.length,
        groupChats: groups.length,
      },
    };
  }

  // ---- start ---------------------------------------------------------------------------------

  /** Records the hand-over and every item it will move; a worker runs it (`runDue`). One at a time per person. */
  async start(actor: Actor, meta: RequestMeta, input: StartHandoverInput): Promise<HandoverDoc> {
    const { from, successors } = await this.people(actor, input);
    if (input.kind === 'in-service' && from.status !== 'active') throw invalid('kind', '该成员已离职，请选择离职继承');
    const ids = new Set(successors.map((s) => String(s._id)));
    for (const a of input.assignments ?? []) if (!ids.has(a.successorId)) throw invalid('assignments', '分配对象必须是所选的接替人之一');
    if (input.newLeaderId) await this.active(input.newLeaderId, 'newLeaderId');
    const customers = await this.customersOf(actor, from._id);
    const proposal = await this.propose(actor, customers, successors, input.split);
    for (const a of input.assignments ?? []) if (proposal.has(a.customerId)) proposal.set(a.customerId, a.successorId);
    const person = (u: UserDoc): Person => ({ userId: u._id, name: u.name, wecomId: u.identities?.wecom ?? null });
    let h: HandoverDoc;
    try {
      h = await this.#handovers.create({
        kind: input.kind,
        status: 'queued',
        phase: 'crm',
        from: person(from),
        fromDepartmentIds: from.departmentIds,
        successors: successors.map(person),
        split: input.split,
        onRefused: input.onRefused,
        transferMessage: input.transferMessage ?? null,
        newLeaderId: input.newLeaderId ? oid(input.newLeaderId) : null,
        startedBy: { userId: actor.user._id, name: actor.user.name },
        activeFor: String(from._id),
        nextRunAt: this.now(),
        lease: { holder: null, until: null },
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError(409, HandoverErrorCode.HANDOVER_RUNNING, `${from.name} 的交接正在进行中`);
      throw err;
    }
    const rows = customers.map((c) => ({
      handoverId: h._id,
      type: 'customer' as const,
      key: `c:${String(c._id)}`,
      customerId: c._id,
      customerName: c.name,
      successorId: oid(proposal.get(String(c._id))!),
    }));
    for (let i = 0; i < rows.length; i += 500) await this.#items.insertMany(rows.slice(i, i + 500), { ordered: false });
    await this.deps.audit.record(meta, {
      action: 'handover.start',
      entityType: 'handover',
      entityId: h._id,
      changes: { status: { before: null, after: 'queued' } },
      note: `${input.kind === 'resigned' ? '离职继承' : '在职继承'}：${from.name} → ${successors.map((s) => s.name).join('、')}，${rows.length} 个客户`,
    });
    return h;
  }

  // ---- read ----------------------------------------------------------------------------------

  async get(actor: Actor, id: string): Promise<HandoverDoc> {
    const h = Types.ObjectId.isValid(id) ? await this.#handovers.findById(id).exec() : null;
    if (!h || !this.visible(actor, h)) throw notFound('交接');
    return h;
  }

  list(actor: Actor, q: { fromUserId?: string; status?: HandoverStatus; cursor?: string; limit: number }): Promise<Page<Handover>> {
    const and: Record<string, unknown>[] = [
      { $or: [{ 'startedBy.userId': actor.user._id }, buildScopeFilter(actor.viewer, { owner: 'from.userId', department: 'fromDepartmentIds' })] },
    ];
    if (q.fromUserId) and.push({ 'from.userId': oid(q.fromUserId) });
    if (q.status) and.push({ status: q.status });
    return paginateById(this.#handovers, { $and: and }, { cursor: q.cursor, limit: q.limit });
  }

  async items(actor: Actor, id: string, q: { type?: HandoverItem['type']; wecom?: WeComState; cursor?: string; limit: number }): Promise<Page<HandoverItem>> {
    const h = await this.get(actor, id);
    const filter: Record<string, unknown> = { handoverId: h._id };
    if (q.type) filter.type = q.type;
    if (q.wecom) filter.wecom = q.wecom;
    return paginateById(this.#items, filter, { cursor: q.cursor, limit: q.limit });
  }

  private visible(actor: Actor, h: Handover): boolean {
    if (h.startedBy.userId.equals(actor.user._id)) return true;
    return isInScope(actor.viewer, { owner: h.from.userId, departments: h.fromDepartmentIds }, (a, b) => a.equals(b));
  }

  /** Counts per state, from the items (always true, whatever was interrupted). */
  async progress(h: Pick<Handover, 'people'> & { _id: Types.ObjectId }) {
    const rows = await this.#items
      .aggregate<{
        _id: { type: string; crm: string; wecom: string; reconciled: string };
        n: number;
      }>([{ $match: { handoverId: h._id } }, { $group: { _id: { type: '$type', crm: '$crm', wecom: '$wecom', reconciled: '$reconciled' }, n: { $sum: 1 } } }])
      .exec();
    const sum = (f: (k: { type: string; crm: string; wecom: string; reconciled: string }) => boolean) =>
      rows.filter((r) => f(r._id)).reduce((n, r) => n + r.n, 0);
    const ext = (s: string) => sum((k) => k.type === 'external' && k.wecom === s);
    return {
      customers: {
        total: sum((k) => k.type === 'customer'),
        moved: sum((k) => k.type === 'customer' && k.crm === 'moved'),
        skipped: sum((k) => k.type === 'customer' && k.crm === 'skipped'),
      },
      wecom: {
        total: sum((k) => k.type === 'external'),
        requested: sum((k) => k.type === 'external' && !['none', 'pending'].includes(k.wecom)),
        waiting: ext('waiting') + ext('requested'),
        accepted: ext('accepted'),
        refused: ext('refused'),
        failed: ext('failed'),
        timedOut: ext('timeout'),
      },
      groupChats: {
        total: sum((k) => k.type === 'group'),
        transferred: sum((k) => k.type === 'group' && k.wecom === 'accepted'),
        failed: sum((k) => k.type === 'group' && k.wecom === 'failed'),
      },
      approvals: { moved: h.people.approvals },
      reminders: { moved: h.people.remindersMoved, cancelled: h.people.remindersCancelled },
      reconciled: {
        toSuccessor: sum((k) => k.type === 'customer' && k.reconciled === 'successor'),
        toPool: sum((k) => k.type === 'customer' && k.reconciled === 'pool'),
      },
    };
  }

  /** The report: per successor what they got and what WeCom answered, and every refused or failed customer. */
  async report(h: Handover & { _id: Types.ObjectId }) {
    const names = new Map(h.successors.map((s) => [String(s.userId), s.name]));
    const per = await this.#items
      .aggregate<{ _id: { s: Types.ObjectId; type: string; wecom: string }; n: number }>([
        { $match: { handoverId: h._id, type: { $in: ['customer', 'external'] } } },
        { $group: { _id: { s: '$successorId', type: '$type', wecom: '$wecom' }, n: { $sum: 1 } } },
      ])
      .exec();
    const perSuccessor = h.successors.map((s) => {
      const mine = per.filter((r) => r._id.s.equals(s.userId));
      const n = (f: (r: (typeof per)[number]) => boolean) => mine.filter(f).reduce((a, r) => a + r.n, 0);
      return {
        id: String(s.userId),
        name: s.name,
        customers: n((r) => r._id.type === 'customer'),
        accepted: n((r) => r._id.type === 'external' && r._id.wecom === 'accepted'),
        refused: n((r) => r._id.type === 'external' && ['refused', 'failed', 'timeout'].includes(r._id.wecom)),
      };
    });
    const refused = await this.#items
      .find({ handoverId: h._id, type: 'customer', reconciled: { $in: ['successor', 'pool', 'pending'] } })
      .limit(500)
      .lean()
      .exec();
    return {
      perSuccessor,
      refused: refused.map((r) => ({
        customerId: String(r.customerId),
        name: r.customerName,
        successorId: String(r.successorId),
        successorName: names.get(String(r.successorId)) ?? null,
        outcome: r.reconciled === 'pool' ? 'pool' : 'successor',
        reason: r.note,
      })),
    };
  }

  // ---- the run (the `handover` job) --------------------------------------------------------------

  /** Advances every hand-over that is due and not held by a live worker; answers how many it advanced. */
  async runDue(holder: string = randomUUID()): Promise<number> {
    let n = 0;
    for (;;) {
      const h = await this.claim(holder);
      if (!h) return n;
      n += 1;
      await this.advance(h, holder).catch(async (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        await this.#handovers
          .updateOne(
            { _id: h._id, 'lease.holder': holder },
            { $set: { error: message, nextRunAt: new Date(this.now().getTime() + this.settings.retryMs), lease: { holder: null, until: null } } },
          )
          .exec();
      });
    }
  }

  private claim(holder: string): Promise<HandoverDoc | null> {
    const now = this.now();
    return this.#handovers
      .findOneAndUpdate(
        { status: { $in: ACTIVE }, nextRunAt: { $lte: now }, $or: [{ 'lease.until': null }, { 'lease.until': { $lte: now } }] },
        { $set: { lease: { holder, until: new Date(now.getTime() + this.settings.leaseMs) }, status: 'running' } },
        { returnDocument: 'after', sort: { nextRunAt: 1 } },
      )
      .exec();
  }

  /** Renews the lease and moves to `phase` (null: stay); throws when another worker took the hand-over over. */
  private async step(h: HandoverDoc, holder: string, set: Partial<Handover> = {}): Promise<void> {
    const now = this.now();
    const after = await this.#handovers
      .findOneAndUpdate(
        { _id: h._id, 'lease.holder': holder },
        { $set: { ...set, error: null, 'lease.until': new Date(now.getTime() + this.settings.leaseMs) } },
        { returnDocument: 'after' },
      )
      .exec();
    if (!after) throw new StepError('lease lost');
    h.set(after.toObject());
  }

  private meta(h: Handover): RequestMeta {
    return { requestId: `handover:${String((h as Handover & { _id: Types.ObjectId })._id)}`, channel: 'system', actorId: h.startedBy.userId };
  }

  private async advance(h: HandoverDoc, holder: string): Promise<void> {
    const meta = this.meta(h);
    const starter = await this.deps.org.findActiveUserById(h.startedBy.userId);
    if (!starter) return this.fail(h, holder, meta, '发起人已停用，交接无法继续');
    const actor: Actor = { user: starter, viewer: await this.deps.org.resolveViewer(starter) };
    for (;;) {
      switch (h.phase) {
        case 'crm':
          await this.moveCustomers(h, holder, actor, meta);
          await this.step(h, holder, { phase: 'people' });
          break;
        case 'people':
          await this.movePeople(h, holder, actor, meta);
          await this.step(h, holder, { phase: 'wecom' });
          break;
        case 'wecom':
          await this.sendTransfers(h, holder, meta);
          await this.step(h, holder, { phase: 'poll', lastSentAt: this.now(), pollDeadline: new Date(this.now().getTime() + this.settings.timeoutMs) });
          await this.notify(h, 'progress');
          break;
        case 'poll': {
          const waiting = await this.poll(h, holder, meta);
          if (waiting > 0) {
            // the customers have 24 h to refuse: come back later, holding nothing meanwhile
            await this.#handovers
              .updateOne(
                { _id: h._id, 'lease.holder': holder },
                { $set: { status: 'waiting', nextRunAt: new Date(this.now().getTime() + this.settings.pollEveryMs), lease: { holder: null, until: null } } },
              )
              .exec();
            return;
          }
          await this.step(h, holder, { phase: 'reconcile' });
          break;
        }
        case 'reconcile':
          await this.reconcile(h, holder, actor, meta);
          await this.step(h, holder, { phase: 'done', status: 'done', finishedAt: this.now() });
          await this.#handovers.updateOne({ _id: h._id }, { $unset: { activeFor: 1 } }).exec();
          await this.deps.audit.record(meta, {
            id: auditId(`handover.finish:${String(h._id)}`),
            action: 'handover.finish',
            entityType: 'handover',
            entityId: h._id,
            changes: { status: { before: 'running', after: 'done' } },
          });
          break;
        case 'done':
          await this.notify(h, 'finished');
          await this.#handovers.updateOne({ _id: h._id, 'lease.holder': holder }, { $set: { lease: { holder: null, until: null } } }).exec();
          return;
      }
    }
  }

  private async fail(h: HandoverDoc, holder: string, meta: RequestMeta, why: string): Promise<void> {
    await this.#handovers
      .updateOne(
        { _id: h._id, 'lease.holder': holder },
        { $set: { status: 'failed', error: why, finishedAt: this.now(), lease: { holder: null, until: null } }, $unset: { activeFor: 1 } },
      )
      .exec();
    await this.deps.audit.record(meta, { action: 'handover.fail', entityType: 'handover', entityId: h._id, note: why });
  }

  /** CRM ownership, customer by customer through the customer service (its records follow; each audited), 8 at a time. */
  private async moveCustomers(h: HandoverDoc, holder: string, actor: Actor, meta: RequestMeta): Promise<void> {
    const names = new Map(h.successors.map((s) => [String(s.userId), s.name]));
    const why = `${h.kind === 'resigned' ? '离职继承' : '在职继承'}：${h.from.name} 的客户交给`;
    for (;;) {
      const batch = await this.#items.find({ handoverId: h._id, type: 'customer', crm: 'pending' }).sort({ _id: 1 }).limit(PAGE).lean().exec();
      if (!batch.length) break;
      await inParallel(batch, async (item) => {
        const customerId = item.customerId!;
        let state = await this.deps.customers.ownership(customerId);
        if (state?.status === 'owned' && state.ownerId?.equals(h.from.userId)) {
          try {
            const after = await this.deps.customers.transfer(
              actor,
              meta,
              String(customerId),
              String(item.successorId),
              `${why} ${names.get(String(item.successorId)) ?? ''}`,
            );
            state = { status: after.status, ownerId: after.ownerId };
          } catch (err) {
            if (!(err instanceof AppError) || err.status >= 500) throw err;
            state = await this.deps.customers.ownership(customerId); // refused (moved meanwhile, out of scope)
          }
        }
        const moved = state?.status === 'owned' && !!state.ownerId?.equals(item.successorId);
        await this.#items
          .updateOne(
            { _id: item._id, crm: 'pending' },
            { $set: moved ? { crm: 'moved' } : { crm: 'skipped', note: '交接前客户已不归离职人员（已转移或进入公海）' } },
          )
          .exec();
      });
      await this.step(h, holder);
    }
  }

  /**
   * Approvals and reminders. Resigned and still active: the deactivation (direct reports, approvals, reminders to
   * each customer's new owner, as POST /users/:id/deactivate does). Already resigned: the same hand-over pieces
   * again (both only move what is still on the leaver). In service, or resigned but still active and started by a
   * manager (deactivating an account is an admin's): the reminders about the moved customers; an admin's later
   * deactivation moves the rest.
   */
  private async movePeople(h: HandoverDoc, holder: string, actor: Actor, meta: RequestMeta): Promise<void> {
    const fromId = h.from.userId;
    const first = h.successors[0]!.userId;
    const user = await this.deps.org.findUserById(fromId);
    if (h.kind === 'resigned' && (user?.status !== 'active' || can(actor.user.roles, 'org.write'))) {
      let deactivated = h.people.deactivated;
      if (user?.status === 'active') {
        await this.deps.org.deactivateUser(meta, String(fromId), { newLeaderId: h.newLeaderId ? String(h.newLeaderId) : null });
        deactivated = true;
      }
      const approvals = await this.deps.approvalSweep.handOver(meta, fromId, first);
      const reminders = await this.deps.reminders.retargetFromLeaver(meta, fromId, first);
      await this.step(h, holder, {
        people: {
          approvals: h.people.approvals + approvals,
          remindersMoved: h.people.remindersMoved + reminders.moved,
          remindersCancelled: h.people.remindersCancelled + reminders.cancelled,
          deactivated,
        },
      });
      return;
    }
    const moved = await this.#items.find({ handoverId: h._id, type: 'customer', crm: 'moved' }, { customerId: 1, successorId: 1 }).lean().exec();
    const n = await this.deps.reminders.retargetForCustomers(
      meta,
      fromId,
      moved.map((m) => ({ customerId: m.customerId!, toId: m.successorId })),
    );
    await this.step(h, holder, { people: { ...h.people, remindersMoved: n } });
  }

  /** External contacts and groups: items made once, then calls of at most 100, each recorded before it is made. */
  private async sendTransfers(h: HandoverDoc, holder: string, meta: RequestMeta): Promise<void> {
    const fromWecom = h.from.wecomId;
    if (!this.deps.platform.enabled() || !fromWecom) return;
    await this.collectExternal(h, holder, fromWecom);
    await this.reconcileBatches(h, holder, meta);
    const takeover = new Map(h.successors.map((s) => [String(s.userId), s.wecomId]));
    for (;;) {
      const next = await this.#items.findOne({ handoverId: h._id, type: 'external', wecom: 'pending' }).sort({ _id: 1 }).lean().exec();
      if (!next) break;
      const to = takeover.get(String(next.successorId));
      const items = await this.#items
        .find({ handoverId: h._id, type: 'external', wecom: 'pending', successorId: next.successorId })
        .sort({ _id: 1 })
        .limit(TRANSFER_BATCH)
        .lean()
        .exec();
      if (!to) {
        await this.#items
          .updateMany({ _id: { $in: items.map((i) => i._id) }, wecom: 'pending' }, { $set: { wecom: 'failed', note: '接替人没有企业微信账号' } })
          .exec();
        continue;
      }
      // the call is recorded first: a worker that stops before the answer is stored asks transfer_result, never again
      const seq = await this.#handovers.findOneAndUpdate({ _id: h._id, 'lease.holder': holder }, { $inc: { batchSeq: 1 } }, { returnDocument: 'after' }).exec();
      if (!seq) throw new StepError('lease lost');
      const ids = items.map((i) => i.externalUserId!);
      await this.#batches.create({ handoverId: h._id, no: seq.batchSeq, successorId: next.successorId, externalUserIds: ids, recordedAt: this.now() });
      await this.#items.updateMany({ _id: { $in: items.map((i) => i._id) }, wecom: 'pending' }, { $set: { wecom: 'requested', batchNo: seq.batchSeq } }).exec();
      let answers: Array<{ externalUserId: string; errcode: number }>;
      try {
        answers = await this.deps.platform.transferCustomers(
          h.kind,
          fromWecom,
          to,
          ids,
          h.kind === 'in-service' ? (h.transferMessage ?? undefined) : undefined,
        );
      } catch (err) {
        const errcode = (err as { errcode?: unknown }).errcode;
        // WeCom refused the whole call (not a lost answer): nothing started, every customer of it failed with that code
        if (typeof errcode !== 'number' || (err as { retryable?: boolean }).retryable) throw err;
        answers = ids.map((externalUserId) => ({ externalUserId, errcode }));
      }
      // one write per answer kind (0, or each errcode), each conditional on the item still being `requested`
      for (const [errcode, keys] of groupBy(
        answers,
        (a) => a.errcode,
        (a) => `e:${a.externalUserId}`,
      )) {
        await this.#items
          .updateMany(
            { handoverId: h._id, key: { $in: keys }, wecom: 'requested' },
            { $set: errcode === 0 ? { wecom: 'waiting', errcode: 0 } : { wecom: 'failed', errcode, note: wecomReason(errcode) } },
          )
          .exec();
      }
      await this.#batches.updateOne({ handoverId: h._id, no: seq.batchSeq }, { $set: { state: 'answered', answeredAt: this.now() } }).exec();
      await this.deps.audit.record(meta, {
        id: auditId(`handover.wecom:${String(h._id)}:${seq.batchSeq}`),
        action: 'handover.wecom-transfer',
        entityType: 'handover',
        entityId: h._id,
        note: `企业微信${h.kind === 'resigned' ? '离职' : '在职'}继承第 ${seq.batchSeq} 批：${ids.length} 个客户 → ${to}，${answers.filter((a) => a.errcode === 0).length} 个已发起`,
      });
      await this.step(h, holder);
    }
    await this.sendGroups(h, holder, meta, fromWecom);
  }

  /** The items for the rep's external contacts (each linked to its CRM customer's successor, else the first). */
  private async collectExternal(h: HandoverDoc, holder: string, fromWecom: string): Promise<void> {
    if (h.collectedAt) return; // made once (never redone, so a contact WeCom moved meanwhile is not asked again)
    const customers = await this.#items.find({ handoverId: h._id, type: 'customer' }, { customerId: 1, customerName: 1, successorId: 1 }).lean().exec();
    const links = await this.deps.customers.contactLinks(customers.map((c) => c.customerId!));
    const byExternal = new Map<string, (typeof customers)[number]>();
    for (const c of customers) for (const e of links.get(String(c.customerId))?.externalUserIds ?? []) byExternal.set(e, c);
    const first = h.successors[0]!.userId;
    let external: string[];
    let groups: string[];
    try {
      [external, groups] = await Promise.all([this.deps.platform.externalContactsOf(fromWecom, h.kind), this.deps.platform.groupChatsOf(fromWecom)]);
    } catch (err) {
      // WeCom refuses to list them (the app may not call 客户联系, 48002; the member has none enabled): the CRM side
      // is done, the WeCom side is left out and said so, instead of retrying forever
      const errcode = (err as { errcode?: unknown }).errcode;
      if (typeof errcode !== 'number' || (err as { retryable?: boolean }).retryable) throw err;
      await this.deps.audit.record(this.meta(h), {
        id: auditId(`handover.wecom-unavailable:${String(h._id)}`),
        action: 'handover.wecom-unavailable',
        entityType: 'handover',
        entityId: h._id,
        note: `企业微信拒绝列出 ${fromWecom} 的客户（错误 ${errcode}）：只交接了 CRM 客户，企业微信客户关系需在管理后台分配`,
      });
      await this.step(h, holder, { collectedAt: this.now(), wecomUnavailable: errcode });
      return;
    }
    const rows = [
      ...external.map((e) => {
        const c = byExternal.get(e);
        return {
          handoverId: h._id,
          type: 'external' as const,
          key: `e:${e}`,
          externalUserId: e,
          customerId: c?.customerId ?? null,
          customerName: c?.customerName ?? null,
          successorId: c?.successorId ?? first,
          wecom: 'pending' as const,
        };
      }),
      ...groups.map((g) => ({ handoverId: h._id, type: 'group' as const, key: `g:${g}`, chatId: g, successorId: first, wecom: 'pending' as const })),
    ];
    // a stop in between leaves some made: the unique key skips them the next time
    for (let i = 0; i < rows.length; i += 500) await this.#items.insertMany(rows.slice(i, i + 500), { ordered: false }).catch(ignoreDuplicates);
    await this.step(h, holder, { collectedAt: this.now() });
  }

  /**
   * Calls recorded whose answer was never stored (the worker stopped, the answer was lost): transfer_result tells
   * which customers WeCom took; those are waiting (or settled), the others were never asked and go out again.
   */
  private async reconcileBatches(h: HandoverDoc, holder: string, meta: RequestMeta): Promise<void> {
    const open = await this.#batches.find({ handoverId: h._id, state: 'recorded' }).sort({ no: 1 }).lean().exec();
    const results = new Map<string, Map<string, TransferState['status']>>();
    for (const b of open) {
      const to = h.successors.find((s) => s.userId.equals(b.successorId))?.wecomId;
      if (!to) continue;
      if (!results.has(to)) {
        const states = await this.deps.platform.transferResults(h.kind, h.from.wecomId!, to);
        results.set(to, new Map(states.map((s) => [s.externalUserId, s.status])));
      }
      const known = results.get(to)!;
      let taken = 0;
      for (const e of b.externalUserIds) {
        const status = known.get(e);
        const set = status ? { wecom: RESULT_STATE[status], errcode: 0 } : { wecom: 'pending' as const, batchNo: null };
        if (status) taken += 1;
        await this.#items.updateOne({ handoverId: h._id, key: `e:${e}`, wecom: 'requested', batchNo: b.no }, { $set: set }).exec();
      }
      await this.#batches.updateOne({ _id: b._id, state: 'recorded' }, { $set: { state: 'reconciled', answeredAt: this.now() } }).exec();
      await this.deps.audit.record(meta, {
        id: auditId(`handover.wecom-reconcile:${String(h._id)}:${b.no}`),
        action: 'handover.wecom-reconcile',
        entityType: 'handover',
        entityId: h._id,
        note: `第 ${b.no} 批的应答未保存：企业微信已受理 ${taken} 个，其余 ${b.externalUserIds.length - taken} 个重新发起`,
      });
      await this.step(h, holder);
    }
  }

  private async sendGroups(h: HandoverDoc, holder: string, meta: RequestMeta, fromWecom: string): Promise<void> {
    const takeover = new Map(h.successors.map((s) => [String(s.userId), s.wecomId]));
    // groups asked for before a stop: moved if the successor owns them now, else asked again (a group has no transfer_result)
    const asked = await this.#items.find({ handoverId: h._id, type: 'group', wecom: 'requested' }).lean().exec();
    if (asked.length) {
      const owned = new Map<string, Set<string>>();
      for (const g of asked) {
        const to = takeover.get(String(g.successorId))!;
        if (!owned.has(to)) owned.set(to, new Set(await this.deps.platform.groupChatsOf(to)));
        await this.#items.updateOne({ _id: g._id, wecom: 'requested' }, { $set: { wecom: owned.get(to)!.has(g.chatId!) ? 'accepted' : 'pending' } }).exec();
      }
    }
    for (;;) {
      const items = await this.#items.find({ handoverId: h._id, type: 'group', wecom: 'pending' }).sort({ _id: 1 }).limit(TRANSFER_BATCH).lean().exec();
      if (!items.length) return;
      const to = takeover.get(String(items[0]!.successorId));
      const mine = items.filter((i) => i.successorId.equals(items[0]!.successorId));
      if (!to) {
        await this.#items.updateMany({ _id: { $in: mine.map((i) => i._id) } }, { $set: { wecom: 'failed', note: '接替人没有企业微信账号' } }).exec();
        continue;
      }
      await this.#items.updateMany({ _id: { $in: mine.map((i) => i._id) }, wecom: 'pending' }, { $set: { wecom: 'requested' } }).exec();
      let failed: Array<{ chatId: string; errcode: number }>;
      try {
        failed = await this.deps.platform.transferGroupChats(
          h.kind,
          mine.map((i) => i.chatId!),
          to,
        );
      } catch (err) {
        const errcode = (err as { errcode?: unknown }).errcode;
        if (typeof errcode !== 'number' || (err as { retryable?: boolean }).retryable) throw err;
        failed = mine.map((i) => ({ chatId: i.chatId!, errcode }));
      }
      const bad = new Map(failed.map((f) => [f.chatId, f.errcode]));
      for (const i of mine) {
        const code = bad.get(i.chatId!);
        await this.#items
          .updateOne(
            { _id: i._id, wecom: 'requested' },
            { $set: code === undefined ? { wecom: 'accepted' } : { wecom: 'failed', errcode: code, note: wecomReason(code) } },
          )
          .exec();
      }
      await this.deps.audit.record(meta, {
        action: 'handover.group-transfer',
        entityType: 'handover',
        entityId: h._id,
        note: `客户群 ${mine.length} 个 → ${to}（${fromWecom} 的群），失败 ${failed.length} 个`,
      });
      await this.step(h, holder);
    }
  }

  /** transfer_result for each successor with transfers still waiting; answers how many still wait. */
  private async poll(h: HandoverDoc, holder: string, meta: RequestMeta): Promise<number> {
    if (!this.deps.platform.enabled() || !h.from.wecomId) return 0;
    for (const s of h.successors) {
      if (!s.wecomId) continue;
      if (!(await this.#items.exists({ handoverId: h._id, type: 'external', successorId: s.userId, wecom: 'waiting' }))) continue;
      const states = await this.deps.platform.transferResults(h.kind, h.from.wecomId, s.wecomId);
      const settled = states.filter((st) => st.status !== 2);
      for (const [status, keys] of groupBy(
        settled,
        (st) => st.status,
        (st) => `e:${st.externalUserId}`,
      )) {
        const to = RESULT_STATE[status];
        await this.#items
          .updateMany(
            { handoverId: h._id, key: { $in: keys }, successorId: s.userId, wecom: 'waiting' },
            { $set: { wecom: to, ...(to === 'accepted' ? {} : { note: status === 3 ? '客户拒绝' : '接替人的客户数已达上限' }) } },
          )
          .exec();
      }
      await this.step(h, holder);
    }
    const waiting = await this.#items.countDocuments({ handoverId: h._id, type: 'external', wecom: 'waiting' }).exec();
    if (waiting > 0 && h.pollDeadline && this.now() >= h.pollDeadline) {
      await this.#items
        .updateMany({ handoverId: h._id, type: 'external', wecom: 'waiting' }, { $set: { wecom: 'timeout', note: '超过 24 小时仍未完成接替' } })
        .exec();
      await this.deps.audit.record(meta, { action: 'handover.wecom-timeout', entityType: 'handover', entityId: h._id, note: `${waiting} 个转接超时` });
      return 0;
    }
    return waiting;
  }

  /** Customers whose WeCom relationship did not follow (none of their contacts accepted): the starter's choice. */
  private async reconcile(h: HandoverDoc, holder: string, actor: Actor, meta: RequestMeta): Promise<void> {
    const bad = await this.#items
      .find({ handoverId: h._id, type: 'external', wecom: { $in: ['refused', 'failed', 'timeout'] }, customerId: { $ne: null } }, { customerId: 1, note: 1 })
      .lean()
      .exec();
    const customerIds = [...new Set(bad.map((b) => String(b.customerId)))].map(oid);
    const good = new Set(
      (
        await this.#items
          .find({ handoverId: h._id, type: 'external', wecom: 'accepted', customerId: { $in: customerIds } }, { customerId: 1 })
          .lean()
          .exec()
      ).map((g) => String(g.customerId)),
    );
    const reasons = new Map(bad.map((b) => [String(b.customerId), b.note ?? '转接失败']));
    const pending = customerIds.filter((c) => !good.has(String(c)));
    await this.#items
      .updateMany({ handoverId: h._id, type: 'customer', crm: 'moved', customerId: { $in: pending }, reconciled: 'none' }, { $set: { reconciled: 'pending' } })
      .exec();
    const names = new Map(h.successors.map((s) => [String(s.userId), s.name]));
    for (;;) {
      const batch = await this.#items.find({ handoverId: h._id, type: 'customer', reconciled: 'pending' }).limit(PAGE).lean().exec();
      if (!batch.length) return;
      await inParallel(batch, async (item) => {
        const reason = reasons.get(String(item.customerId)) ?? '转接失败';
        const successor = names.get(String(item.successorId)) ?? '';
        let outcome: 'successor' | 'pool' | 'skipped' = 'successor';
        let note = `企业微信转接未完成（${reason}），CRM 客户仍由 ${successor} 负责`;
        if (h.onRefused === 'pool') {
          const state = await this.deps.customers.ownership(item.customerId!);
          if (state?.status === 'owned' && state.ownerId?.equals(item.successorId)) {
            await this.deps.customers.release(actor, meta, String(item.customerId), `交接：企业微信转接未完成（${reason}），退回公海`).catch((err: unknown) => {
              if (!(err instanceof AppError) || err.status >= 500) throw err;
            });
          }
          const after = await this.deps.customers.ownership(item.customerId!);
          outcome = after?.status === 'pool' ? 'pool' : 'skipped';
          note = outcome === 'pool' ? `企业微信转接未完成（${reason}），已退回公海` : `企业微信转接未完成（${reason}），客户已被他人处理`;
        } else {
          await this.deps.audit.record(meta, {
            id: auditId(`handover.note:${String(h._id)}:${String(item.customerId)}`),
            action: 'customer.handover-note',
            entityType: 'customer',
            entityId: item.customerId!,
            note,
          });
        }
        await this.#items.updateOne({ _id: item._id, reconciled: 'pending' }, { $set: { reconciled: outcome, note } }).exec();
      });
      await this.step(h, holder);
    }
  }

  /** Progress / report to chat, once each (a flag set first; a send that fails is logged by the bot, not retried). */
  private async notify(h: HandoverDoc, what: 'progress' | 'finished'): Promise<void> {
    const flag = `notified.${what}`;
    const won = await this.#handovers.updateOne({ _id: h._id, [flag]: false }, { $set: { [flag]: true } }).exec();
    if (won.modifiedCount !== 1) return;
    const notice = await this.notice(h);
    await (what === 'progress' ? this.deps.events.progress(notice) : this.deps.events.finished(notice)).catch(() => undefined);
  }

  async notice(h: Handover & { _id: Types.ObjectId }): Promise<HandoverNotice> {
    const [p, r] = await Promise.all([this.progress(h), this.report(h)]);
    return {
      id: String(h._id),
      kind: h.kind,
      fromName: h.from.name,
      startedById: String(h.startedBy.userId),
      successors: r.perSuccessor,
      customers: p.customers,
      wecom: p.wecom,
      groupChats: p.groupChats,
      reconciled: p.reconciled,
      onRefused: h.onRefused,
    };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private async people(actor: Actor, input: HandoverRequest): Promise<{ from: UserDoc; successors: UserDoc[] }> {
    const from = await this.deps.org.getUser(actor, input.fromUserId);
    if (from._id.equals(actor.user._id)) throw invalid('fromUserId', '不能交接自己的客户');
    const unique = [...new Set(input.successors)];
    if (unique.includes(input.fromUserId)) throw invalid('successors', '接替人不能是被交接人本人');
    const successors: UserDoc[] = [];
    for (const id of unique) successors.push(await this.active(id, 'successors'));
    if (!successors.length) throw invalid('successors', '至少选择一名接替人');
    return { from, successors };
  }

  private async active(id: string, field: string): Promise<UserDoc> {
    const u = await this.deps.org.findActiveUserById(id);
    if (!u || u.roles.every((r) => r === 'partner')) throw invalid(field, '接替人不存在、已停用或不是内部员工');
    return u;
  }

  private async actorOf(user: UserDoc): Promise<Actor> {
    return { user, viewer: await this.deps.org.resolveViewer(user) };
  }

  /** The rep's own customers the starter may see, in id order. */
  private async customersOf(actor: Actor, fromId: Types.ObjectId) {
    const out: Array<{ _id: Types.ObjectId; name: string; company?: string; tier: string; industry?: string; region?: { province?: string } }> = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.customers.list(actor, { owner: String(fromId), status: 'owned', limit: PAGE, cursor });
      out.push(...(page.items as unknown as typeof out));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** The split, with what each successor already serves (their first 500 customers) for `by-customer`. */
  private async propose(actor: Actor, customers: Awaited<ReturnType<HandoverService['customersOf']>>, successors: UserDoc[], split: Split) {
    const known: SplitSuccessor[] = [];
    for (const s of successors) {
      const provinces = new Map<string, number>();
      const industries = new Map<string, number>();
      if (split === 'by-customer') {
        let cursor: string | undefined;
        for (let i = 0; i < 5; i += 1) {
          const page = await this.deps.customers.list(actor, { owner: String(s._id), status: 'owned', limit: PAGE, cursor });
          for (const c of page.items) {
            if (c.region?.province) provinces.set(c.region.province, (provinces.get(c.region.province) ?? 0) + 1);
            if (c.industry) industries.set(c.industry, (industries.get(c.industry) ?? 0) + 1);
          }
          cursor = page.nextCursor ?? undefined;
          if (!cursor) break;
        }
      }
      known.push({ id: String(s._id), provinces, industries });
    }
    return proposeSplit(
      customers.map((c) => ({ id: String(c._id), province: c.region?.province ?? null, industry: c.industry ?? null })),
      known,
      split,
    );
  }
}

function invalid(field: string, message: string): AppError {
  return new AppError(400, CommonErrorCode.VALIDATION_FAILED, message, { details: [{ path: `body.${field}`, message }] });
}

function groupBy<T, K, V>(items: readonly T[], key: (t: T) => K, value: (t: T) => V): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(value(t));
    else out.set(k, [value(t)]);
  }
  return out;
}

/** Customers are independent of each other: a page of them is moved a few at a time (each step is conditional). */
const PARALLEL = 8;
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
}

/** A fixed audit id for a step a resumed run may record again (written once). */
const auditId = (key: string) => new Types.ObjectId(createHash('sha1').update(key).digest('hex').slice(0, 24));

function ignoreDuplicates(err: unknown): void {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }> };
  const dup = e?.writeErrors?.length ? e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000) : e?.code === 11000;
  if (!dup) throw err;
}

/** WeCom's per-customer answers, in Chinese for the report. */
export function wecomReason(errcode: number): string {
  const reasons: Record<number, string> = {
    40096: '不是该成员的客户',
    40097: '该成员尚未离职',
    40128: '客户 90 天内已被转接 2 次（达到上限）',
    40129: '客户正在转接中',
    40050: '客户群不存在',
    41035: '缺少客户',
  };
  return reasons[errcode] ?? `企业微信错误 ${errcode}`;
}
