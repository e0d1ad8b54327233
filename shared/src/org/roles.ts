export const ROLES = ['admin', 'manager', 'rep', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Chinese names for UI text and bot replies. */
export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  manager: '经理',
  rep: '销售',
  partner: '外部合作方',
};

export const DATA_SCOPES = ['own', 'own_and_subordinates', 'department', 'department_and_children', 'all'] as const;
export type DataScope = (typeof DATA_SCOPES)[number];

export const DATA_SCOPE_LABELS: Record<DataScope, string> = {
  own: '本人',
  own_and_subordinates: '本人及下属',
  department: '本部门',
  department_and_children: '本部门及下级部门',
  all: '全部',
};

/** What each role may do, independent of which records (that is the data scope's job). */
export const PERMISSIONS = [
  'org.read', // list / get users and departments (within scope)
  'org.write', // create / update / deactivate users and departments
  'audit.read',
  'record.read', // CRM records: customers, follow-ups, deals...
  'record.write',
  'record.transfer', // hand a customer to another owner
  'record.import', // import customers from Excel / CSV, and roll an import back
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  manager: ['org.read', 'record.read', 'record.write', 'record.transfer', 'record.import'],
  rep: ['org.read', 'record.read', 'record.write'],
  partner: ['record.read'],
};

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => GRANTS[r].includes(permission));
}
