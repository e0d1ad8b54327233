import type { DataScope, Permission, Role } from '@shared/org/roles';

/** What the workbench reads of the API's DTOs (the server's zod schemas are the contract). */
export interface UserDto {
  id: string;
  name: string;
  mobile: string | null;
  email: string | null;
  title: string | null;
  identities: { wecom: string | null; dingtalk: string | null };
  departmentIds: string[];
  leaderId: string | null;
  roles: Role[];
  dataScope: DataScope;
  status: 'active' | 'resigned';
  createdAt: string;
  updatedAt: string;
}

export interface MeDto {
  user: UserDto;
  roles: Role[];
  scope: { type: DataScope; label: string };
  permissions: Permission[];
}

export interface SignInDto {
  token: string;
  expiresAt: string;
  user: UserDto;
}

export interface AuthOptionsDto {
  devLogin: boolean;
  demoUsers: Array<{ login: string; name: string; title: string | null }>;
  wecomOAuth: { corpId: string; agentId: number } | null;
  dingtalk: boolean;
  qrLogin?: { wecom: boolean; dingtalk: boolean };
}

export interface DepartmentDto {
  id: string;
  name: string;
  parentId: string | null;
  ancestorIds: string[];
  leaderIds: string[];
  order: number;
  status: string;
}

export interface CustomerListItem {
  id: string;
  name: string;
  company?: string;
  tier: string;
  source: string;
  status: 'owned' | 'pool';
  ownerId: string | null;
  ownerName: string | null;
  industry?: string | null;
  region?: { province?: string | null; city?: string | null } | null;
  lastFollowUpAt?: string | null;
  nextFollowUpAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntryDto {
  id: string;
  at: string;
  actorId: string | null;
  actorName?: string;
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  requestId: string;
  channel: string;
  note?: string;
}
