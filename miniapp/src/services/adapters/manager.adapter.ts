import { formatAgo, formatDateTime } from '../../lib/time';
import type { CustomerDto, OpportunityDto, StageDto } from '../api-types';
import { formatMoney } from '../../lib/time';

export interface FunnelRowVM {
  key: string;
  name: string;
  count: number;
  amount: string;
  /** 0–100: the bar's width relative to the biggest stage. */
  width: number;
}

/** A simple funnel: open stages in their configured order, with count and amount of the deals in each. */
export function toFunnel(stages: StageDto[], deals: OpportunityDto[]): FunnelRowVM[] {
  const open = stages.filter((s) => s.outcome === 'open');
  const rows = open.map((s) => {
    const inStage = deals.filter((d) => d.stage === s.key);
    return { key: s.key, name: s.name, count: inStage.length, fen: inStage.reduce((sum, d) => sum + (d.amountFen ?? 0), 0) };
  });
  const max = Math.max(1, ...rows.map((r) => r.count));
  return rows.map((r) => ({ key: r.key, name: r.name, count: r.count, amount: formatMoney(r.fen), width: Math.round((r.count / max) * 100) }));
}

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
