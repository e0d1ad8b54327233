import { formatAgo, formatDateTime } from '../../lib/time';
import type { CustomerDto } from '../api-types';

export interface OverdueVM {
  customerId: string;
  customer: string;
  owner: string;
  due: string;
  lastContact: string;
}

/** The team's overdue follow-ups: customers in scope whose planned next follow-up is past, oldest first. */
export function toOverdue(customers: CustomerDto[], now: Date): OverdueVM[] {
  return customers
    .filter((c) => c.nextFollowUpAt && new Date(c.nextFollowUpAt).getTime() < now.getTime() && c.status === 'owned')
    .sort((a, b) => new Date(a.nextFollowUpAt!).getTime() - new Date(b.nextFollowUpAt!).getTime())
    .map((c) => ({
      customerId: c.id,
      customer: c.name,
      owner: c.ownerName ?? '—',
      due: formatDateTime(c.nextFollowUpAt, now),
      lastContact: c.lastFollowUpAt ? formatAgo(c.lastFollowUpAt, now) : '尚未联系',
    }));
}
