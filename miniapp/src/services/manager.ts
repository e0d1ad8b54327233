import type { CustomerDto, Page } from './api-types';
import { toOverdue, type OverdueVM } from './adapters/manager.adapter';
import type { Request } from './request';

/** Pages read at most this many records per list (a rep's overdue customers on a phone, not an export). */
const MAX_PAGES = 5;

export interface ManagerService {
  /** Customers in the viewer's scope whose planned next follow-up is past (one rep's with `ownerId`), oldest first. */
  overdue(ownerId?: string): Promise<OverdueVM[]>;
}

async function readAll<T>(request: Request, path: string, query: Record<string, string> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page: Page<T> = await request<Page<T>>('GET', path, { query: { ...query, limit: 100, cursor } });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** The list behind the dashboard's team-overdue bars: the API's data scope decides whose customers count. */
export function createManagerService(request: Request, now: () => Date = () => new Date()): ManagerService {
  return {
    async overdue(ownerId) {
      return toOverdue(await readAll<CustomerDto>(request, '/api/v1/customers', ownerId ? { owner: ownerId, status: 'owned' } : {}), now());
    },
  };
}
