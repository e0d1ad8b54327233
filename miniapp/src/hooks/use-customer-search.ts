import { useEffect, useState } from 'react';
import type { CustomerListItemVM } from '../services/adapters/customer.adapter';
import type { CustomerService } from '../services/customers';
import { useAsync, type LoadState } from './use-async';

export const SEARCH_DEBOUNCE_MS = 300;

/** The value, once it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export interface SearchView {
  mode: 'recent' | 'results';
  state: LoadState;
  items: CustomerListItemVM[];
  error: string;
  /** The query the items answer. */
  query: string;
  reload(): void;
}

/** One search box: debounced; recent customers while empty. */
export function useCustomerSearch(input: string, svc: CustomerService, ms = SEARCH_DEBOUNCE_MS): SearchView {
  const query = useDebounced(input.trim(), ms);
  const r = useAsync(() => (query ? svc.search(query) : svc.recent()), [query]);
  return { mode: query ? 'results' : 'recent', state: r.state, items: r.data ?? [], error: r.error, query, reload: r.reload };
}
