import type { Customer360Dto, CustomerDto, DuplicateCheckDto, Page, QuickCreateBody } from './api-types';
import { toCustomer360, toCustomerListItem, toDuplicateVM, type Customer360VM, type CustomerListItemVM, type DuplicateVM } from './adapters/customer.adapter';
import { ApiError, type Request } from './request';
import type { KeyValueStore } from './storage';

const RECENT = 'crm.recentCustomers';
const RECENT_MAX = 10;

export interface CustomerService {
  search(q: string): Promise<CustomerListItemVM[]>;
  /** Recently opened customers (this device), else my latest customers. */
  recent(): Promise<CustomerListItemVM[]>;
  get360(id: string): Promise<Customer360VM>;
  duplicateCheck(input: QuickCreateBody): Promise<DuplicateVM>;
  /**
   * Creates; a suspected duplicate answers `{ duplicate }` instead (nothing is created unless `force`).
   * Every create carries an Idempotency-Key, the same one for the same form content (a double tap, a retry
   * after a lost answer): the server answers all of them with the one customer it created.
   */
  create(input: QuickCreateBody): Promise<{ id: string } | { duplicate: DuplicateVM }>;
}

const newKey = () => `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export function createCustomerService(
  request: Request,
  store: KeyValueStore,
  now: () => Date = () => new Date(),
  makeKey: () => string = newKey,
): CustomerService {
  // The key of the last content sent: a repeat of the same content reuses it, changed content (e.g. now forced) gets a new one.
  let last: { content: string; key: string } | null = null;
  const keyFor = (input: QuickCreateBody) => {
    const content = JSON.stringify(input);
    if (last?.content !== content) last = { content, key: makeKey() };
    return last.key;
  };
  const remember = (vm: Customer360VM) => {
    const item: CustomerListItemVM = {
      id: vm.id,
      name: vm.name,
      company: vm.company,
      tier: vm.tier,
      tierClass: vm.tierClass,
      owner: vm.owner,
      lastContact: vm.lastContact,
      isPool: vm.isPool,
    };
    const list = (store.get<CustomerListItemVM[]>(RECENT) ?? []).filter((c) => c.id !== vm.id);
    store.set(RECENT, [item, ...list].slice(0, RECENT_MAX));
  };

  return {
    async search(q) {
      const query = q.trim();
      if (!query) return [];
      const page = await request<Page<CustomerDto>>('GET', '/api/v1/customers', { query: { q: query, limit: 20 }, silent: true });
      return page.items.map((c) => toCustomerListItem(c, now()));
    },

    async recent() {
      const local = store.get<CustomerListItemVM[]>(RECENT) ?? [];
      if (local.length) return local;
      const page = await request<Page<CustomerDto>>('GET', '/api/v1/customers', { query: { owner: 'me', limit: 10 }, silent: true });
      return page.items.map((c) => toCustomerListItem(c, now()));
    },

    async get360(id) {
      // the page shows a failure itself (StateView): no toast repeating it
      const dto = await request<Customer360Dto>('GET', `/api/v1/customers/${encodeURIComponent(id)}`, { silent: true });
      const vm = toCustomer360(dto, now());
      remember(vm);
      return vm;
    },

    async duplicateCheck(input) {
      const dto = await request<DuplicateCheckDto>('POST', '/api/v1/customers/duplicate-check', { body: { ...input, force: false, reason: undefined } });
      return toDuplicateVM(dto);
    },

    async create(input) {
      try {
        const created = await request<CustomerDto>('POST', '/api/v1/customers', { body: input, silent: true, headers: { 'Idempotency-Key': keyFor(input) } });
        return { id: created.id };
      } catch (err) {
        if (err instanceof ApiError && err.code === 'DUPLICATE_SUSPECTED') {
          const details = (err.details ?? {}) as { candidates?: DuplicateCheckDto['candidates'] };
          return { duplicate: toDuplicateVM({ duplicate: true, candidates: details.candidates ?? [] }) };
        }
        throw err;
      }
    },
  };
}
