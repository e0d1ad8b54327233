import { Types, type Connection, type Model } from 'mongoose';
import type { AssignmentRule, PoolRulesConfig } from '@crm/config';
import type { Actor, RequestMeta } from '../../context';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import { assertCan } from '../customer/customer-scope';
import type { CustomerService } from '../customer/customer.service';
import type { OrgService } from '../org/org.service';
import { poolByKey } from '../pool/pool.rules';
import { assignmentCursorModel, assignmentModel, type Assignment, type AssignmentCursor } from './assignment.model';
import { leastLoaded, matchRule, roundRobinPick } from './assignment.rules';

/** What assignment tells people (the bot implements it: the new-lead card with 接受 / 退回公海). */
export interface AssignmentEvents {
  assigned(a: {
    assignmentId: Types.ObjectId;
    ownerId: Types.ObjectId;
    customerId: Types.ObjectId;
    customerName: string;
    reason: string;
    acceptBy: Date;
  }): Promise<void>;
}

export interface AssignmentDeps {
  customers: CustomerService;
  org: OrgService;
  audit: AuditService;
  rules: PoolRulesConfig;
  now: () => Date;
  events?: AssignmentEvents;
}

interface Member {
  id: string;
  _id: Types.ObjectId;
  name: string;
}

const SYSTEM_META: RequestMeta = { requestId: 'assignment', channel: 'system', actorId: null };
const HOUR = 3_600_000;
const MEMBERS_TTL_MS = 30_000;

/**
 * Lead auto-assignment: new customers without an owner (import, API, web form) go by the rules in
 * config/src/pool-rules.ts to a rep (round robin within a group, or by load) or to a pool; the customer module
 * moves them (conditional on the holder read) and audits the move with the reason. The new owner accepts or
 * returns the lead; one not accepted within `acceptWithinHours` goes to the group's pool (`sweep`, a job).
 */
export class AssignmentService {
  readonly #assignments: Model<Assignment>;
  readonly #cursors: Model<AssignmentCursor>;
  /** Group members, read again after MEMBERS_TTL_MS (an import assigns thousands of leads in a row; org changes are rare). */
  private readonly memberCache = new Map<string, { members: Member[]; until: number }>();

  constructor(
    conn: Connection,
    private readonly deps: AssignmentDeps,
  ) {
    this.#assignments = assignmentModel(conn);
    this.#cursors = assignmentCursorModel(conn);
  }

  private get config() {
    return this.deps.rules.assignment;
  }

  /** The active members of a group, in a stable order (by id): listed users and the reps of listed departments. */
  async members(group: string): Promise<Member[]> {
    const cached = this.memberCache.get(group);
    if (cached && cached.until > Date.now()) return cached.members;
    const members = await this.readMembers(group);
    this.memberCache.set(group, { members, until: Date.now() + MEMBERS_TTL_MS });
    return members;
  }

  private async readMembers(group: string): Promise<Member[]> {
    const spec = this.config.groups[group];
    if (!spec) return [];
    const out = new Map<string, Member>();
    if (spec.users?.length) {
      for (const u of await this.deps.org.usersByIdOrLogin([], spec.users))
        if (u.status === 'active') out.set(String(u._id), { id: String(u._id), _id: u._id, name: u.name });
    }
    for (const name of spec.departments ?? []) {
      for (const d of await this.deps.org.activeDepartmentsNamed(name)) {
        for (const u of await this.deps.org.activeWithRole(d._id, 'rep')) out.set(String(u._id), { id: String(u._id), _id: u._id, name: u.name });
      }
    }
    return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Assigns a new customer by the rules (the import, the API and the web form call this for customers created
   * without an owner; a manager may re-run it). Answers the assignment, or null when the customer moved meanwhile.
   */
  async assignNew(customerId: Types.ObjectId | string, meta: RequestMeta = SYSTEM_META): Promise<Assignment | null> {
    const id = typeof customerId === 'string' ? new Types.ObjectId(customerId) : customerId;
    const [lead] = await this.deps.customers.reclaimFacts([id]);
    if (!lead) throw notFound('客户');
    const rule = matchRule(this.config.rules, lead);
    const target = await this.target(rule);
    const now = this.deps.now();
    const acceptBy = target.owner ? new Date(now.getTime() + this.config.acceptWithinHours * HOUR) : null;
    const to = target.owner ? { ownerId: target.owner._id, departmentId: target.departmentId } : { poolId: target.poolId };
    const moved = await this.deps.customers.assign(meta, id, lead.ownerId ?? null, to, target.reason);
    if (!moved) return null;
    // an earlier open assignment of this customer is over
    await this.#assignments.updateMany({ customerId: id, state: 'pending' }, { $set: { state: 'superseded', decidedAt: now } }).exec();
    const doc = await this.#assignments.create({
      customerId: id,
      ruleId: rule.id,
      ownerId: target.owner?._id ?? null,
      poolId: target.owner ? null : target.poolId,
      returnPoolId: target.returnPoolId,
      reason: target.reason,
      state: target.owner ? 'pending' : 'pool',
      assignedAt: now,
      acceptBy,
      decidedAt: target.owner ? null : now,
    });
    if (target.owner && this.deps.events) {
      await this.deps.events
        .assigned({ assignmentId: doc._id, ownerId: target.owner._id, customerId: id, customerName: moved.name, reason: target.reason, acceptBy: acceptBy! })
        .catch(() => undefined);
    }
    return doc.toObject();
  }

  /** Where a rule sends a lead now, and the reason in words. */
  private async target(
    rule: AssignmentRule,
  ): Promise<{ owner: Member | null; departmentId: Types.ObjectId | null; poolId: string; returnPoolId: string; reason: string }> {
    const pools = this.deps.rules;
    if (rule.to.type === 'pool') {
      const pool = poolByKey(pools, rule.to.pool);
      return { owner: null, departmentId: null, poolId: pool.key, returnPoolId: pool.key, reason: `${rule.label} → ${pool.name}` };
    }
    const group = this.config.groups[rule.to.group]!;
    const poolOfGroup = poolByKey(pools, group.pool);
    const members = await this.members(rule.to.group);
    const load = members.length ? await this.deps.customers.countOwned(members.map((m) => m._id)) : new Map<string, number>();
    let owner: Member | undefined;
    if (rule.to.type === 'load') owner = leastLoaded(members, load, pools.maxOwned);
    else {
      // one atomic increment per lead: concurrent leads take successive turns; a member at the maximum is skipped
      for (let tries = 0; tries < members.length && !owner; tries++) {
        const pick = roundRobinPick(members, await this.nextTurn(rule.to.group));
        if ((load.get(pick.id) ?? 0) < pools.maxOwned) owner = pick;
      }
    }
    if (!owner) {
      return {
        owner: null,
        departmentId: null,
        poolId: poolOfGroup.key,
        returnPoolId: poolOfGroup.key,
        reason: `${rule.label} → 无可分配成员，进入${poolOfGroup.name}`,
      };
    }
    const user = await this.deps.org.findActiveUserById(owner._id);
    return {
      owner,
      departmentId: user?.departmentIds[0] ?? null,
      poolId: poolOfGroup.key,
      returnPoolId: poolOfGroup.key,
      reason: `${rule.label} → ${owner.name}`,
    };
  }

  /**
   * The group's next turn (1, 2, 3, …), each handed out once: a compare-and-set on the value read, retried on a
   * lost race (not findOneAndUpdate's returned document: the stand-in database answers concurrent ones with the
   * same value).
   */
  private async nextTurn(group: string): Promise<number> {
    for (;;) {
      const c = await this.#cursors.findById(group).lean().exec();
      if (!c) {
        await this.#cursors.create({ _id: group, n: 0 }).catch((err: unknown) => {
          if ((err as { code?: number }).code !== 11000) throw err;
        });
        continue;
      }
      const won = await this.#cursors.updateOne({ _id: group, n: c.n }, { $set: { n: c.n + 1 } }).exec();
      if (won.modifiedCount === 1) return c.n + 1;
    }
  }

  /** The caller's assignments waiting for 接受 / 退回公海, newest first. */
  pendingFor(actor: Actor): Promise<Assignment[]> {
    return this.#assignments.find({ ownerId: actor.user._id, state: 'pending' }).sort({ _id: -1 }).limit(100).lean().exec();
  }

  /** The customer's assignments (why it went where), newest first. */
  forCustomer(customerId: Types.ObjectId): Promise<Assignment[]> {
    return this.#assignments.find({ customerId }).sort({ _id: -1 }).limit(20).lean().exec();
  }

  /** 接受: the new owner keeps the lead. Conditional on pending and theirs; a repeat answers the same. */
  async accept(actor: Actor, meta: RequestMeta, id: string): Promise<Assignment> {
    const a = await this.own(actor, id);
    if (a.state === 'accepted') return a;
    const after = await this.#assignments
      .findOneAndUpdate({ _id: a._id, state: 'pending' }, { $set: { state: 'accepted', decidedAt: this.deps.now() } }, { returnDocument: 'after' })
      .lean()
      .exec();
    if (!after) throw new AppError(409, CommonErrorCode.CONFLICT, '该分配已处理（可能已超时退回公海）');
    await this.deps.audit.record(meta, { action: 'customer.assign-accept', entityType: 'customer', entityId: a.customerId, note: `接受分配：${a.reason}` });
    return after;
  }

  /** 退回公海: the new owner gives the lead back to the group's pool. */
  async giveBack(actor: Actor, meta: RequestMeta, id: string): Promise<Assignment> {
    assertCan(actor, 'record.write');
    const a = await this.own(actor, id);
    const after = await this.#assignments
      .findOneAndUpdate({ _id: a._id, state: 'pending' }, { $set: { state: 'returned', decidedAt: this.deps.now() } }, { returnDocument: 'after' })
      .lean()
      .exec();
    if (!after) throw new AppError(409, CommonErrorCode.CONFLICT, '该分配已处理');
    const pool = poolByKey(this.deps.rules, a.returnPoolId);
    await this.deps.customers.assign(meta, a.customerId, actor.user._id, { poolId: pool.key }, `不接受分配，退回${pool.name}`);
    return after;
  }

  private async own(actor: Actor, id: string): Promise<Assignment> {
    const a = Types.ObjectId.isValid(id) ? await this.#assignments.findById(id).lean().exec() : null;
    if (!a || !a.ownerId?.equals(actor.user._id)) throw notFound('分配');
    return a;
  }

  /** Leads not accepted in time go to their group's pool (the assignment-return job). Each claimed conditionally: any number of workers. */
  async sweep(now: Date = this.deps.now()): Promise<{ returned: number }> {
    let returned = 0;
    const due = await this.#assignments
      .find({ state: 'pending', acceptBy: { $lte: now } })
      .sort({ acceptBy: 1 })
      .limit(500)
      .lean()
      .exec();
    for (const a of due) {
      const won = await this.#assignments.updateOne({ _id: a._id, state: 'pending' }, { $set: { state: 'timed-out', decidedAt: now } }).exec();
      if (won.modifiedCount !== 1) continue;
      const pool = poolByKey(this.deps.rules, a.returnPoolId);
      const moved = await this.deps.customers.assign(
        SYSTEM_META,
        a.customerId,
        a.ownerId,
        { poolId: pool.key },
        `${this.config.acceptWithinHours} 小时未接受分配，退回${pool.name}`,
      );
      if (moved) returned++;
    }
    return { returned };
  }
}
