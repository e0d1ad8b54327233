import { Types, type Connection, type Model } from 'mongoose';
import type { PoolRulesConfig, PoolSpec } from '@crm/config';
import { wallClock } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import type { Page } from '../../db/paginate';
import { AppError, forbidden, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import { assertCan } from '../customer/customer-scope';
import type { Customer, CustomerDoc } from '../customer/customer.model';
import type { CustomerService, OwnershipChange } from '../customer/customer.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import { PoolErrorCode } from './pool.errors';
import { poolClaimDayModel, poolClockModel, poolStateModel, type PoolClaimDay, type PoolClock, type PoolState } from './pool.model';
import { DAY_MS, daysUntil, poolByKey, RECHECK_MS, reclaimDue, warningText, type ReclaimDue } from './pool.rules';

/** What the pool tells people (the bot implements it: the warning card with 写跟进 / 申请延期, the notice of a return). */
export interface PoolEvents {
  reclaimWarning(w: { ownerId: Types.ObjectId; customerId: Types.ObjectId; customerName: string; at: Date; inDays: number; reason: string }): Promise<void>;
  reclaimed?(r: { previousOwnerId: Types.ObjectId; customerId: Types.ObjectId; customerName: string; poolName: string; reason: string }): Promise<void>;
}

export interface PoolDeps {
  customers: CustomerService;
  org: OrgService;
  audit: AuditService;
  opportunities: OpportunityService;
  rules: PoolRulesConfig;
  businessTz: string;
  now: () => Date;
  events?: PoolEvents;
}

export interface ReclaimWarning {
  inDays: number;
  at: Date;
  reason: string;
  text: string;
}

export interface PoolRunResult {
  backfilled: number;
  warned: number;
  reclaimed: number;
  /** Due clocks found not due after all (a follow-up, a new deal, a lock): moved to their real date. */
  rescheduled: number;
  failed: number;
}

const SYSTEM_META: RequestMeta = { requestId: 'pool-reclaim', channel: 'system', actorId: null };
const BATCH = 500;
const OWNER_POOL_TTL_MS = 60_000;

/**
 * Pools (公海): membership, browsing, claims with their limits, locks, and the reclaim engine. The customer
 * module owns the customers and their ownership (every move is its conditional update); this module owns the
 * reclaim clocks (`pool_clocks`), kept by the customer module's ownership port and the follow-up port, and the
 * claim counters. The reclaim job (`run`) finds due clocks through the `reclaimAt` index, checks each against
 * the customer (owner, tier, last follow-up, newest deal, lock) and returns it with one conditional update.
 */
export class PoolService {
  readonly #clocks: Model<PoolClock>;
  readonly #claimDays: Model<PoolClaimDay>;
  readonly #state: Model<PoolState>;
  private readonly ownerPools = new Map<string, { poolId: string; until: number }>();
  /** Each user's pools, read again after a minute (checked on every customer list and pool read). */
  private readonly memberPools = new Map<string, { pools: PoolSpec[]; until: number }>();

  constructor(
    conn: Connection,
    private readonly deps: PoolDeps,
  ) {
    this.#clocks = poolClockModel(conn);
    this.#claimDays = poolClaimDayModel(conn);
    this.#state = poolStateModel(conn);
    deps.customers.onOwnershipChanged((change) => this.ownershipChanged(change));
    deps.customers.guardClaims((actor, customer) => this.guardClaim(actor, customer));
    deps.customers.scopePoolsBy((actor) => this.visiblePools(actor));
  }

  get rules(): PoolRulesConfig {
    return this.deps.rules;
  }

  private now(): Date {
    return this.deps.now();
  }

  // ---- membership ------------------------------------------------------------------------------

  private async isMember(pool: PoolSpec, user: { _id: Types.ObjectId; departmentIds: Types.ObjectId[]; identities?: { wecom?: string } }): Promise<boolean> {
    const login = user.identities?.wecom;
    if (login && (pool.members.users?.includes(login) || pool.admins.includes(login))) return true;
    if (!pool.members.departments?.length) return false;
    const names = await this.deps.org.departmentNamesUp(user.departmentIds);
    return names.some((n) => pool.members.departments!.includes(n));
  }

  /** The pools the actor may browse and claim from (admins: all). */
  async poolsOf(actor: Actor): Promise<PoolSpec[]> {
    if (actor.user.roles.includes('admin')) return this.rules.pools;
    if (actor.user.roles.every((r) => r === 'partner')) return [];
    const key = `${String(actor.user._id)}:${actor.user.departmentIds.map(String).join(',')}`;
    const cached = this.memberPools.get(key);
    if (cached && cached.until > Date.now()) return cached.pools;
    const out: PoolSpec[] = [];
    for (const p of this.rules.pools) if (await this.isMember(p, actor.user)) out.push(p);
    this.memberPools.set(key, { pools: out, until: Date.now() + OWNER_POOL_TTL_MS });
    return out;
  }

  /** The pools whose customers the actor sees (null: all, for admins); `null` inside stands for customers not placed yet (the default pool's). */
  async visiblePools(actor: Actor): Promise<Array<string | null> | null> {
    if (actor.user.roles.includes('admin')) return null;
    const keys: Array<string | null> = (await this.poolsOf(actor)).map((p) => p.key);
    if (keys.includes(this.rules.defaultPool)) keys.push(null);
    return keys;
  }

  /** The pool whose rules apply to an owner's customers and where they return: the first the owner is a member of, else the default. */
  async poolIdForOwner(ownerId: Types.ObjectId): Promise<string> {
    const cached = this.ownerPools.get(String(ownerId));
    if (cached && cached.until > Date.now()) return cached.poolId;
    const user = await this.deps.org.findUserById(ownerId);
    let poolId = this.rules.defaultPool;
    if (user) {
      for (const p of this.rules.pools) {
        if (await this.isMember(p, user)) {
          poolId = p.key;
          break;
        }
      }
    }
    this.ownerPools.set(String(ownerId), { poolId, until: Date.now() + OWNER_POOL_TTL_MS });
    return poolId;
  }

  // ---- browsing and claiming -----------------------------------------------------------------------

  /** The actor's pools with their names, and whether the actor administers them. */
  async listPools(actor: Actor): Promise<Array<{ key: string; name: string; admin: boolean }>> {
    const login = actor.user.identities?.wecom;
    return (await this.poolsOf(actor)).map((p) => ({
      key: p.key,
      name: p.name,
      admin: actor.user.roles.includes('admin') || (!!login && p.admins.includes(login)),
    }));
  }

  /**
   * Customers of one pool (members only: anyone else gets 404), newest first, optionally by province or
   * industry. Contact numbers are shown only when the configuration allows it before a claim.
   */
  async browse(
    actor: Actor,
    poolId: string,
    q: { cursor?: string; limit: number; region?: string; industry?: string },
  ): Promise<Page<Customer & { _id: Types.ObjectId; contact: string | null; contactHidden: boolean; returnReason: string | null }>> {
    assertCan(actor, 'record.read');
    const pool = (await this.poolsOf(actor)).find((p) => p.key === poolId);
    if (!pool) throw notFound('公海');
    const page = await this.deps.customers.inPools([pool.key], { ...q, includeUnplaced: pool.key === this.rules.defaultPool });
    return { ...page, items: await this.decorate(page.items as Array<Customer & { _id: Types.ObjectId }>) };
  }

  private async decorate(items: Array<Customer & { _id: Types.ObjectId }>) {
    const hide = this.rules.hideContactsUntilClaimed;
    const ids = items.map((c) => c._id);
    const [numbers, clocks] = await Promise.all([
      hide ? Promise.resolve(new Map<string, string>()) : this.deps.customers.firstNumbers(ids),
      this.#clocks
        .find({ _id: { $in: ids } }, { returnReason: 1 })
        .lean()
        .exec(),
    ]);
    const reasons = new Map(clocks.map((c) => [String(c._id), c.returnReason]));
    return items.map((c) => ({
      ...c,
      contact: numbers.get(String(c._id)) ?? null,
      contactHidden: hide,
      returnReason: reasons.get(String(c._id)) ?? null,
    }));
  }

  /**
   * Claimable customers "near" the rep: in the rep's pools, in the provinces and industries of the rep's own
   * customers (most frequent first), then the newest; at most `limit`.
   */
  async near(actor: Actor, limit = 10) {
    const pools = await this.poolsOf(actor);
    if (!pools.length) return [];
    const keys = pools.map((p) => p.key);
    const includeUnplaced = keys.includes(this.rules.defaultPool);
    const own = await this.deps.customers.list(actor, { owner: 'me', limit: 200 } as Parameters<CustomerService['list']>[1]);
    const top = (values: Array<string | undefined>) => {
      const counts = new Map<string, number>();
      for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([v]) => v);
    };
    const provinces = top(own.items.map((c) => c.region?.province)).slice(0, 2);
    const industries = top(own.items.map((c) => c.industry)).slice(0, 2);
    const found = new Map<string, Customer & { _id: Types.ObjectId }>();
    const take = async (q: { region?: string; industry?: string }) => {
      if (found.size >= limit) return;
      const page = await this.deps.customers.inPools(keys, { ...q, limit, includeUnplaced });
      for (const c of page.items as Array<Customer & { _id: Types.ObjectId }>) if (found.size < limit) found.set(String(c._id), c);
    };
    for (const region of provinces) await take({ region });
    for (const industry of industries) await take({ industry });
    await take({});
    return this.decorate([...found.values()]);
  }

  /** Claims a pool customer through the customer module (its claim runs this module's guard: membership, limits, cooldown). */
  claim(actor: Actor, meta: RequestMeta, customerId: string): Promise<CustomerDoc> {
    return this.deps.customers.claim(actor, meta, customerId);
  }

  /** Before any claim: a member of the customer's pool, not in the cooldown, below the maximum owned, within today's claims. */
  private async guardClaim(actor: Actor, customer: CustomerDoc): Promise<void> {
    const poolId = customer.poolId ?? this.rules.defaultPool;
    if (!(await this.poolsOf(actor)).some((p) => p.key === poolId)) throw notFound('客户');
    const now = this.now();
    const clock = await this.#clocks.findById(customer._id, { previousOwnerId: 1, returnedAt: 1 }).lean().exec();
    if (clock?.previousOwnerId?.equals(actor.user._id) && clock.returnedAt) {
      const until = new Date(clock.returnedAt.getTime() + this.rules.cooldownDays * DAY_MS);
      if (until > now) {
        throw new AppError(409, PoolErrorCode.POOL_COOLDOWN, `该客户刚从你名下退回公海，还在冷却期：${daysUntil(until, now)} 天后才能再领取`, {
          details: { until: until.toISOString() },
        });
      }
    }
    const owned = (await this.deps.customers.countOwned([actor.user._id])).get(String(actor.user._id)) ?? 0;
    if (owned >= this.rules.maxOwned) {
      throw new AppError(409, PoolErrorCode.POOL_MAX_OWNED, `你名下已有 ${owned} 个客户，达到上限 ${this.rules.maxOwned}，请先释放一些`);
    }
    // one conditional increment per claim: at the limit the upsert collides on _id and the claim is refused
    const w = wallClock(now, this.deps.businessTz);
    const day = `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
    try {
      await this.#claimDays
        .updateOne({ _id: `${String(actor.user._id)}:${day}`, n: { $lt: this.rules.claimsPerDay } }, { $inc: { n: 1 } }, { upsert: true })
        .exec();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      throw new AppError(409, PoolErrorCode.CLAIM_LIMIT, `今天已领取 ${this.rules.claimsPerDay} 个客户，达到每日上限，明天再来`);
    }
  }

  // ---- locks and extensions -------------------------------------------------------------------------

  /** Locks (key accounts: never reclaimed) or unlocks an owned customer: admins, and managers for customers in their scope. */
  async setLock(actor: Actor, meta: RequestMeta, customerId: string, locked: boolean): Promise<{ locked: boolean }> {
    assertCan(actor, 'record.transfer');
    const customer = await this.deps.customers.get(actor, customerId);
    if (customer.status !== 'owned' || !customer.ownerId) throw new AppError(409, 'IN_POOL', '公海客户不能锁定');
    await this.ensureClock(customer._id);
    const res = await this.#clocks.updateOne({ _id: customer._id, locked: !locked }, { $set: { locked, updatedAt: this.now() } }).exec();
    if (res.modifiedCount === 1) {
      await this.deps.audit.record(meta, {
        action: locked ? 'customer.lock' : 'customer.unlock',
        entityType: 'customer',
        entityId: customer._id,
        changes: { locked: { before: !locked, after: locked } },
        note: locked ? '锁定：不会被回收到公海' : '解除锁定',
      });
      await this.reschedule(customer._id);
    }
    return { locked };
  }

  /** An approved extension (申请延期): not reclaimed before `until`; audited. Idempotent. */
  async extend(meta: RequestMeta, customerId: Types.ObjectId, ownerId: Types.ObjectId, until: Date, note?: string): Promise<boolean> {
    const res = await this.#clocks
      .updateOne(
        { _id: customerId, state: 'owned', ownerId, $or: [{ extendedUntil: null }, { extendedUntil: { $lt: until } }] },
        { $set: { extendedUntil: until } },
      )
      .exec();
    if (res.modifiedCount !== 1) return false;
    await this.deps.audit.record(meta, {
      action: 'customer.reclaim-extend',
      entityType: 'customer',
      entityId: customerId,
      changes: { extendedUntil: { before: null, after: until } },
      note,
    });
    await this.reschedule(customerId);
    return true;
  }

  /** An approved 申请延期: `extensionDays` past the later of the due date and now. */
  async extendByRules(meta: RequestMeta, customerId: Types.ObjectId, ownerId: Types.ObjectId, note?: string): Promise<boolean> {
    await this.ensureClock(customerId);
    const clock = await this.#clocks.findById(customerId).lean().exec();
    if (!clock || clock.state !== 'owned') return false;
    const due = await this.trueDue(clock);
    const now = this.now();
    const from = due && due.at > now ? due.at : now;
    return this.extend(meta, customerId, ownerId, new Date(from.getTime() + this.rules.extensionDays * DAY_MS), note);
  }

  /** The owner's customers warned and still due (the morning digest's "即将退回公海"), soonest first. */
  async warningsFor(ownerId: Types.ObjectId): Promise<Array<{ name: string; inDays: number; reason: string }>> {
    const now = this.now();
    const clocks = await this.#clocks
      .find({ ownerId, state: 'owned', warnedFor: { $ne: null }, reclaimAt: { $gt: now } }, { warnedFor: 1, reclaimAt: 1, reason: 1 })
      .sort({ reclaimAt: 1 })
      .limit(20)
      .lean()
      .exec();
    // still the date that was warned about (a follow-up since moved it away)
    const due = clocks.filter((c) => c.warnedFor && c.reclaimAt && c.warnedFor.getTime() === c.reclaimAt.getTime());
    const names = new Map((await this.deps.customers.labels(due.map((c) => c._id))).map((c) => [String(c._id), c.name]));
    return due.map((c) => ({ name: names.get(String(c._id)) ?? '', inDays: daysUntil(c.reclaimAt!, now), reason: c.reason ?? '' }));
  }

  /** The warning shown on the customer (360 view) while it is within its warning period; null otherwise. */
  async reclaimWarning(customerId: Types.ObjectId): Promise<ReclaimWarning | null> {
    const clock = await this.#clocks.findById(customerId).lean().exec();
    if (!clock || clock.state !== 'owned' || !clock.reclaimAt) return null;
    const now = this.now();
    if (clock.warnAt && clock.warnAt > now) return null;
    const due = await this.trueDue(clock);
    if (!due || due.warnAt > now) return null;
    const inDays = daysUntil(due.at, now);
    return { inDays, at: due.at, reason: due.reason, text: warningText(inDays, due.reason) };
  }

  // ---- the clocks -------------------------------------------------------------------------------------

  /** The customer module's ownership port: start, move or stop the clock. */
  private async ownershipChanged(change: OwnershipChange): Promise<void> {
    if (change.status === 'owned' && change.ownerId) {
      const [facts] = await this.deps.customers.reclaimFacts([change.customerId]);
      const poolId = await this.poolIdForOwner(change.ownerId);
      const clock: Partial<PoolClock> = {
        state: 'owned',
        ownerId: change.ownerId,
        poolId,
        tier: change.tier,
        since: change.at,
        lastFollowUpAt: facts?.lastFollowUpAt ?? null,
        lastOpportunityAt: null,
        warnedFor: null,
        extendedUntil: null,
        updatedAt: change.at,
      };
      const due = reclaimDue(poolByKey(this.rules, poolId), { ...(clock as PoolClock), contractEndsAt: null, locked: false });
      await this.#clocks
        .updateOne(
          { _id: change.customerId },
          {
            $set: { ...clock, ...this.schedule(due, change.at) },
            $setOnInsert: { locked: false, contractEndsAt: null, previousOwnerId: null, returnedAt: null, returnReason: null },
          },
          { upsert: true },
        )
        .exec();
      return;
    }
    // into a pool: the clock stops; who had it and when (the cooldown), and why
    const poolId = change.poolId ?? (change.previousOwnerId ? await this.poolIdForOwner(change.previousOwnerId) : this.rules.defaultPool);
    if (!change.poolId) await this.deps.customers.placeInPool(change.customerId, poolId);
    await this.#clocks
      .updateOne(
        { _id: change.customerId },
        {
          $set: {
            state: 'pool',
            ownerId: null,
            poolId,
            tier: change.tier,
            reclaimAt: null,
            warnAt: null,
            warnedFor: null,
            extendedUntil: null,
            previousOwnerId: change.previousOwnerId,
            returnedAt: change.at,
            returnReason: change.action === 'customer.reclaim' ? null : change.action === 'customer.release' ? '主动释放' : '分配到公海',
            updatedAt: change.at,
          },
          $setOnInsert: { since: change.at, lastFollowUpAt: null, lastOpportunityAt: null, contractEndsAt: null, locked: false, reason: null },
        },
        { upsert: true },
      )
      .exec();
  }

  /** The follow-up port: a follow-up resets the follow-up clock (never moves it back). */
  async followUpLogged(customerId: Types.ObjectId, happenedAt: Date): Promise<void> {
    const clock = await this.#clocks
      .findOneAndUpdate({ _id: customerId, state: 'owned' }, { $max: { lastFollowUpAt: happenedAt } }, { returnDocument: 'after' })
      .lean()
      .exec();
    if (clock) await this.reschedule(customerId, clock);
  }

  /** A contract's end date (the "M days after the contract ends" rule), from whoever knows it. */
  async contractEnds(customerId: Types.ObjectId, endsAt: Date): Promise<void> {
    await this.#clocks.updateOne({ _id: customerId }, { $max: { contractEndsAt: endsAt } }).exec();
    await this.reschedule(customerId);
  }

  private schedule(due: ReclaimDue | null, now: Date): Pick<PoolClock, 'reclaimAt' | 'warnAt' | 'reason'> {
    if (!due) return { reclaimAt: new Date(now.getTime() + RECHECK_MS), warnAt: null, reason: null };
    return { reclaimAt: due.at, warnAt: due.warnAt, reason: due.reason };
  }

  /** Recomputes a clock's dates from what it knows (a lower bound of the real due date: the job checks the rest). */
  private async reschedule(customerId: Types.ObjectId, known?: PoolClock): Promise<void> {
    const clock = known ?? (await this.#clocks.findById(customerId).lean().exec());
    if (!clock || clock.state !== 'owned') return;
    const due = await this.trueDue(clock);
    const next = this.schedule(due, this.now());
    const warnAt = due && clock.warnedFor && clock.warnedFor.getTime() === due.at.getTime() ? null : next.warnAt;
    await this.#clocks.updateOne({ _id: customerId, state: 'owned', ownerId: clock.ownerId }, { $set: { ...next, warnAt } }).exec();
  }

  /** The real due date: the clock with the customer's current tier and last follow-up and its newest deal. */
  private async trueDue(
    clock: PoolClock,
    facts?: { tier: PoolClock['tier']; lastFollowUpAt: Date | null },
    lastDeal?: Date | null,
  ): Promise<ReclaimDue | null> {
    const f = facts ?? (await this.deps.customers.reclaimFacts([clock._id]))[0];
    const deal = lastDeal !== undefined ? lastDeal : ((await this.deps.opportunities.latestCreatedFor([clock._id])).get(String(clock._id)) ?? null);
    const later = (a: Date | null | undefined, b: Date | null) => (a && (!b || a > b) ? a : b);
    return reclaimDue(poolByKey(this.rules, clock.poolId), {
      tier: f?.tier ?? clock.tier,
      since: clock.since,
      lastFollowUpAt: later(f?.lastFollowUpAt, clock.lastFollowUpAt),
      lastOpportunityAt: later(deal, clock.lastOpportunityAt),
      contractEndsAt: clock.contractEndsAt,
      locked: clock.locked,
      extendedUntil: clock.extendedUntil,
    });
  }

  /** A clock for an owned customer that has none (created before pools, or a create whose port call failed). */
  private async ensureClock(customerId: Types.ObjectId): Promise<void> {
    if (await this.#clocks.exists({ _id: customerId }).exec()) return;
    const [c] = await this.deps.customers.reclaimFacts([customerId]);
    if (c?.status === 'owned' && c.ownerId) await this.insertClocks([c]);
  }

  private async insertClocks(
    rows: Array<{ _id: Types.ObjectId; ownerId: Types.ObjectId | null; tier: PoolClock['tier']; lastFollowUpAt: Date | null; createdAt?: Date }>,
  ): Promise<number> {
    const now = this.now();
    const docs = [];
    for (const c of rows) {
      if (!c.ownerId) continue;
      const poolId = await this.poolIdForOwner(c.ownerId);
      const base = {
        _id: c._id,
        state: 'owned' as const,
        ownerId: c.ownerId,
        poolId,
        tier: c.tier,
        since: c.createdAt ?? now,
        lastFollowUpAt: c.lastFollowUpAt ?? null,
        lastOpportunityAt: null,
        contractEndsAt: null,
        locked: false,
        extendedUntil: null,
        warnedFor: null,
        previousOwnerId: null,
        returnedAt: null,
        returnReason: null,
        updatedAt: now,
      };
      docs.push({ ...base, ...this.schedule(reclaimDue(poolByKey(this.rules, poolId), base), now) });
    }
    if (!docs.length) return 0;
    try {
      return (await this.#clocks.insertMany(docs, { ordered: false })).length;
    } catch (err) {
      const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }>; insertedDocs?: unknown[] };
      const dupOnly = e.writeErrors?.length ? e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000) : e.code === 11000;
      if (!dupOnly) throw err;
      return e.insertedDocs?.length ?? 0;
    }
  }

  /**
   * Clocks for owned customers that have none, after the checkpoint (`pool_state` `backfill`), in id order;
   * `all` starts from the beginning (the migration). Idempotent: an existing clock is never overwritten.
   */
  async backfillClocks(opts: { all?: boolean; max?: number } = {}): Promise<number> {
    const state = opts.all ? null : await this.#state.findById('backfill').lean().exec();
    let afterId = state?.afterId ?? null;
    let made = 0;
    let seen = 0;
    for (;;) {
      const rows = await this.deps.customers.ownedAfter(afterId, BATCH);
      if (!rows.length) break;
      const have = new Set(
        (
          await this.#clocks
            .find({ _id: { $in: rows.map((r) => r._id) } }, { _id: 1 })
            .lean()
            .exec()
        ).map((c) => String(c._id)),
      );
      made += await this.insertClocks(rows.filter((r) => !have.has(String(r._id))) as Parameters<PoolService['insertClocks']>[0]);
      afterId = rows.at(-1)!._id;
      seen += rows.length;
      await this.#state.updateOne({ _id: 'backfill' }, { $set: { afterId } }, { upsert: true }).exec();
      if (rows.length < BATCH || (opts.max && seen >= opts.max)) break;
    }
    return made;
  }

  // ---- the reclaim job ------------------------------------------------------------------------------

  /**
   * One pass: clocks for new customers, then warnings, then reclaims, each through its index and in batches.
   * Safe to run in several processes at once: a warning is claimed on the clock (`warnedFor`), a reclaim is the
   * customer module's update conditional on the owner read, so each happens once.
   */
  async run(now: Date = this.now(), opts: { maxBatches?: number } = {}): Promise<PoolRunResult> {
    const r: PoolRunResult = { backfilled: await this.backfillClocks(), warned: 0, reclaimed: 0, rescheduled: 0, failed: 0 };
    const maxBatches = opts.maxBatches ?? 10_000;
    // warnings first (a clock due already skips its warning: the reclaim below takes it)
    for (let i = 0; i < maxBatches; i++) {
      const due = await this.#clocks
        .find({ warnAt: { $lte: now } })
        .sort({ warnAt: 1 })
        .limit(BATCH)
        .lean()
        .exec();
      const failedBefore = r.failed;
      await this.eachChecked(due, r, async (clock, d) => {
        if (d.at <= now) {
          await this.#clocks.updateOne({ _id: clock._id, ownerId: clock.ownerId }, { $set: { reclaimAt: d.at, warnAt: null, reason: d.reason } }).exec();
        } else if (d.warnAt > now) await this.moveClock(clock, d, r);
        else await this.warn(clock, d, now, r);
      });
      // a batch that failed somewhere is retried next run (never spin on it now)
      if (due.length < BATCH || r.failed > failedBefore) break;
    }
    for (let i = 0; i < maxBatches; i++) {
      const due = await this.#clocks
        .find({ reclaimAt: { $lte: now } })
        .sort({ reclaimAt: 1 })
        .limit(BATCH)
        .lean()
        .exec();
      const failedBefore = r.failed;
      await this.eachChecked(due, r, async (clock, d) => {
        if (d.at > now) return this.moveClock(clock, d, r);
        const customer = await this.deps.customers.reclaim(SYSTEM_META, clock._id, clock.ownerId!, clock.poolId, `${d.reason}，自动退回公海`);
        if (!customer) {
          // another worker got it, or it moved meanwhile: its change of hands sets the clock; stop this one if still ours
          await this.#clocks
            .updateOne({ _id: clock._id, state: 'owned', ownerId: clock.ownerId, reclaimAt: clock.reclaimAt }, { $set: { reclaimAt: null } })
            .exec();
          return;
        }
        r.reclaimed++;
        await this.#clocks.updateOne({ _id: clock._id }, { $set: { returnReason: d.reason } }).exec();
        await this.deps.events
          ?.reclaimed?.({
            previousOwnerId: clock.ownerId!,
            customerId: clock._id,
            customerName: customer.name,
            poolName: poolByKey(this.rules, clock.poolId).name,
            reason: d.reason,
          })
          .catch(() => undefined);
      });
      if (due.length < BATCH || r.failed > failedBefore) break;
    }
    return r;
  }

  /** Checks a batch of due clocks against their customers (one read each for customers and deals) and runs `step` on those still owned as the clock says. */
  private async eachChecked(clocks: PoolClock[], r: PoolRunResult, step: (clock: PoolClock, due: ReclaimDue) => Promise<void>): Promise<void> {
    const ids = clocks.map((c) => c._id);
    const [facts, deals] = await Promise.all([this.deps.customers.reclaimFacts(ids), this.deps.opportunities.latestCreatedFor(ids)]);
    const byId = new Map(facts.map((f) => [String(f._id), f]));
    for (const clock of clocks) {
      try {
        const f = byId.get(String(clock._id));
        if (!f || f.status !== 'owned' || !f.ownerId || !clock.ownerId?.equals(f.ownerId)) {
          // the clock missed a change of hands (a crash between the move and its port): stop it; the next change or the backfill restarts it
          await this.#clocks.updateOne({ _id: clock._id, ownerId: clock.ownerId }, { $set: { reclaimAt: null, warnAt: null } }).exec();
          continue;
        }
        const d = await this.trueDue(clock, { tier: f.tier, lastFollowUpAt: f.lastFollowUpAt }, deals.get(String(clock._id)) ?? null);
        if (!d) {
          await this.moveClock(clock, null, r);
          continue;
        }
        await step(clock, d);
      } catch {
        r.failed++;
      }
    }
  }

  private async moveClock(clock: PoolClock, due: ReclaimDue | null, r: PoolRunResult): Promise<void> {
    const next = this.schedule(due, this.now());
    const warned = due && clock.warnedFor?.getTime() === due.at.getTime();
    await this.#clocks.updateOne({ _id: clock._id, ownerId: clock.ownerId, state: 'owned' }, { $set: { ...next, warnAt: warned ? null : next.warnAt } }).exec();
    r.rescheduled++;
  }

  private async warn(clock: PoolClock, due: ReclaimDue, now: Date, r: PoolRunResult): Promise<void> {
    // claimed on the clock: one warning per due date, whichever worker gets here first
    const won = await this.#clocks
      .updateOne(
        { _id: clock._id, ownerId: clock.ownerId, state: 'owned', warnedFor: { $ne: due.at } },
        { $set: { warnedFor: due.at, warnAt: null, reclaimAt: due.at, reason: due.reason } },
      )
      .exec();
    if (won.modifiedCount !== 1) return;
    const inDays = daysUntil(due.at, now);
    await this.deps.audit.record(SYSTEM_META, {
      action: 'customer.reclaim-warning',
      entityType: 'customer',
      entityId: clock._id,
      note: warningText(inDays, due.reason),
    });
    r.warned++;
    const [c] = await this.deps.customers.labels([clock._id]);
    await this.deps.events
      ?.reclaimWarning({ ownerId: clock.ownerId!, customerId: clock._id, customerName: c?.name ?? '', at: due.at, inDays, reason: due.reason })
      .catch(() => undefined);
  }

  /** Whether a user administers a pool (pool settings, locks) — admins administer all. */
  isPoolAdmin(actor: Actor, poolId: string): boolean {
    if (actor.user.roles.includes('admin')) return true;
    const login = actor.user.identities?.wecom;
    return !!login && !!this.rules.pools.find((p) => p.key === poolId)?.admins.includes(login);
  }

  /** Refuses a user who administers no pool. */
  assertAnyPoolAdmin(actor: Actor): void {
    if (!this.rules.pools.some((p) => this.isPoolAdmin(actor, p.key))) throw forbidden();
  }

  /** The id of a customer id string (routes). */
  static oid(id: string): Types.ObjectId {
    return new Types.ObjectId(id);
  }
}
