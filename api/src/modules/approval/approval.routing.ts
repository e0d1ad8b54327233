import { Types } from 'mongoose';
import type { ApproverSpec, ApprovalStepSpec } from '@crm/shared';
import type { OrgService } from '../org/org.service';
import type { UserDoc } from '../org/user.model';
import type { StepState } from './approval.model';

type Person = { _id: Types.ObjectId; name: string };

/**
 * Turns rule steps into a concrete route for one requester, from the org as it is now. The result is
 * stored on the approval: later rule or org changes never alter it. A step nobody can approve (no leader,
 * only the requester) is `skipped`; the first step that is not becomes `pending`.
 */
export async function resolveRoute(org: OrgService, requester: UserDoc, specs: readonly ApprovalStepSpec[], now: Date): Promise<StepState[]> {
  const steps: StepState[] = [];
  for (const spec of specs) {
    const people = new Map<string, Person>();
    for (const a of spec.approvers) for (const p of await resolveApprovers(org, requester, a)) people.set(String(p._id), p);
    people.delete(String(requester._id));
    steps.push({
      index: steps.length,
      key: spec.key,
      name: spec.name,
      mode: spec.mode,
      status: people.size ? 'waiting' : 'skipped',
      approvers: [...people.values()].map((p) => ({
        userId: p._id,
        name: p.name,
        decision: null,
        comment: null,
        decidedAt: null,
        escalatedFromId: null,
        replacedById: null,
      })),
      startedAt: null,
      remindedAt: null,
      escalatedAt: null,
    });
  }
  const first = steps.find((s) => s.status === 'waiting');
  if (first) {
    first.status = 'pending';
    first.startedAt = now;
  }
  return steps;
}

async function resolveApprovers(org: OrgService, requester: UserDoc, spec: ApproverSpec): Promise<Person[]> {
  const active = (filter: Record<string, unknown>) =>
    org.users
      .find({ ...filter, status: 'active' }, { name: 1 })
      .sort({ _id: 1 })
      .lean<Person[]>()
      .exec();
  switch (spec.type) {
    case 'users': {
      const ids = spec.users.filter((u) => Types.ObjectId.isValid(u) && /^[0-9a-f]{24}$/i.test(u)).map((u) => new Types.ObjectId(u));
      const found = await org.users
        .find({ $or: [{ _id: { $in: ids } }, { 'identities.wecom': { $in: spec.users } }], status: 'active' }, { name: 1, identities: 1 })
        .lean()
        .exec();
      // In the order the rule names them.
      const rank = (u: (typeof found)[number]) => spec.users.findIndex((x) => x === String(u._id) || x === u.identities?.wecom);
      return found.sort((x, y) => rank(x) - rank(y)).map((u) => ({ _id: u._id, name: u.name }));
    }
    case 'role':
      return requester.departmentIds.length ? active({ departmentIds: requester.departmentIds[0], roles: spec.role }) : [];
    case 'directLeader':
      return requester.leaderChain.length ? active({ _id: requester.leaderChain[0] }) : [];
    case 'supervisor': {
      const chain = requester.leaderChain;
      if (!chain.length) return [];
      return active({ _id: chain[Math.min(spec.levels, chain.length) - 1] });
    }
    case 'departmentLeader': {
      const deps = await org.departments.find({ name: spec.department, status: 'active' }, { leaderIds: 1 }).lean().exec();
      const ids = deps.flatMap((d) => d.leaderIds);
      return ids.length ? active({ _id: { $in: ids } }) : [];
    }
  }
}

/** Names of the requester's departments and every department above them (for `department` conditions). */
export async function departmentNames(org: OrgService, user: UserDoc): Promise<string[]> {
  if (!user.departmentIds.length) return [];
  const own = await org.departments
    .find({ _id: { $in: user.departmentIds } }, { name: 1, ancestorIds: 1 })
    .lean()
    .exec();
  const above = await org.departments
    .find({ _id: { $in: own.flatMap((d) => d.ancestorIds) } }, { name: 1 })
    .lean()
    .exec();
  return [...own, ...above].map((d) => d.name);
}
