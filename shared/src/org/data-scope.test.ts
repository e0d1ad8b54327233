import { buildScopeFilter, isInScope, type ScopeViewer } from './data-scope';
import { can, type DataScope, type Role } from './roles';

/*
 * Org used by every row:
 *   sales (销售中心) ── east (华东) ── east-1 (华东一组)
 *                   └─ south (华南)
 *   mgr leads east; rep1 and rep2 report to mgr; rep3 is in south; lead1 reports to rep1 (a team lead chain).
 */
const records = {
  own: { owner: 'me', departments: ['east'] },
  subordinate: { owner: 'rep1', departments: ['east'] },
  subSubordinate: { owner: 'lead1', departments: ['east-1'] },
  sameDepartment: { owner: 'peer', departments: ['east'] },
  childDepartment: { owner: 'x', departments: ['east-1'] },
  otherDepartment: { owner: 'rep3', departments: ['south'] },
  ownElsewhere: { owner: 'me', departments: ['south'] },
  sharedWithMe: { owner: 'rep3', departments: ['south'], sharedWith: ['me'] },
  orphan: { owner: null, departments: [] as string[] },
} as const;
type RecordName = keyof typeof records;

function viewer(scope: DataScope, roles: Role[] = ['rep']): ScopeViewer<string> {
  return {
    userId: 'me',
    roles,
    scope,
    departmentIds: ['east'],
    departmentTreeIds: ['east', 'east-1'],
    subordinateIds: ['rep1', 'rep2', 'lead1'],
  };
}

const table: Array<[string, ScopeViewer<string>, RecordName[]]> = [
  ['own', viewer('own'), ['own', 'ownElsewhere']],
  ['own_and_subordinates', viewer('own_and_subordinates'), ['own', 'ownElsewhere', 'subordinate', 'subSubordinate']],
  ['department', viewer('department'), ['own', 'ownElsewhere', 'subordinate', 'sameDepartment']],
  ['department_and_children', viewer('department_and_children'), ['own', 'ownElsewhere', 'subordinate', 'sameDepartment', 'subSubordinate', 'childDepartment']],
  ['all', viewer('all'), Object.keys(records) as RecordName[]],
  ['partner (scope ignored)', viewer('all', ['partner']), ['sharedWithMe']],
  ['admin who is also a partner', viewer('all', ['admin', 'partner']), Object.keys(records) as RecordName[]],
];

/** A tiny evaluator for the operators buildScopeFilter emits ($or, $in, equality on scalars and arrays). */
function matches(filter: Record<string, unknown>, doc: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$or') return (cond as Record<string, unknown>[]).some((f) => matches(f, doc));
    const raw = doc[key];
    const values = Array.isArray(raw) ? raw : [raw];
    if (cond && typeof cond === 'object' && '$in' in cond) return values.some((v) => (cond.$in as unknown[]).includes(v));
    return values.includes(cond);
  });
}

describe.each(table)('data scope %s', (_name, v, visible) => {
  it.each(Object.keys(records) as RecordName[])('%s', (name) => {
    const r = records[name];
    const expected = visible.includes(name);
    expect(isInScope(v, r)).toBe(expected);
    const doc = { _id: name, ownerId: r.owner, departmentId: r.departments[0] ?? null, sharedWith: 'sharedWith' in r ? r.sharedWith : [] };
    expect(matches(buildScopeFilter(v), doc)).toBe(expected);
  });
});

describe('buildScopeFilter on collections without a share list', () => {
  it('gives partners nothing', () => {
    expect(buildScopeFilter(viewer('all', ['partner']), { owner: '_id', department: 'departmentIds' })).toEqual({ _id: { $in: [] } });
  });
  it('maps fields, e.g. users by _id and departmentIds', () => {
    expect(buildScopeFilter(viewer('department'), { owner: '_id', department: 'departmentIds' })).toEqual({
      $or: [{ _id: 'me' }, { departmentIds: { $in: ['east'] } }],
    });
  });
});

describe('role permissions', () => {
  it.each([
    ['admin', 'org.write', true],
    ['admin', 'audit.read', true],
    ['manager', 'org.read', true],
    ['manager', 'org.write', false],
    ['manager', 'audit.read', false],
    ['rep', 'record.write', true],
    ['rep', 'org.write', false],
    ['partner', 'record.read', true],
    ['partner', 'record.write', false],
    ['partner', 'org.read', false],
  ] as const)('%s %s → %s', (role, permission, allowed) => {
    expect(can([role], permission)).toBe(allowed);
  });
});
