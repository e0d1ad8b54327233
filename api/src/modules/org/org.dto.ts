import type { Types } from 'mongoose';
import type { Department } from './department.model';
import type { User } from './user.model';

type WithId<T> = T & { _id: Types.ObjectId };

export function toUserDto(u: WithId<User>) {
  return {
    id: String(u._id),
    name: u.name,
    mobile: u.mobile ?? null,
    email: u.email ?? null,
    title: u.title ?? null,
    identities: { wecom: u.identities?.wecom ?? null, dingtalk: u.identities?.dingtalk ?? null },
    departmentIds: u.departmentIds.map(String),
    leaderId: u.leaderId ? String(u.leaderId) : null,
    roles: u.roles,
    dataScope: u.dataScope,
    status: u.status,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export function toDepartmentDto(d: WithId<Department>) {
  return {
    id: String(d._id),
    name: d.name,
    parentId: d.parentId ? String(d.parentId) : null,
    ancestorIds: d.ancestorIds.map(String),
    leaderIds: d.leaderIds.map(String),
    order: d.order,
    status: d.status,
  };
}
