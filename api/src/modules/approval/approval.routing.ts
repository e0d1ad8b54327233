import { Types } from 'mongoose';
import type { ApproverSpec, ApprovalStepSpec } from '@crm/shared';
import type { OrgService } from '../org/org.service';
import type { UserDoc } from '../org/user.model';
import { AppError } from '../../errors/app-error';
import type { StepState } from './approval.model';

type Person = { _id: Types.ObjectId; name: string };
type Named = Person & { status: 'active' | 'resigned' };

export type { StandIn } from '../org/org.service';
import type { StandIn } from '../org/org.service';

export const ApprovalRoutingErrorCode = { NO_APPROVER: 'APPROVAL_NO_APPROVER' } as const;

/**
 * Turns rule steps into a concrete route for one requester, from the org as it is now. The result is
 * stored on the approval: later rule or org changes never alter it. A step whose approvers are all
 * resigned, missing (no leader, no department leader) or only the requester is never skipped: the
 * fallback chain (`standInFor`) finds who stands in, and the approver records why. When even the chain
 * is empty the submission is refused (422). The first step becomes `pending`.
 */
export async function resolveRoute(
  org: OrgService,
  requester: UserDoc,
  specs: ReadonlyArray<ApprovalStepSpec & { reason?: string }>,
  now: Date,
): Promise<StepState[]> {
  const steps: StepState[] = [];
  for (const spec of specs) {
    const named = new Map<string, Named>();
    const deps: Types.ObjectId[] = [];
    for (const a of spec.approvers) {
      const r = await namedApprovers(org, requester, a);
      for (const p of r.people) named.set(String(p._id), p);
      deps.push(...r.departments);
    }
    const people = [...named.values()].filter((p) => p.status === 'active' && !p._id.equals(requester._id));
    let standIn: StandIn | null = null;
    if (!people.length) {
      const nobody = [...named.values()];
      const why = !nobody.length
        ? spec.approvers.some((a) => a.type === 'directLeader' || a.type === 'supervisor')
          ? '申请人没有上级'
          : '没有符合条件的审批人'
        : nobody.every((p) => p._id.equals(requester._id))
          ? `审批人 ${nobody.map((p) => p.name).join('、')} 是申请人本人`
          : `${nobody.map((p) => p.name).join('、')} 已离职`;
      standIn = await standInFor(org, {
        above: nobody,
        departments: deps.length ? deps : requester.departmentIds,
        exclude: [requester._id],
        why,
      });
      if (!standIn) {
        throw new AppError(
          422,
          ApprovalRoutingErrorCode.NO_APPROVER,
          `审批步骤「${spec.name}」找不到在职的审批人（${why}，上级、部门负责人和管理员都没有），请联系管理员`,
          {
            details: [{ path: `steps.${spec.key}`, message: why }],
          },
        );
      }
    }
    const approvers = standIn ? [{ ...standIn.person, reason: standIn.reason }] : people.map((p) => ({ _id: p._id, name: p.name, reason: null }));
    steps.push({
      index: steps.length,
      key: spec.key,
      name: spec.name,
      mode: spec.mode,
      status: 'waiting',
      reason: spec.reason || null,
      approvers: approvers.map((p) => ({
        userId: p._id,
        name: p.name,
        decision: null,
        comment: null,
        decidedAt: null,
        escalatedFromId: null,
        replacedById: null,
        standInReason: p.reason,
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

/** The fallback chain (documented on `OrgService.standInFor`). */
export function standInFor(org: OrgService, input: Parameters<OrgService['standInFor']>[0]): Promise<StandIn | null> {
  return org.standInFor(input);
}

/** Whom a rule approver names (active or not), and the departments it concerns (for the fallback chain). */
async function namedApprovers(org: OrgService, requester: UserDoc, spec: ApproverSpec): Promise<{ people: Named[]; departments: Types.ObjectId[] }> {
  switch (spec.type) {
    case 'users': {
      const ids = spec.users.filter((u) => Types.ObjectId.isValid(u) && /^[0-9a-f]{24}$/i.test(u)).map((u) => new Types.ObjectId(u));
      const found = await org.usersByIdOrLogin(ids, spec.users);
      // In the order the rule names them.
      const rank = (u: (typeof found)[number]) => spec.users.findIndex((x) => x === String(u._id) || x === u.identities?.wecom);
      return { people: found.sort((x, y) => rank(x) - rank(y)).map((u) => ({ _id: u._id, name: u.name, status: u.status })), departments: [] };
    }
    case 'role':
      return {
        people: requester.departmentIds.length ? await org.activeWithRole(requester.departmentIds[0]!, spec.role) : [],
        departments: [],
      };
    case 'directLeader':
      return { people: requester.leaderChain.length ? await org.people([requester.leaderChain[0]!]) : [], departments: [] };
    case 'supervisor': {
      const chain = requester.leaderChain;
      if (!chain.length) return { people: [], departments: [] };
      return { people: await org.people([chain[Math.min(spec.levels, chain.length) - 1]!]), departments: [] };
    }
    case 'departmentLeader': {
      const deps = await org.activeDepartmentsNamed(spec.department);
      const ids = deps.flatMap((d) => d.leaderIds);
      return { people: ids.length ? await org.people(ids) : [], departments: deps.map((d) => d._id) };
    }
  }
}

/** Names of the requester's departments and every department above them (for `department` conditions). */
export function departmentNames(org: OrgService, user: UserDoc): Promise<string[]> {
  return org.departmentNamesUp(user.departmentIds);
}
