import type { Types } from 'mongoose';
import type { DataScope, Role } from '@crm/shared';
import type { Services } from '../services';

interface DemoDepartment {
  key: string;
  name: string;
  parent: string | null;
  order: number;
}

interface DemoUser {
  login: string;
  name: string;
  title: string;
  department: string;
  leader: string | null;
  roles: Role[];
  scope: DataScope;
  mobile: string;
}

export const DEMO_DEPARTMENTS: DemoDepartment[] = [
  { key: 'hq', name: '示例科技有限公司', parent: null, order: 0 },
  { key: 'gmo', name: '总经办', parent: 'hq', order: 1 },
  { key: 'sales', name: '销售中心', parent: 'hq', order: 2 },
  { key: 'east', name: '华东销售部', parent: 'sales', order: 1 },
  { key: 'south', name: '华南销售部', parent: 'sales', order: 2 },
  { key: 'finance', name: '财务部', parent: 'hq', order: 3 },
  { key: 'legal', name: '法务部', parent: 'hq', order: 4 },
  { key: 'it', name: '信息部', parent: 'hq', order: 5 },
  { key: 'partners', name: '外部合作伙伴', parent: 'hq', order: 9 },
];

/** The demo org; the login is the WeCom userid and the DingTalk userid alike. */
export const DEMO_USERS: DemoUser[] = [
  { login: 'demo-admin', name: '孙立', title: '系统管理员', department: 'it', leader: 'demo-gm', roles: ['admin'], scope: 'all', mobile: '13800000001' },
  { login: 'demo-gm', name: '王建国', title: '总经理', department: 'gmo', leader: null, roles: ['manager'], scope: 'all', mobile: '13800000002' },
  {
    login: 'demo-director',
    name: '李娜',
    title: '销售总监',
    department: 'sales',
    leader: 'demo-gm',
    roles: ['manager'],
    scope: 'department_and_children',
    mobile: '13800000003',
  },
  {
    login: 'demo-manager',
    name: '张伟',
    title: '华东销售部经理',
    department: 'east',
    leader: 'demo-director',
    roles: ['manager'],
    scope: 'department_and_children',
    mobile: '13800000004',
  },
  { login: 'demo-rep1', name: '刘洋', title: '销售代表', department: 'east', leader: 'demo-manager', roles: ['rep'], scope: 'own', mobile: '13800000005' },
  { login: 'demo-rep2', name: '陈静', title: '销售代表', department: 'east', leader: 'demo-manager', roles: ['rep'], scope: 'own', mobile: '13800000006' },
  { login: 'demo-rep3', name: '黄磊', title: '销售代表', department: 'south', leader: 'demo-director', roles: ['rep'], scope: 'own', mobile: '13800000007' },
  { login: 'demo-finance', name: '赵敏', title: '财务经理', department: 'finance', leader: 'demo-gm', roles: ['manager'], scope: 'all', mobile: '13800000008' },
  { login: 'demo-legal', name: '吴昊', title: '法务经理', department: 'legal', leader: 'demo-gm', roles: ['manager'], scope: 'all', mobile: '13800000009' },
  { login: 'demo-partner', name: '周杰', title: '渠道合作伙伴', department: 'partners', leader: null, roles: ['partner'], scope: 'own', mobile: '13800000010' },
];

const DEPARTMENT_LEADERS: Record<string, string> = {
  gmo: 'demo-gm',
  sales: 'demo-director',
  east: 'demo-manager',
  south: 'demo-director',
  finance: 'demo-finance',
  legal: 'demo-legal',
  it: 'demo-admin',
};

export interface SeededOrg {
  departments: Map<string, Types.ObjectId>;
  users: Map<string, Types.ObjectId>;
}

/** Idempotent: departments are matched by (parent, name), users by WeCom userid. */
export async function seedOrg({ org }: Services): Promise<SeededOrg> {
  const departments = new Map<string, Types.ObjectId>();
  for (const d of DEMO_DEPARTMENTS) {
    const parentId = d.parent ? departments.get(d.parent)! : null;
    departments.set(d.key, await org.ensureDepartment({ parentId, name: d.name, order: d.order, externalIds: { wecom: d.key, dingtalk: d.key } }));
  }
  const users = new Map<string, Types.ObjectId>();
  for (const u of DEMO_USERS) {
    const id = await org.ensureUser(u.login, {
      name: u.name,
      title: u.title,
      mobile: u.mobile,
      identities: { wecom: u.login, dingtalk: u.login },
      departmentIds: [departments.get(u.department)!],
      roles: u.roles,
      dataScope: u.scope,
      status: 'active',
    });
    users.set(u.login, id);
  }
  for (const u of DEMO_USERS) {
    if (u.leader) await org.setLeaderIfNone(users.get(u.login)!, users.get(u.leader)!);
  }
  for (const [dep, login] of Object.entries(DEPARTMENT_LEADERS)) {
    await org.setDepartmentLeaderIfNone(departments.get(dep)!, users.get(login)!);
  }
  await org.rebuildDepartmentAncestors();
  await org.rebuildLeaderChains();
  return { departments, users };
}
