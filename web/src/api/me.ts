import { useQuery } from '@tanstack/react-query';
import { api, session } from './client';
import type { MeDto } from './types';

/** The signed-in user, their roles, data scope and permissions (GET /api/v1/me). */
export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => api<MeDto>('/me'), enabled: Boolean(session.token()), staleTime: 5 * 60_000 });
}

/** Admin pages (组织与成员, 审计日志, 设置, 导入) are shown to admins only; the API refuses others anyway. */
export function isAdmin(me: MeDto | undefined): boolean {
  return Boolean(me?.roles.includes('admin'));
}
