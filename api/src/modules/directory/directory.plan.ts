import type { Types } from 'mongoose';
import type { DataScope, Role } from '@crm/shared';
import type { DirectoryDepartment, DirectoryPerson } from './directory.port';

/** The mapping rules (config `directory`). */
export interface MappingRules {
  /** Platform department ids whose trees are in scope; empty: all. */
  departments: string[];
  defaultRole: Role;
  defaultScope: DataScope;
  leaderScope: DataScope;
}

export interface CrmUser {
  _id: Types.ObjectId;
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  departmentIds: Types.ObjectId[];
  leaderId: Types.ObjectId | null;
  roles: Role[];
  dataScope: DataScope;
  status: 'active' | 'resigned';
  identities: { wecom?: string; dingtalk?: string };
}
export interface CrmDepartment {
  _id: Types.ObjectId;
  name: string;
  parentId: Types.ObjectId | null;
  leaderIds: Types.ObjectId[];
  order: number;
  externalIds: { wecom?: string; dingtalk?: string };
}

/** What one person should look like in the CRM, in platform ids (departments and leader not yet mapped to CRM ids). */
export interface DesiredPerson {
  userid: string;
  name: string;
  mobile: string | undefined;
  email: string | undefined;
  title: string | undefined;
  departmentIds: string[];
  leaderUserid: string | null;
  isLeader: boolean;
}

/** Departments in scope (the configured roots and everything below them), parents before children. */
export function departmentsInScope(all: DirectoryDepartment[], roots: readonly string[]): DirectoryDepartment[] {
  const byId = new Map(all.map((d) => [d.id, d]));
  const depth = (d: DirectoryDepartment): number => {
    let n = 0;
    for (let p = d.parentId; p && byId.has(p) && n < 50; p = byId.get(p)!.parentId) n++;
    return n;
  };
  const inScope = (d: DirectoryDepartment): boolean => {
    if (!roots.length) return true;
    for (let x: DirectoryDepartment | undefined = d, n = 0; x && n < 50; x = x.parentId ? byId.get(x.parentId) : undefined, n++)
      if (roots.includes(x.id)) return true;
    return false;
  };
  return all
    .filter(inScope)
    .map((d) => ({ d, depth: depth(d) }))
    .sort((a, b) => a.depth - b.depth || a.d.order - b.d.order || a.d.id.localeCompare(b.d.id))
    .map((x) => x.d);
}

const digitsOfMobile = (m: string | null | undefined): string | undefined => {
  const d = (m ?? '').replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return /^1[3-9]\d{9}$/.test(d) ? d : undefined;
};

/**
 * Everyone active in the departments in scope, once each (a person in several departments is listed by each),
 * in userid order; with their leader: the platform's direct leader, else a leader of their main department
 * (not themself), else of the departments above it.
 */
export function desiredPeople(depts: DirectoryDepartment[], members: DirectoryPerson[]): { active: DesiredPerson[]; inactive: Set<string> } {
  const scope = new Map(depts.map((d) => [d.id, d]));
  const merged = new Map<string, DirectoryPerson>();
  const inactive = new Set<string>();
  for (const m of members) {
    if (!m.active) {
      inactive.add(m.userid);
      continue;
    }
    const seen = merged.get(m.userid);
    merged.set(m.userid, seen ? { ...seen, departmentIds: [...new Set([...seen.departmentIds, ...m.departmentIds])] } : m);
  }
  const leaderOf = (userid: string, deptId: string | undefined): string | null => {
    for (let d = deptId ? scope.get(deptId) : undefined, n = 0; d && n < 50; d = d.parentId ? scope.get(d.parentId) : undefined, n++) {
      const l = d.leaderIds.find((x) => x !== userid && merged.has(x));
      if (l) return l;
    }
    return null;
  };
  const active = [...merged.values()]
    .map((m): DesiredPerson => {
      const departmentIds = m.departmentIds.filter((d) => scope.has(d));
      const direct = m.leaderUserid && m.leaderUserid !== m.userid && merged.has(m.leaderUserid) ? m.leaderUserid : null;
      return {
        userid: m.userid,
        name: m.name.slice(0, 64),
        mobile: digitsOfMobile(m.mobile),
        email: m.email ? m.email.trim().toLowerCase() : undefined,
        title: m.title ? m.title.slice(0, 64) : undefined,
        departmentIds,
        leaderUserid: direct ?? leaderOf(m.userid, departmentIds[0]),
        isLeader: departmentIds.some((d) => scope.get(d)!.leaderIds.includes(m.userid)),
      };
    })
    .filter((p) => p.departmentIds.length > 0)
    .sort((a, b) => (a.userid < b.userid ? -1 : a.userid > b.userid ? 1 : 0));
  return { active, inactive };
}

/** The roles and scope a person should get from the rules: department leaders become managers. */
export function rolesFor(p: DesiredPerson, rules: MappingRules): { roles: Role[]; dataScope: DataScope } {
  return p.isLeader ? { roles: ['manager'], dataScope: rules.leaderScope } : { roles: [rules.defaultRole], dataScope: rules.defaultScope };
}

/** The platform-owned fields that differ between the CRM user and the platform (departments compared as platform ids). */
export function changedFields(
  user: CrmUser,
  want: DesiredPerson,
  deptExternal: (id: Types.ObjectId) => string | undefined,
  userExternal: (id: Types.ObjectId) => string | undefined,
): string[] {
  const out: string[] = [];
  if (user.name !== want.name) out.push('name');
  if ((user.mobile ?? undefined) !== want.mobile) out.push('mobile');
  if ((user.email ?? undefined) !== want.email) out.push('email');
  if ((user.title ?? undefined) !== want.title) out.push('title');
  if (user.departmentIds.map((d) => deptExternal(d) ?? String(d)).join() !== want.departmentIds.join()) out.push('departmentIds');
  if ((user.leaderId ? (userExternal(user.leaderId) ?? String(user.leaderId)) : null) !== want.leaderUserid) out.push('leaderId');
  return out;
}

export function changedDepartmentFields(d: CrmDepartment, want: DirectoryDepartment, parentExternal: string | null, leaderExternals: string[]): string[] {
  const out: string[] = [];
  if (d.name !== want.name) out.push('name');
  if (d.order !== want.order) out.push('order');
  if (parentExternal !== (want.parentId ?? null)) out.push('parentId');
  if (leaderExternals.join() !== want.leaderIds.join()) out.push('leaderIds');
  return out;
}
