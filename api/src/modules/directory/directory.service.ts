import { randomUUID } from 'node:crypto';
import { Types, type Connection, type Model } from 'mongoose';
import type { Config } from '@crm/config';
import type { RequestMeta } from '../../context';
import { MongoJobLeases } from '../../db/job-lease';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import type { CustomerService } from '../customer/customer.service';
import type { OrgService } from '../org/org.service';
import { directoryModels, type DirectoryLink, type DirectoryRun, type LeaverFlag, type PlanItem, type RunCounts } from './directory.model';
import {
  changedDepartmentFields,
  changedFields,
  departmentsInScope,
  desiredPeople,
  rolesFor,
  type CrmDepartment,
  type CrmUser,
  type DesiredPerson,
  type MappingRules,
} from './directory.plan';
import type { DirectoryDepartment, DirectoryEvents, DirectorySource, PendingHandover } from './directory.port';

export type RunWithId = DirectoryRun & { _id: Types.ObjectId };

export interface DirectoryDeps {
  org: OrgService;
  audit: AuditService;
  settings: Config['directory'];
  /** The platform's directory; null when no source is configured (the routes answer 409). */
  source: DirectorySource | null;
  now: () => Date;
  /** Counts a leaver's customers (still owned by them: the hand-over not done). */
  customers?: Pick<CustomerService, 'ownedCounts'>;
  /** The manager's chat notice when the sync deactivates their report. */
  events?: DirectoryEvents;
}

const LEASE = 'directory-sync';
const LEASE_MS = 2 * 60_000;
const BATCH = 50;
const KEEP = 200;
const emptyCounts = (): RunCounts => ({ departments: { create: 0, update: 0, same: 0 }, people: { create: 0, update: 0, same: 0, leave: 0 } });

/** What the platform says and what the CRM has, compared: the dry run shows it, the sync applies it. */
interface Plan {
  departments: DirectoryDepartment[];
  people: DesiredPerson[];
  /** Linked users who are no longer active in the directory. */
  leaving: Array<{ userid: string; userId: Types.ObjectId; name: string }>;
  deptItems: PlanItem[];
  personItems: PlanItem[];
  counts: RunCounts;
}

/**
 * Directory sync: departments (tree, leaders) and people (name, userid, mobile, email, departments, title,
 * leader, status) from WeCom or DingTalk into the org, through the org service (every change audited as
 * channel `system`). Platform-owned fields are overwritten; roles and data scope are set by the mapping rules
 * only until an admin changes them (the sync remembers what it last wrote, per person, in `directory_links`).
 * A person who leaves (gone or disabled on the platform) is deactivated through `OrgService.deactivateUser`.
 * One sync at a time across processes (the `directory-sync` lease in `job_leases`); a run records its phase and
 * a checkpoint (people applied, in userid order), so a run whose process stopped is taken over and resumed.
 */
export class DirectoryService {
  readonly #runs: Model<DirectoryRun>;
  readonly #links: Model<DirectoryLink>;
  readonly #leases: MongoJobLeases;
  readonly #deps: DirectoryDeps;
  readonly #holder = `directory-${randomUUID().slice(0, 8)}`;
  #inFlight: Promise<unknown> = Promise.resolve();
  #eventRun: Promise<void> | null = null;
  #again = false;

  constructor(conn: Connection, deps: DirectoryDeps) {
    const m = directoryModels(conn);
    this.#runs = m.runs;
    this.#links = m.links;
    this.#leases = new MongoJobLeases(conn);
    this.#deps = deps;
  }

  get configured(): boolean {
    return this.#deps.source !== null;
  }

  private get rules(): MappingRules {
    const s = this.#deps.settings;
    return { departments: s.departments, defaultRole: s.defaultRole, defaultScope: s.defaultScope, leaderScope: s.leaderScope };
  }

  private requireSource(): DirectorySource {
    if (!this.#deps.source) throw new AppError(409, CommonErrorCode.CONFLICT, '未配置通讯录同步（DIRECTORY_SOURCE）');
    return this.#deps.source;
  }

  async run(id: string): Promise<RunWithId> {
    const run = Types.ObjectId.isValid(id) ? await this.#runs.findById(id).lean<RunWithId>().exec() : null;
    if (!run) throw notFound('同步记录');
    return run;
  }

  /** Waits for syncs started in the background by this process (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#inFlight;
  }

  // ---- reading both sides --------------------------------------------------------------------

  private async plan(source: DirectorySource): Promise<Plan> {
    const rules = this.rules;
    const all = await source.departments();
    const departments = departmentsInScope(all, rules.departments);
    const members = [];
    for (const d of departments) members.push(...(await source.members(d.id)));
    const { active } = desiredPeople(departments, members);
    const state = await this.#deps.org.directoryState(source.platform);
    const links = await this.#links.find({ platform: source.platform }).lean().exec();
    const p = source.platform;
    const deptByExt = new Map(state.departments.map((d) => [d.externalIds[p]!, d as CrmDepartment]));
    const extOfDept = new Map(state.departments.map((d) => [String(d._id), d.externalIds[p]!]));
    const userByExt = new Map(state.users.map((u) => [u.identities[p]!, u as CrmUser]));
    const extOfUser = new Map(state.users.map((u) => [String(u._id), u.identities[p]!]));
    const inScope = new Set(departments.map((d) => d.id));
    const counts = emptyCounts();
    const deptItems: PlanItem[] = [];
    for (const d of departments) {
      const have = deptByExt.get(d.id);
      const parent = d.parentId && inScope.has(d.parentId) ? d.parentId : null;
      if (!have) {
        counts.departments.create++;
        deptItems.push({ key: d.id, name: d.name, op: 'create', fields: [] });
        continue;
      }
      const fields = changedDepartmentFields(
        have,
        { ...d, parentId: parent, leaderIds: d.leaderIds.filter((l) => active.some((x) => x.userid === l)) },
        have.parentId ? (extOfDept.get(String(have.parentId)) ?? null) : null,
        have.leaderIds.map((l) => extOfUser.get(String(l)) ?? String(l)),
      );
      if (fields.length) {
        counts.departments.update++;
        deptItems.push({ key: d.id, name: d.name, op: 'update', fields });
      } else counts.departments.same++;
    }
    const personItems: PlanItem[] = [];
    const activeIds = new Set(active.map((x) => x.userid));
    for (const want of active) {
      const have = userByExt.get(want.userid);
      if (!have) {
        counts.people.create++;
        personItems.push({ key: want.userid, name: want.name, op: 'create', fields: [] });
        continue;
      }
      const fields = changedFields(
        have,
        want,
        (id) => extOfDept.get(String(id)),
        (id) => extOfUser.get(String(id)),
      );
      if (fields.length) {
        counts.people.update++;
        personItems.push({ key: want.userid, name: want.name, op: 'update', fields });
      } else counts.people.same++;
    }
    const leaving = links
      .filter((l) => !l.leftAt && !activeIds.has(l.userid))
      .map((l) => ({ link: l, user: state.users.find((u) => u._id.equals(l.userId)) }))
      .filter((x) => x.user && x.user.status === 'active')
      .map((x) => ({ userid: x.link.userid, userId: x.link.userId, name: x.user!.name }));
    for (const l of leaving) {
      counts.people.leave++;
      personItems.push({ key: l.userid, name: l.name, op: 'leave', fields: ['status'] });
    }
    return { departments, people: active, leaving, deptItems, personItems, counts };
  }

  /** What a sync would change now (new / changed / leaving), without changing anything; recorded as a run. */
  async dryRun(meta: RequestMeta): Promise<RunWithId> {
    const source = this.requireSource();
    const plan = await this.plan(source);
    const now = this.#deps.now();
    const run = await this.#runs.create({
      kind: 'dry-run',
      trigger: 'manual',
      platform: source.platform,
      status: 'done',
      phase: 'done',
      checkpoint: 0,
      counts: plan.counts,
      departments: plan.deptItems,
      people: plan.personItems,
      leavers: [],
      startedById: meta.actorId,
      startedAt: now,
      finishedAt: now,
      error: null,
    });
    return run.toObject() as RunWithId;
  }

  // ---- the sync ---------------------------------------------------------------------------------

  /**
   * Starts a sync (or takes over one whose process stopped) and answers its run at once; the work goes on in
   * the background (`settled()` waits for it). 409 when another process is syncing now.
   */
  async start(meta: RequestMeta, trigger: DirectoryRun['trigger']): Promise<RunWithId> {
    const source = this.requireSource();
    if (!(await this.#leases.acquire(LEASE, this.#holder, LEASE_MS, this.#deps.now())))
      throw new AppError(409, CommonErrorCode.CONFLICT, '通讯录同步正在进行中，请稍后再试');
    let run: RunWithId;
    try {
      run = await this.openRun(meta, source, trigger);
    } catch (err) {
      await this.#leases.release(LEASE, this.#holder);
      throw err;
    }
    const work = this.execute(meta, source, run).finally(() => this.#leases.release(LEASE, this.#holder));
    this.#inFlight = Promise.allSettled([this.#inFlight, work]);
    return run;
  }

  /**
   * One sync to the end (the scheduled job, events): null when another process holds the lease. `onBatch`
   * observes progress after each checkpoint (people applied so far).
   */
  async syncOnce(meta: RequestMeta, trigger: DirectoryRun['trigger'], opts: { onBatch?: (done: number) => void } = {}): Promise<RunWithId | null> {
    const source = this.#deps.source;
    if (!source) return null;
    if (!(await this.#leases.acquire(LEASE, this.#holder, LEASE_MS, this.#deps.now()))) return null;
    try {
      const run = await this.openRun(meta, source, trigger);
      await this.execute(meta, source, run, opts);
      return await this.run(String(run._id));
    } finally {
      await this.#leases.release(LEASE, this.#holder);
    }
  }

  /**
   * The unfinished run a stopped process left, or one that failed after it had begun writing (a platform or
   * database error), resumed from its checkpoint; else a new one.
   */
  private async openRun(meta: RequestMeta, source: DirectorySource, trigger: DirectoryRun['trigger']): Promise<RunWithId> {
    const left = await this.#runs
      .findOneAndUpdate(
        { kind: 'sync', platform: source.platform, $or: [{ status: 'running' }, { status: 'failed', phase: { $ne: 'fetch' } }] },
        { $inc: { resumed: 1 }, $set: { status: 'running', error: null, finishedAt: null } },
        { returnDocument: 'after', sort: { _id: 1 } },
      )
      .lean<RunWithId>()
      .exec();
    if (left) return left;
    const run = await this.#runs.create({
      kind: 'sync',
      trigger,
      platform: source.platform,
      status: 'running',
      phase: 'fetch',
      checkpoint: 0,
      counts: emptyCounts(),
      departments: [],
      people: [],
      leavers: [],
      startedById: meta.actorId,
      startedAt: this.#deps.now(),
      finishedAt: null,
      error: null,
    });
    return run.toObject() as RunWithId;
  }

  private async renew(): Promise<void> {
    if (!(await this.#leases.acquire(LEASE, this.#holder, LEASE_MS, this.#deps.now()))) throw new Error('directory sync: lease lost');
  }

  private async execute(meta0: RequestMeta, source: DirectorySource, run: RunWithId, opts: { onBatch?: (done: number) => void } = {}): Promise<void> {
    const meta: RequestMeta = { ...meta0, channel: 'system', requestId: `directory-sync:${String(run._id)}` };
    const org = this.#deps.org;
    const p = source.platform;
    const set = (fields: Partial<DirectoryRun>) => this.#runs.updateOne({ _id: run._id }, { $set: fields }).exec();
    try {
      const plan = await this.plan(source);
      await set({ phase: 'departments', departments: plan.deptItems.slice(0, KEEP), people: plan.personItems.slice(0, KEEP), counts: plan.counts });
      // 1. departments, parents first (leaders come in step 3, once their people exist)
      const deptId = new Map<string, Types.ObjectId>();
      const inScope = new Set(plan.departments.map((d) => d.id));
      for (const d of plan.departments) {
        const parentId = d.parentId && inScope.has(d.parentId) ? (deptId.get(d.parentId) ?? null) : null;
        const r = await org.upsertDirectoryDepartment(meta, p, d.id, { name: d.name, parentId, order: d.order, status: 'active' });
        deptId.set(d.id, r.id);
      }
      await org.rebuildDepartmentAncestors();
      await this.renew();
      // 2. people in userid order, from the checkpoint; roles and scope only where no admin changed them
      await set({ phase: 'people' });
      const links = new Map((await this.#links.find({ platform: p }).lean().exec()).map((l) => [l.userid, l]));
      const state = new Map((await org.directoryState(p)).users.map((u) => [u.identities[p]!, u]));
      const idOf = new Map([...state].map(([userid, u]) => [userid, u._id]));
      const rules = this.rules;
      const people = leadersFirst(plan.people);
      let done = run.checkpoint;
      for (let i = run.checkpoint; i < people.length; i += BATCH) {
        const linkOps = [];
        for (const want of people.slice(i, i + BATCH)) {
          const rulesSay = rolesFor(want, rules);
          const have = state.get(want.userid);
          const link = links.get(want.userid);
          // the admin's own choice: roles / scope differ from what the sync last wrote (or the user existed before the sync)
          const local = have ? !link || have.roles.join() !== link.applied.roles.join() || have.dataScope !== link.applied.dataScope : false;
          // the leader when already known (leaders come first); the rest is linked in step 3
          const leaderId = want.leaderUserid ? idOf.get(want.leaderUserid) : null;
          const fields = {
            name: want.name,
            mobile: want.mobile,
            email: want.email,
            title: want.title,
            departmentIds: want.departmentIds.map((d) => deptId.get(d)!).filter(Boolean),
            ...(leaderId !== undefined ? { leaderId } : {}),
            ...(local ? {} : rulesSay),
          };
          if (!have || !sameFields(have as unknown as Record<string, unknown>, fields)) {
            const r = await org.upsertDirectoryUser(meta, p, want.userid, fields, rulesSay);
            idOf.set(want.userid, r.id);
          }
          const applied = local && have ? { roles: have.roles, dataScope: have.dataScope } : rulesSay;
          if (!link || link.leftAt || (!local && (link.applied.roles.join() !== applied.roles.join() || link.applied.dataScope !== applied.dataScope)))
            linkOps.push({
              updateOne: {
                filter: { _id: `${p}:${want.userid}` },
                update: {
                  $set: { platform: p, userid: want.userid, userId: idOf.get(want.userid)!, leftAt: null, ...(local ? {} : { applied }) },
                  $setOnInsert: local ? { applied } : {},
                },
                upsert: true,
              },
            });
        }
        if (linkOps.length) await this.#links.bulkWrite(linkOps);
        done = Math.min(people.length, i + BATCH);
        await set({ checkpoint: done });
        await this.renew();
        opts.onBatch?.(done);
      }
      // 3. leaders: each person's leader, each department's leaders
      await set({ phase: 'links' });
      const users = new Map((await org.directoryState(p)).users.map((u) => [u.identities[p]!, u]));
      for (const want of plan.people) {
        const u = users.get(want.userid);
        const leaderId = want.leaderUserid ? (users.get(want.leaderUserid)?._id ?? null) : null;
        if (u && String(u.leaderId ?? null) !== String(leaderId)) await org.upsertDirectoryUser(meta, p, want.userid, { leaderId }, rolesFor(want, rules));
      }
      for (const d of plan.departments) {
        const leaderIds = d.leaderIds.map((l) => users.get(l)?._id).filter((x): x is Types.ObjectId => !!x);
        await org.upsertDirectoryDepartment(meta, p, d.id, { leaderIds });
      }
      await org.rebuildLeaderChains();
      await this.renew();
      // 4. leavers: deactivated through the org service (reports, approvals, reminders handed over)
      await set({ phase: 'leavers' });
      const leavers: LeaverFlag[] = [];
      for (const l of plan.leaving) {
        const user = await org.findUserById(l.userId);
        if (user?.status === 'active') {
          try {
            await org.deactivateUser(meta, String(l.userId));
          } catch (err) {
            if ((err as { status?: number }).status !== 409) throw err; // already deactivated meanwhile
          }
        }
        const after = await org.findUserById(l.userId);
        const managerId = after?.leaderId ?? user?.leaderId ?? null;
        leavers.push({ userId: l.userId, name: l.name, managerId });
        await this.#links.updateOne({ _id: `${p}:${l.userid}` }, { $set: { leftAt: this.#deps.now() } }).exec();
        if (managerId) await this.noticeOnce(meta, p, `${p}:${l.userid}`, { userId: l.userId, name: l.name, managerId });
      }
      await set({ phase: 'done', status: 'done', leavers, finishedAt: this.#deps.now() });
      await this.#deps.audit.record(meta, {
        action: 'directory.sync',
        entityType: 'directory-run',
        entityId: run._id,
        note: `通讯录同步（${p}）：部门 新增 ${plan.counts.departments.create} / 变更 ${plan.counts.departments.update}；人员 新增 ${plan.counts.people.create} / 变更 ${plan.counts.people.update} / 离开 ${plan.counts.people.leave}`,
      });
    } catch (err) {
      // the run stays `running` with its checkpoint when the lease was lost (another process resumes it); any
      // other failure marks it `failed`, and the next sync resumes it from its checkpoint
      const message = err instanceof Error ? err.message : String(err);
      if (message !== 'directory sync: lease lost') await set({ status: 'failed', error: message.slice(0, 500), finishedAt: this.#deps.now() });
      throw err;
    }
  }

  /**
   * A change event from the platform (WeCom `change_contact`, DingTalk's org events `user_add_org` … `org_dept_remove`
   * over the stream or HTTP: a member or department created, updated or deleted): a sync starts in the background in this process; if one is running here, one more follows it. An
   * event this process cannot act on (another process syncing, this one stopping) is covered by the next
   * scheduled sync, which compares everything anyway. Answers whether the event was for the configured source.
   */
  changed(platform: 'wecom' | 'dingtalk', change: { changeType: string; userid?: string; departmentId?: string }): boolean {
    if (!this.#deps.source || this.#deps.source.platform !== platform) return false;
    const meta: RequestMeta = {
      requestId: `directory-event:${change.changeType}:${change.userid ?? change.departmentId ?? ''}`,
      channel: 'system',
      actorId: null,
    };
    if (this.#eventRun) {
      this.#again = true;
      return true;
    }
    const loop = async () => {
      do {
        this.#again = false;
        await this.syncOnce(meta, 'event').catch(() => undefined); // a failed run is resumed by the next sync
      } while (this.#again);
    };
    this.#eventRun = loop().finally(() => (this.#eventRun = null));
    this.#inFlight = Promise.allSettled([this.#inFlight, this.#eventRun]);
    return true;
  }

  /**
   * Tells the manager once that their report left (the link's `noticedAt`, set conditionally before sending, so
   * a resumed or repeated sync never tells them twice; a send that fails is logged by the bot and not retried:
   * the digest keeps flagging the leaver until the hand-over is done). Audited as `directory.leaver-notice`.
   */
  private async noticeOnce(
    meta: RequestMeta,
    platform: 'wecom' | 'dingtalk',
    linkId: string,
    l: { userId: Types.ObjectId; name: string; managerId: Types.ObjectId },
  ): Promise<void> {
    if (!this.#deps.events) return;
    const claimed = await this.#links.updateOne({ _id: linkId, noticedAt: null }, { $set: { noticedAt: this.#deps.now() } }).exec();
    if (!claimed.modifiedCount) return;
    const customers = (await this.#deps.customers?.ownedCounts([l.userId]))?.get(String(l.userId)) ?? 0;
    await this.#deps.audit.record(meta, {
      action: 'directory.leaver-notice',
      entityType: 'user',
      entityId: l.userId,
      note: `已通知上级：${l.name} 离职，名下 ${customers} 个客户待交接`,
    });
    await this.#deps.events
      .leaverDeactivated({ platform, managerId: String(l.managerId), leaverId: String(l.userId), name: l.name, customers })
      .catch(() => undefined);
  }

  /**
   * The manager's leavers whose customers are still owned by them (the hand-over, or a transfer, not done yet),
   * read from the customers themselves, for the morning digest; one row per leaver.
   */
  async pendingHandovers(managerId: Types.ObjectId): Promise<PendingHandover[]> {
    const seen = new Map<string, string>();
    for (const l of await this.leaversFor(managerId)) seen.set(String(l.userId), l.name);
    if (!seen.size || !this.#deps.customers) return [];
    const counts = await this.#deps.customers.ownedCounts([...seen.keys()].map((id) => new Types.ObjectId(id)));
    return [...seen]
      .map(([userId, name]) => ({ userId, name, customers: counts.get(userId) ?? 0 }))
      .filter((x) => x.customers > 0)
      .sort((a, b) => b.customers - a.customers);
  }

  /** Leavers of finished syncs whose customers still wait for a hand-over, for their manager's digest. */
  async leaversFor(managerId: Types.ObjectId): Promise<LeaverFlag[]> {
    const runs = await this.#runs.find({ kind: 'sync', status: 'done', 'leavers.managerId': managerId }, { leavers: 1 }).lean().exec();
    return runs.flatMap((r) => r.leavers.filter((l) => l.managerId && l.managerId.equals(managerId)));
  }
}

/** People whose leader comes before them (by depth in the leader chain), then by userid: a stable order for the checkpoint. */
function leadersFirst(people: DesiredPerson[]): DesiredPerson[] {
  const byId = new Map(people.map((p) => [p.userid, p]));
  const depth = (p: DesiredPerson): number => {
    let n = 0;
    for (let l = p.leaderUserid; l && n < 50; l = byId.get(l)?.leaderUserid ?? null) n++;
    return n;
  };
  return people
    .map((p) => ({ p, d: depth(p) }))
    .sort((a, b) => a.d - b.d || (a.p.userid < b.p.userid ? -1 : a.p.userid > b.p.userid ? 1 : 0))
    .map((x) => x.p);
}

/** Whether the stored user already has these values (ids compared as strings, a missing field as undefined). */
function sameFields(have: Record<string, unknown>, fields: Record<string, unknown>): boolean {
  const norm = (v: unknown): string =>
    JSON.stringify(v === null || v === undefined ? null : Array.isArray(v) ? v.map(String) : typeof v === 'object' ? String(v) : v);
  return Object.entries(fields).every(([k, v]) => norm(have[k]) === norm(v));
}
