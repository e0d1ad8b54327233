import { useQuery } from '@tanstack/react-query';
import { api, type Page } from './client';
import type { DepartmentDto, UserDto } from './types';

/** Active users the caller may see (first 100, by name search): owner pickers and the org page. */
export const useUsers = (q?: string, status: 'active' | 'resigned' | undefined = 'active') =>
  useQuery({ queryKey: ['users', q ?? '', status ?? ''], queryFn: () => api<Page<UserDto>>('/users', { query: { q, status, limit: 100 } }) });

export const useDepartments = () => useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: DepartmentDto[] }>('/departments') });
