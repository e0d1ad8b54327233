import { Types, type Connection, type Model } from 'mongoose';
import {
  buildScopeFilter,
  type CreateDepartmentInput,
  type CreateUserInput,
  type ListUsersQuery,
  type ScopeViewer,
  type UpdateDepartmentInput,
  type UpdateUserInput,
} from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, conflict, notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { departmentModel, type Department, type DepartmentDoc } from './department.model';
import { userModel, type User, type UserDoc } from './user.model';

export const USER_AUDITED_FIELDS = ['name', 'mobile', 'email', 'title', 'identities', 'departmentIds', 'leaderId', 'roles', 'dataScope', 'status'] as const;
const DEPARTMENT_AUDITED_FIELDS = ['name', 'parentId', 'leaderIds', 'order', 'status'] as const;

/** Users are scoped like records: "owner" is the user themself, "department" their departments. */
const USER_SCOPE_FIELDS = { owner: '_id', department: 'departmentIds' };

const oid = (s: string) => new Types.ObjectId(s);

type Person = { _id: Types.ObjectId; name: string };

/** Someone found by the fallback chain to act for a person who cannot (left, missing, the requester), and why. */
export interface StandIn {
  person: Person;
  /** Why, in Chinese, for routes, histories and notices: "张伟 已离职，由上级 李娜 代为审批". */
  reason: string;
}

/** What a deactivation handed over, for the domains that move what hangs on the leaver (approvals, reminders). */
export interface Handover {
  /** Who takes over: the new leader the caller named, else the leaver's nearest active leader, else the fallback chain. */
  successorId: Types.ObjectId | null;
}
export type DeactivationHandler = (meta: RequestMeta, leaver: UserDoc, handover: Handover) => Promise<void>;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class OrgService {
  readonly #users: Model<User>;
  readonly #departments: Model<Department>;
  private readonly deactivationHandlers: DeactivationHandler[] = [];

  constructor(
    conn: Connection,
    private readonly audit: AuditService,
  ) {
    this.#users = userModel(conn);
    this.#departments = departmentModel(conn);
  }

  /** Registers what runs after a user is deactivated (approvals, reminders), in registration order. */
  onDeactivated(handler: DeactivationHandler): void {
    this.deactivationHandlers.push(handler);
  }

  // ---- identity and scope ------------------------------------------------------------------

  findActiveUserById(id: Types.ObjectId | string): Promise<UserDoc | null> {
    return this.#users.findOne({ _id: id, status: 'active' }).exec();
  }

  /** A user whatever their status (a leaver's name and place, for hand-overs); null when there is none. */
  findUserById(id: Types.ObjectId | string): Promise<UserDoc | null> {
    return this.#users.findById(id).exec();
  }

  /** A user's name whatever their status (who holds a record); null when there is no such user. */
  async userName(id: Types.ObjectId): Promise<string | null> {
    return (await this.#users.findById(id, { name: 1 }).lean().exec())?.name ?? null;
  }

  /** Names of users whatever their status (owners on lists, the rep a team reminder is about): id → name. */
  async namesOf(ids: ReadonlyArray<Types.ObjectId | null | undefined>): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((x): x is Types.ObjectId => !!x).map(String))];
    if (!wanted.length) return new Map();
    const users = await this.#users
      .find({ _id: { $in: wanted } }, { name: 1 })
      .lean()
      .exec();
    return new Map(users.map((u) => [String(u._id), u.name]));
  }

  /** Active partners among these ids (sharing a customer). */
  activePartners(ids: Types.ObjectId[]): Promise<Array<{ _id: Types.ObjectId }>> {
    return this.#users
      .find({ _id: { $in: ids }, roles: 'partner', status: 'active' }, { _id: 1 })
      .lean<Array<{ _id: Types.ObjectId }>>()
      .exec();
  }

  /** Active users who sign in with a WeCom userid, in creation order: the dev-login and sandbox pickers. */
  async weComLogins(limit = 50): Promise<Array<{ login: string; name: string; title: string | null; roles: User['roles'] }>> {
    const users = await this.#users
      .find({ status: 'active', 'identities.wecom': { $ne: null } }, { name: 1, title: 1, identities: 1, roles: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean()
      .exec();
    return users.map((u) => ({ login: u.identities?.wecom ?? '', name: u.name, title: u.title ?? null, roles: u.roles }));
  }

  /** Users and their direct leader and name (stalled-deal reminders go to the owner and, later, the leader). */
  leadersAndNames(ids: Types.ObjectId[]): Promise<Array<{ _id: Types.ObjectId; name: string; leaderId: Types.ObjectId | null }>> {
    return this.#users
      .find({ _id: { $in: ids } }, { leaderId: 1, name: 1 })
      .lean<Array<{ _id: Types.ObjectId; name: string; leaderId: Types.ObjectId | null }>>()
      .exec();
  }

  /** The active users among these, with their leader chain (who hears about whose reminders in the digest). */
  activeWithLeaderChain(ids: Types.ObjectId[]): Promise<Array<{ _id: Types.ObjectId; leaderChain: Types.ObjectId[] }>> {
    return this.#users
      .find({ _id: { $in: ids }, status: 'active' }, { leaderChain: 1 })
      .lean<Array<{ _id: Types.ObjectId; leaderChain: Types.ObjectId[] }>>()
      .exec();
  }

  /** A leader's active direct reports. */
  activeReportsOf(leaderId: Types.ObjectId): Promise<Array<{ _id: Types.ObjectId; name: string }>> {
    return this.#users.find({ leaderId, status: 'active' }, { name: 1 }).lean<Array<{ _id: Types.ObjectId; name: string }>>().exec();
  }

  /** Active users with at least one active direct report (the weekly report card and the team alerts go to them). */
  async activeLeaders(): Promise<UserDoc[]> {
    const ids = (await this.#users.distinct('leaderId', { status: 'active' }).exec()).filter(Boolean);
    return this.#users.find({ _id: { $in: ids }, status: 'active' }).exec();
  }

  /** Whether there are no users yet (a fresh database). */
  async isEmpty(): Promise<boolean> {
    return (await this.#users.estimatedDocumentCount().exec()) === 0;
  }

  /** People by id or WeCom userid, whatever their status (approval rules name approvers either way). */
  usersByIdOrLogin(
    ids: Types.ObjectId[],
    logins: string[],
  ): Promise<Array<{ _id: Types.ObjectId; name: string; status: User['status']; identities?: User['identities'] }>> {
    return this.#users
      .find({ $or: [{ _id: { $in: ids } }, { 'identities.wecom': { $in: logins } }] }, { name: 1, identities: 1, status: 1 })
      .lean<Array<{ _id: Types.ObjectId; name: string; status: User['status']; identities?: User['identities'] }>>()
      .exec();
  }

  /** People by id, whatever their status, in id order. */
  people(ids: Types.ObjectId[]): Promise<Array<{ _id: Types.ObjectId; name: string; status: User['status'] }>> {
    return this.#users
      .find({ _id: { $in: ids } }, { name: 1, status: 1 })
      .sort({ _id: 1 })
      .lean<Array<{ _id: Types.ObjectId; name: string; status: User['status'] }>>()
      .exec();
  }

  /** Active users of a department with a role, in id order. */
  activeWithRole(departmentId: Types.ObjectId, role: User['roles'][number]): Promise<Array<{ _id: Types.ObjectId; name: string; status: User['status'] }>> {
    return this.#users
      .find({ departmentIds: departmentId, roles: role, status: 'active' }, { name: 1, status: 1 })
      .sort({ _id: 1 })
      .lean<Array<{ _id: Types.ObjectId; name: string; status: User['status'] }>>()
      .exec();
  }

  /** Active departments with this name and their leaders. */
  activeDepartmentsNamed(name: string): Promise<Array<{ _id: Types.ObjectId; leaderIds: Types.ObjectId[] }>> {
    return this.#departments.find({ name, status: 'active' }, { leaderIds: 1 }).lean<Array<{ _id: Types.ObjectId; leaderIds: Types.ObjectId[] }>>().exec();
  }

  /** Names of these departments and of every department above them. */
  async departmentNamesUp(departmentIds: readonly Types.ObjectId[]): Promise<string[]> {
    if (!departmentIds.length) return [];
    const own = await this.#departments
      .find({ _id: { $in: departmentIds } }, { name: 1, ancestorIds: 1 })
      .lean()
      .exec();
    const above = await this.#departments
      .find({ _id: { $in: own.flatMap((d) => d.ancestorIds) } }, { name: 1 })
      .lean()
      .exec();
    return [...own, ...above].map((d) => d.name);
  }

  // ---- demo data (the seed; idempotent) ---------------------------------------------------

  /** A department matched by (parent, name), created when missing. */
  async ensureDepartment(d: { parentId: Types.ObjectId | null; name: string; order: number; externalIds: Department['externalIds'] }): Promise<Types.ObjectId> {
    const doc = await this.#departments
      .findOneAndUpdate({ parentId: d.parentId, name: d.name }, { $setOnInsert: d }, { upsert: true, returnDocument: 'after' })
      .exec();
    return doc._id;
  }

  /** A user matched by WeCom userid, created when missing (as given). */
  async ensureUser(login: string, u: Omit<User, 'leaderId' | 'leaderChain' | 'createdAt' | 'updatedAt'> | Record<string, unknown>): Promise<Types.ObjectId> {
    const doc = await this.#users.findOneAndUpdate({ 'identities.wecom': login }, { $setOnInsert: u }, { upsert: true, returnDocument: 'after' }).exec();
    return doc._id;
  }

  /** Sets a user's leader when they have none. */
  async setLeaderIfNone(userId: Types.ObjectId, leaderId: Types.ObjectId): Promise<void> {
    await this.#users.updateOne({ _id: userId, leaderId: null }, { $set: { leaderId } }).exec();
  }

  /** Sets a department's leader when it has none. */
  async setDepartmentLeaderIfNone(departmentId: Types.ObjectId, userId: Types.ObjectId): Promise<void> {
    await this.#departments.updateOne({ _id: departmentId, leaderIds: { $size: 0 } }, { $set: { leaderIds: [userId] } }).exec();
  }

  /** Everyone who left (status `resigned`). */
  async resignedUserIds(): Promise<Types.ObjectId[]> {
    return (await this.#users.distinct('_id', { status: 'resigned' }).exec()) as Types.ObjectId[];
  }

  /** Each user's direct leader, when that leader is active: user id → leader. */
  async activeLeadersOf(userIds: readonly Types.ObjectId[]): Promise<Map<string, { _id: Types.ObjectId; name: string }>> {
    const users = await this.#users
      .find({ _id: { $in: userIds } }, { leaderId: 1 })
      .lean()
      .exec();
    const leaderIds = users.map((u) => u.leaderId).filter((x): x is Types.ObjectId => x !== null);
    const leaders = await this.#users
      .find({ _id: { $in: leaderIds }, status: 'active' }, { name: 1 })
      .lean()
      .exec();
    const byId = new Map(leaders.map((l) => [String(l._id), { _id: l._id, name: l.name }]));
    const map = new Map<string, { _id: Types.ObjectId; name: string }>();
    for (const u of users) if (u.leaderId && byId.has(String(u.leaderId))) map.set(String(u._id), byId.get(String(u.leaderId))!);
    return map;
  }

  findActiveUserByPlatformId(platform: 'wecom' | 'dingtalk', platformUserId: string): Promise<UserDoc | null> {
    return this.#users.findOne({ [`identities.${platform}`]: platformUserId, status: 'active' }).exec();
  }

  /** Resolves what the user may see. Only the lookups the user's scope needs are made. */
  async resolveViewer(user: UserDoc): Promise<ScopeViewer<Types.ObjectId>> {
    const scope = user.dataScope;
    const [departmentTreeIds, subordinateIds] = await Promise.all([
      scope === 'department_and_children' ? this.departmentTree(user.departmentIds) : Promise.resolve(user.departmentIds),
      scope === 'own_and_subordinates' ? this.#users.distinct('_id', { leaderChain: user._id }).exec() : Promise.resolve([]),
    ]);
    return {
      userId: user._id,
      roles: user.roles,
      scope,
      departmentIds: user.departmentIds,
      departmentTreeIds,
      subordinateIds: subordinateIds as Types.ObjectId[],
    };
  }

  /** The given departments and all below them. */
  async departmentTree(rootIds: readonly Types.ObjectId[]): Promise<Types.ObjectId[]> {
    if (rootIds.length === 0) return [];
    const below = (await this.#departments.distinct('_id', { ancestorIds: { $in: rootIds } }).exec()) as Types.ObjectId[];
    return [...rootIds, ...below];
  }

  // ---- users -----------------------------------------------------------------------------

  listUsers(actor: Actor, q: ListUsersQuery): Promise<Page<User>> {
    const and: Record<string, unknown>[] = [buildScopeFilter(actor.viewer, USER_SCOPE_FIELDS)];
    if (q.status) and.push({ status: q.status });
    if (q.departmentId) and.push({ departmentIds: oid(q.departmentId) });
    if (q.q) {
      const re = new RegExp(escapeRegex(q.q), 'i');
      and.push({ $or: [{ name: re }, { mobile: re }, { 'identities.wecom': re }, { 'identities.dingtalk': re }] });
    }
    return paginateById(this.#users, { $and: and }, { cursor: q.cursor, limit: q.limit });
  }

  async getUser(actor: Actor, id: string): Promise<UserDoc> {
    const user = await this.#users.findOne({ $and: [{ _id: oid(id) }, buildScopeFilter(actor.viewer, USER_SCOPE_FIELDS)] }).exec();
    if (!user) throw notFound('用户');
    return user;
  }

  async createUser(meta: RequestMeta, input: CreateUserInput): Promise<UserDoc> {
    assertPartnerScope(input.roles, input.dataScope);
    await this.assertDepartmentsExist(input.departmentIds);
    const leaderId = input.leaderId ? oid(input.leaderId) : null;
    if (leaderId) await this.assertActiveUser(leaderId, 'leaderId');
    const user = await this.#users.create({ ...input, leaderId, departmentIds: input.departmentIds.map(oid) }).catch(duplicateIdentity);
    await this.rebuildLeaderChains();
    const created = (await this.#users.findById(user._id).exec())!;
    await this.audit.record(meta, {
      action: 'user.create',
      entityType: 'user',
      entityId: created._id,
      changes: diffFields(null, created.toObject(), USER_AUDITED_FIELDS),
    });
    return created;
  }

  async updateUser(meta: RequestMeta, id: string, input: UpdateUserInput): Promise<UserDoc> {
    const before = await this.#users.findById(oid(id)).exec();
    if (!before) throw notFound('用户');
    assertPartnerScope(input.roles ?? before.roles, input.dataScope ?? before.dataScope);
    const set: Partial<User> = {};
    if (input.departmentIds) {
      await this.assertDepartmentsExist(input.departmentIds);
      set.departmentIds = input.departmentIds.map(oid);
    }
    if (input.leaderId !== undefined) {
      const leaderId = input.leaderId ? oid(input.leaderId) : null;
      if (leaderId) {
        if (leaderId.equals(before._id)) throw invalidField('leaderId', '不能把自己设为上级');
        const leader = await this.assertActiveUser(leaderId, 'leaderId');
        if (leader.leaderChain.some((l) => l.equals(before._id))) throw invalidField('leaderId', '不能把下属设为上级（会形成循环）');
      }
      set.leaderId = leaderId;
    }
    for (const key of ['name', 'mobile', 'email', 'title', 'identities', 'roles', 'dataScope'] as const) {
      if (input[key] !== undefined) (set as Record<string, unknown>)[key] = input[key];
    }
    const after = await this.#users
      .findByIdAndUpdate(before._id, { $set: set }, { returnDocument: 'after', runValidators: true })
      .exec()
      .catch(duplicateIdentity);
    if (!after) throw notFound('用户');
    if (set.leaderId !== undefined) await this.rebuildLeaderChains();
    const changes = diffFields(before.toObject(), after.toObject(), USER_AUDITED_FIELDS);
    if (Object.keys(changes).length > 0) await this.audit.record(meta, { action: 'user.update', entityType: 'user', entityId: after._id, changes });
    return after;
  }

  /**
   * Marks a user resigned (they can no longer sign in or use the bot) and hands over what hangs on them:
   * their direct reports get `newLeaderId` (else the leaver's own leader; a report named as the new leader
   * gets the leaver's leader), each change audited; then the registered handlers move the leaver's pending
   * approval steps and reminders. Their customers stay (a transfer moves them).
   */
  async deactivateUser(meta: RequestMeta, id: string, opts: { newLeaderId?: string | null } = {}): Promise<UserDoc> {
    if (meta.actorId?.equals(id)) throw new AppError(409, CommonErrorCode.CONFLICT, '不能停用自己的账号');
    const newLeader = opts.newLeaderId ? await this.assertActiveUser(oid(opts.newLeaderId), 'newLeaderId') : null;
    if (newLeader) {
      if (newLeader._id.equals(id)) throw invalidField('newLeaderId', '不能指定离职人员本人');
      if (newLeader.leaderChain.some((l) => l.equals(id)) && !newLeader.leaderId?.equals(id))
        throw invalidField('newLeaderId', '只能指定离职人员的直属下属或其他人（会形成循环）');
    }
    const after = await this.#users
      .findOneAndUpdate({ _id: oid(id), status: 'active' }, { $set: { status: 'resigned', resignedAt: new Date() } }, { returnDocument: 'after' })
      .exec();
    if (!after) {
      const exists = await this.#users.exists({ _id: oid(id) });
      if (!exists) throw notFound('用户');
      throw conflict('该用户已停用');
    }
    const reports = await this.#users.find({ leaderId: after._id }, { leaderId: 1, name: 1 }).lean().exec();
    let fallbackLeader: Types.ObjectId | null = null;
    for (const l of after.leaderChain) {
      if (await this.#users.exists({ _id: l, status: 'active' })) {
        fallbackLeader = l;
        break;
      }
    }
    for (const r of reports) {
      const to = newLeader && !newLeader._id.equals(r._id) ? newLeader._id : fallbackLeader;
      const moved = await this.#users.updateOne({ _id: r._id, leaderId: after._id }, { $set: { leaderId: to } }).exec();
      if (moved.modifiedCount !== 1) continue;
      await this.audit.record(meta, {
        action: 'user.update',
        entityType: 'user',
        entityId: r._id,
        changes: { leaderId: { before: after._id, after: to } },
        note: `上级 ${after.name} 离职交接`,
      });
    }
    if (reports.length) await this.rebuildLeaderChains();
    await this.audit.record(meta, {
      action: 'user.deactivate',
      entityType: 'user',
      entityId: after._id,
      changes: { status: { before: 'active', after: 'resigned' } },
      note: reports.length ? `${reports.length} 名下属转给新上级` : undefined,
    });
    const successor =
      newLeader?._id ??
      fallbackLeader ??
      (await this.standInFor({ above: [], departments: after.departmentIds, exclude: [after._id], why: `${after.name} 已离职` }))?.person._id ??
      null;
    for (const handler of this.deactivationHandlers) await handler(meta, after, { successorId: successor });
    return after;
  }

  /**
   * The documented fallback chain for a step (or an approver) with nobody active to decide:
   *   1. the leader's leader: the nearest active user up the leader chain of whoever the step named
   *      (the resigned leader, the resigned department leader, the requester themself);
   *   2. the department's leader: the leaders of the department concerned (the requester's, or the one the
   *      step named), then of each department above it, nearest first;
   *   3. an admin (the first active one).
   * Nobody in `exclude` (the requester; the leaver) is ever chosen. Null when the whole chain is empty.
   */
  async standInFor(input: {
    above: ReadonlyArray<{ _id: Types.ObjectId; name: string }>;
    departments: readonly Types.ObjectId[];
    exclude: readonly Types.ObjectId[];
    why: string;
  }): Promise<StandIn | null> {
    const excluded = (id: Types.ObjectId) => input.exclude.some((x) => x.equals(id));
    const activeById = async (ids: readonly Types.ObjectId[]): Promise<Person | null> => {
      if (!ids.length) return null;
      const rows = await this.#users
        .find({ _id: { $in: ids }, status: 'active' }, { name: 1 })
        .lean<Person[]>()
        .exec();
      for (const id of ids) {
        const hit = rows.find((r) => r._id.equals(id));
        if (hit && !excluded(hit._id)) return { _id: hit._id, name: hit.name };
      }
      return null;
    };
    // 1. the leader's leader
    if (input.above.length) {
      const rows = await this.#users
        .find({ _id: { $in: input.above.map((p) => p._id) } }, { leaderChain: 1 })
        .lean()
        .exec();
      for (const p of input.above) {
        const chain = rows.find((r) => r._id.equals(p._id))?.leaderChain ?? [];
        const hit = await activeById(chain);
        if (hit) return { person: hit, reason: `${input.why}，由上级 ${hit.name} 代为审批` };
      }
    }
    // 2. the department's leader, then the leaders of the departments above it
    if (input.departments.length) {
      const own = await this.#departments
        .find({ _id: { $in: input.departments } }, { leaderIds: 1, ancestorIds: 1 })
        .lean()
        .exec();
      const upIds = own.flatMap((d) => [...d.ancestorIds].reverse());
      const up = await this.#departments
        .find({ _id: { $in: upIds } }, { leaderIds: 1 })
        .lean()
        .exec();
      const ordered = [...own, ...upIds.map((id) => up.find((d) => d._id.equals(id))).filter((d) => d !== undefined)];
      for (const d of ordered) {
        const hit = await activeById(d.leaderIds);
        if (hit) return { person: hit, reason: `${input.why}，由部门负责人 ${hit.name} 代为审批` };
      }
    }
    // 3. an admin
    const admins = await this.#users.find({ roles: 'admin', status: 'active' }, { name: 1 }).sort({ _id: 1 }).lean<Person[]>().exec();
    const admin = admins.find((a) => !excluded(a._id));
    return admin ? { person: { _id: admin._id, name: admin.name }, reason: `${input.why}，由管理员 ${admin.name} 代为审批` } : null;
  }

  // ---- departments -----------------------------------------------------------------------

  /** Departments the actor may see: all with scope `all`, their tree with department_and_children, else their own. */
  async listDepartments(actor: Actor): Promise<Department[]> {
    const v = actor.viewer;
    const filter = v.scope === 'all' ? {} : { _id: { $in: v.scope === 'department_and_children' ? v.departmentTreeIds : v.departmentIds } };
    return this.#departments.find(filter).sort({ order: 1, _id: 1 }).lean().exec();
  }

  async getDepartment(actor: Actor, id: string): Promise<DepartmentDoc> {
    const visible = (await this.listDepartments(actor)).some((d) => (d as Department & { _id: Types.ObjectId })._id.equals(id));
    const dep = visible ? await this.#departments.findById(oid(id)).exec() : null;
    if (!dep) throw notFound('部门');
    return dep;
  }

  async createDepartment(meta: RequestMeta, input: CreateDepartmentInput): Promise<DepartmentDoc> {
    const parent = input.parentId ? await this.#departments.findOne({ _id: oid(input.parentId), status: 'active' }).exec() : null;
    if (input.parentId && !parent) throw invalidField('parentId', '上级部门不存在');
    for (const l of input.leaderIds) await this.assertActiveUser(oid(l), 'leaderIds');
    const dep = await this.#departments
      .create({
        name: input.name,
        parentId: parent?._id ?? null,
        ancestorIds: parent ? [...parent.ancestorIds, parent._id] : [],
        leaderIds: input.leaderIds.map(oid),
        order: input.order,
      })
      .catch((err: unknown) => {
        if ((err as { code?: number }).code === 11000) throw conflict('同一上级部门下已有同名部门');
        throw err;
      });
    await this.audit.record(meta, {
      action: 'department.create',
      entityType: 'department',
      entityId: dep._id,
      changes: diffFields(null, dep.toObject(), DEPARTMENT_AUDITED_FIELDS),
    });
    return dep;
  }

  async updateDepartment(meta: RequestMeta, id: string, input: UpdateDepartmentInput): Promise<DepartmentDoc> {
    const before = await this.#departments.findById(oid(id)).exec();
    if (!before) throw notFound('部门');
    const set: Partial<Department> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.order !== undefined) set.order = input.order;
    if (input.leaderIds !== undefined) {
      for (const l of input.leaderIds) await this.assertActiveUser(oid(l), 'leaderIds');
      set.leaderIds = input.leaderIds.map(oid);
    }
    if (input.parentId !== undefined) {
      const parentId = input.parentId ? oid(input.parentId) : null;
      if (parentId) {
        const parent = await this.#departments.findById(parentId).exec();
        if (!parent) throw invalidField('parentId', '上级部门不存在');
        if (parentId.equals(before._id) || parent.ancestorIds.some((a) => a.equals(before._id))) {
          throw invalidField('parentId', '不能把部门移到它自己或它的下级部门之下');
        }
      }
      set.parentId = parentId;
    }
    const after = await this.#departments.findByIdAndUpdate(before._id, { $set: set }, { returnDocument: 'after' }).exec();
    if (!after) throw notFound('部门');
    if (set.parentId !== undefined) await this.rebuildDepartmentAncestors();
    const changes = diffFields(before.toObject(), after.toObject(), DEPARTMENT_AUDITED_FIELDS);
    if (Object.keys(changes).length) await this.audit.record(meta, { action: 'department.update', entityType: 'department', entityId: after._id, changes });
    return (await this.#departments.findById(after._id).exec())!;
  }

  /** Archives an empty department; one with active members or active sub-departments is refused. */
  async archiveDepartment(meta: RequestMeta, id: string): Promise<DepartmentDoc> {
    const depId = oid(id);
    const [members, children] = await Promise.all([
      this.#users.countDocuments({ departmentIds: depId, status: 'active' }).exec(),
      this.#departments.countDocuments({ parentId: depId, status: 'active' }).exec(),
    ]);
    if (members > 0 || children > 0) throw conflict(`部门下还有 ${members} 名在职成员、${children} 个下级部门，不能停用`, { members, children });
    const after = await this.#departments
      .findOneAndUpdate({ _id: depId, status: 'active' }, { $set: { status: 'archived' } }, { returnDocument: 'after' })
      .exec();
    if (!after) throw notFound('部门');
    await this.audit.record(meta, {
      action: 'department.archive',
      entityType: 'department',
      entityId: after._id,
      changes: { status: { before: 'active', after: 'archived' } },
    });
    return after;
  }

  // ---- directory sync (api/src/modules/directory calls these; platform-owned fields only) -----

  /** Users and departments that carry an id on this platform, for the directory sync's comparison. */
  async directoryState(platform: 'wecom' | 'dingtalk'): Promise<{
    users: Array<User & { _id: Types.ObjectId }>;
    departments: Array<Department & { _id: Types.ObjectId }>;
  }> {
    const [users, departments] = await Promise.all([
      this.#users
        .find({ [`identities.${platform}`]: { $exists: true, $ne: null } })
        .lean<Array<User & { _id: Types.ObjectId }>>()
        .exec(),
      this.#departments
        .find({ [`externalIds.${platform}`]: { $exists: true, $ne: null } })
        .lean<Array<Department & { _id: Types.ObjectId }>>()
        .exec(),
    ]);
    return { users, departments };
  }

  /**
   * Creates the department with this platform id, or sets the fields the platform owns on it (a department
   * an admin created under the same parent with the same name is adopted). Audited with the sync's meta.
   * Call `rebuildDepartmentAncestors` once after a batch.
   */
  async upsertDirectoryDepartment(
    meta: RequestMeta,
    platform: 'wecom' | 'dingtalk',
    externalId: string,
    fields: Partial<Pick<Department, 'name' | 'parentId' | 'order' | 'leaderIds' | 'status'>>,
  ): Promise<{ id: Types.ObjectId; created: boolean; changes: Record<string, { before: unknown; after: unknown }> }> {
    const key = `externalIds.${platform}`;
    let before = await this.#departments.findOne({ [key]: externalId }).exec();
    if (!before && fields.name !== undefined) {
      before = await this.#departments
        .findOneAndUpdate({ parentId: fields.parentId ?? null, name: fields.name, [key]: null }, { $set: { [key]: externalId } }, { returnDocument: 'after' })
        .exec();
    }
    if (!before) {
      const dep = await this.#departments.create({
        name: fields.name,
        parentId: fields.parentId ?? null,
        order: fields.order ?? 0,
        leaderIds: fields.leaderIds ?? [],
        externalIds: { [platform]: externalId },
      });
      const changes = diffFields(null, dep.toObject(), DEPARTMENT_AUDITED_FIELDS);
      await this.audit.record(meta, { action: 'department.create', entityType: 'department', entityId: dep._id, changes, note: `通讯录同步（${platform}）` });
      return { id: dep._id, created: true, changes };
    }
    const after = await this.#departments.findByIdAndUpdate(before._id, { $set: fields }, { returnDocument: 'after' }).exec();
    const changes = diffFields(before.toObject(), after!.toObject(), DEPARTMENT_AUDITED_FIELDS);
    if (Object.keys(changes).length)
      await this.audit.record(meta, {
        action: 'department.update',
        entityType: 'department',
        entityId: before._id,
        changes,
        note: `通讯录同步（${platform}）`,
      });
    return { id: before._id, created: false, changes };
  }

  /**
   * Creates the user with this platform userid (with `onCreate` roles and scope), or sets what `fields` names on
   * them (the sync passes only platform-owned fields, and roles / scope only when no admin changed them).
   * A leaving person goes through `deactivateUser`, never through here. Call `rebuildLeaderChains` once after a batch.
   */
  async upsertDirectoryUser(
    meta: RequestMeta,
    platform: 'wecom' | 'dingtalk',
    userid: string,
    fields: Partial<Pick<User, 'name' | 'mobile' | 'email' | 'title' | 'departmentIds' | 'leaderId' | 'roles' | 'dataScope'>>,
    onCreate: Pick<User, 'roles' | 'dataScope'>,
  ): Promise<{ id: Types.ObjectId; created: boolean; changes: Record<string, { before: unknown; after: unknown }> }> {
    const key = `identities.${platform}`;
    const before = await this.#users.findOne({ [key]: userid }).exec();
    if (!before) {
      const user = await this.#users.create({ ...onCreate, ...fields, identities: { [platform]: userid } });
      const changes = diffFields(null, user.toObject(), USER_AUDITED_FIELDS);
      await this.audit.record(meta, { action: 'user.create', entityType: 'user', entityId: user._id, changes, note: `通讯录同步（${platform}）` });
      return { id: user._id, created: true, changes };
    }
    const unset = Object.entries(fields)
      .filter(([, v]) => v === undefined || v === null)
      .map(([k]) => k)
      .filter((k) => k !== 'leaderId');
    const set = Object.fromEntries(Object.entries(fields).filter(([k, v]) => !unset.includes(k) && v !== undefined));
    const after = await this.#users
      .findByIdAndUpdate(
        before._id,
        { $set: set, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) } : {}) },
        { returnDocument: 'after', runValidators: true },
      )
      .exec();
    const changes = diffFields(before.toObject(), after!.toObject(), USER_AUDITED_FIELDS);
    if (Object.keys(changes).length)
      await this.audit.record(meta, { action: 'user.update', entityType: 'user', entityId: before._id, changes, note: `通讯录同步（${platform}）` });
    return { id: before._id, created: false, changes };
  }
  // ---- derived hierarchy -----------------------------------------------------------------

  /**
   * leaderChain is derived from leaderId. Recomputed for everyone after a leader change: org charts are
   * small, changes are rare, and a full rebuild heals any chain a crash left half-updated.
   */
  async rebuildLeaderChains(): Promise<number> {
    const rows = await this.#users.find({}, { leaderId: 1, leaderChain: 1 }).lean().exec();
    const leaderOf = new Map(rows.map((r) => [String(r._id), r.leaderId ? String(r.leaderId) : null]));
    const ops = [];
    for (const r of rows) {
      const chain: string[] = [];
      for (let l = leaderOf.get(String(r._id)); l && !chain.includes(l) && l !== String(r._id); l = leaderOf.get(l) ?? null) chain.push(l);
      if (chain.join() !== r.leaderChain.map(String).join()) {
        ops.push({ updateOne: { filter: { _id: r._id }, update: { $set: { leaderChain: chain.map(oid) } } } });
      }
    }
    if (ops.length) await this.#users.bulkWrite(ops);
    return ops.length;
  }

  /** ancestorIds is derived from parentId, rebuilt the same way. */
  async rebuildDepartmentAncestors(): Promise<number> {
    const rows = await this.#departments.find({}, { parentId: 1, ancestorIds: 1 }).lean().exec();
    const parentOf = new Map(rows.map((r) => [String(r._id), r.parentId ? String(r.parentId) : null]));
    const ops = [];
    for (const r of rows) {
      const up: string[] = [];
      for (let p = parentOf.get(String(r._id)); p && !up.includes(p) && p !== String(r._id); p = parentOf.get(p) ?? null) up.push(p);
      const ancestors = up.reverse();
      if (ancestors.join() !== r.ancestorIds.map(String).join()) {
        ops.push({ updateOne: { filter: { _id: r._id }, update: { $set: { ancestorIds: ancestors.map(oid) } } } });
      }
    }
    if (ops.length) await this.#departments.bulkWrite(ops);
    return ops.length;
  }

  private async assertDepartmentsExist(ids: readonly string[]): Promise<void> {
    const found = await this.#departments.countDocuments({ _id: { $in: ids.map(oid) }, status: 'active' }).exec();
    if (found !== new Set(ids).size) throw invalidField('departmentIds', '部门不存在或已停用');
  }

  private async assertActiveUser(id: Types.ObjectId, field: string): Promise<UserDoc> {
    const user = await this.findActiveUserById(id);
    if (!user) throw invalidField(field, '用户不存在或已停用');
    return user;
  }
}

/** Partners see only what is shared with them: any data scope but `own` (shared-only) is refused. */
function assertPartnerScope(roles: readonly string[], dataScope: string | undefined): void {
  if (roles.includes('partner') && !roles.includes('admin') && dataScope !== undefined && dataScope !== 'own') {
    throw invalidField('dataScope', '外部合作方只能查看共享给他的数据，数据范围只能是“本人”（仅共享）');
  }
}

function invalidField(path: string, message: string): AppError {
  return new AppError(400, CommonErrorCode.VALIDATION_FAILED, message, { details: [{ path: `body.${path}`, message }] });
}

function duplicateIdentity(err: unknown): never {
  if ((err as { code?: number }).code === 11000) throw conflict('该企业微信 / 钉钉账号已绑定其他用户');
  throw err;
}
