import type { DataScope, Role } from './roles';

/**
 * Everything needed to decide what a user may see, resolved once per request from the org chart.
 * `Id` is whatever the caller stores ids as (ObjectId in the API, string in tests and the mini-app).
 */
export interface ScopeViewer<Id> {
  userId: Id;
  roles: readonly Role[];
  scope: DataScope;
  /** Departments the user belongs to. */
  departmentIds: readonly Id[];
  /** Those departments and every department below them. */
  departmentTreeIds: readonly Id[];
  /** Every user below the viewer in the leader chain (direct and indirect reports). */
  subordinateIds: readonly Id[];
}

/** Which fields of a collection hold the owner, the department and the partner share list. */
export interface ScopeFields {
  owner: string;
  department: string;
  sharedWith?: string;
}

export const RECORD_SCOPE_FIELDS: ScopeFields = { owner: 'ownerId', department: 'departmentId', sharedWith: 'sharedWith' };

/** A filter that matches nothing. */
const NOTHING = { _id: { $in: [] } } as const;

export type ScopeFilter = Record<string, unknown>;

/**
 * The one data-scope rule. Every list, get, search, count, report, export and bot reply ANDs this
 * filter into its query. Partners see only what is explicitly shared with them, whatever their scope.
 */
export function buildScopeFilter<Id>(viewer: ScopeViewer<Id>, fields: ScopeFields = RECORD_SCOPE_FIELDS): ScopeFilter {
  if (viewer.roles.includes('partner') && !viewer.roles.includes('admin')) {
    return fields.sharedWith ? { [fields.sharedWith]: viewer.userId } : NOTHING;
  }
  switch (viewer.scope) {
    case 'all':
      return {};
    case 'own':
      return { [fields.owner]: viewer.userId };
    case 'own_and_subordinates':
      return { [fields.owner]: { $in: [viewer.userId, ...viewer.subordinateIds] } };
    case 'department':
      return { $or: [{ [fields.owner]: viewer.userId }, { [fields.department]: { $in: [...viewer.departmentIds] } }] };
    case 'department_and_children':
      return { $or: [{ [fields.owner]: viewer.userId }, { [fields.department]: { $in: [...viewer.departmentTreeIds] } }] };
    default:
      return assertNever(viewer.scope);
  }
}

/**
 * The same rule for one record already in memory (bot replies, side effects). Must agree with
 * buildScopeFilter; the tests check both against the same table.
 */
export function isInScope<Id>(
  viewer: ScopeViewer<Id>,
  record: { owner: Id | null | undefined; departments: readonly Id[]; sharedWith?: readonly Id[] },
  same: (a: Id, b: Id) => boolean = Object.is,
): boolean {
  const has = (list: readonly Id[], id: Id | null | undefined) => id != null && list.some((x) => same(x, id));
  if (viewer.roles.includes('partner') && !viewer.roles.includes('admin')) {
    return has(record.sharedWith ?? [], viewer.userId);
  }
  const own = record.owner != null && same(record.owner, viewer.userId);
  switch (viewer.scope) {
    case 'all':
      return true;
    case 'own':
      return own;
    case 'own_and_subordinates':
      return own || has(viewer.subordinateIds, record.owner);
    case 'department':
      return own || record.departments.some((d) => has(viewer.departmentIds, d));
    case 'department_and_children':
      return own || record.departments.some((d) => has(viewer.departmentTreeIds, d));
    default:
      return assertNever(viewer.scope);
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${String(x)}`);
}
