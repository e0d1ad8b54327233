import type { CustomerDto, OpportunityDto, Page, StageDto } from './api-types';
import { toFunnel, toOverdue, type FunnelRowVM, type OverdueVM } from './adapters/manager.adapter';
import type { Request } from './request';

/** Pages read at most this many records per list (the manager view is a glance, not a report). */
const MAX_PAGES = 5;

export interface ManagerService {
  overdue(): Promise<OverdueVM[]>;
  funnel(): Promise<FunnelRowVM[]>;
}

async function readAll<T>(request: Request, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page: Page<T> = await request<Page<T>>('GET', path, { query: { limit: 100, cursor } });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** The team view, from the scoped lists (no report endpoint yet): the API's data scope decides whose records count. */
export function createManagerService(request: Request, now: () => Date = () => new Date()): ManagerService {
  return {
    async overdue() {
      return toOverdue(await readAll<CustomerDto>(request, '/api/v1/customers'), now());
    },
    async funnel() {
      const [stages, deals] = await Promise.all([
        request<{ items: StageDto[] } | StageDto[]>('GET', '/api/v1/opportunities/stages'),
        readAll<OpportunityDto>(request, '/api/v1/opportunities'),
      ]);
      return toFunnel(Array.isArray(stages) ? stages : stages.items, deals);
    },
  };
}
