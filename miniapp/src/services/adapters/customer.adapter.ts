import { CONTRACT_STATUS_LABELS, FOLLOW_UP_TYPE_LABELS } from '@shared/customer/crm-enums';
import { formatPhone, formatRegion } from '@shared/customer/format';
import { formatMoneyShort } from '@shared/text/money';
import { formatAgo, formatDateTime } from '../../lib/time';
import type { ContactDto, ContractDto, Customer360Dto, CustomerDto, DuplicateCheckDto, FollowUpDto, OpportunityDto } from '../api-types';

/** View models: what the pages show, already formatted. Pages never read DTOs. */
export interface CustomerListItemVM {
  id: string;
  name: string;
  company: string;
  tier: string;
  tierClass: string;
  owner: string;
  lastContact: string;
  isPool: boolean;
}

export interface ContactVM {
  id: string;
  name: string;
  title: string;
  /** The number to dial (as stored). */
  phone: string | null;
  /** The number as people read it: 138 0013 8000. */
  phoneText: string | null;
  email: string | null;
  primary: boolean;
}

export interface TimelineItemVM {
  id: string;
  type: string;
  when: string;
  content: string;
  address: string | null;
  nextStep: string | null;
}

export interface OpportunityVM {
  id: string;
  name: string;
  stage: string;
  amount: string;
}

export interface ContractVM {
  id: string;
  title: string;
  amount: string;
  status: string;
  statusClass: 'ok' | 'warn' | 'bad' | 'muted';
}

export interface Customer360VM {
  id: string;
  name: string;
  company: string;
  tier: string;
  tierClass: string;
  owner: string;
  source: string;
  region: string;
  tags: string[];
  isPool: boolean;
  lastContact: string;
  nextReminder: string | null;
  contacts: ContactVM[];
  timeline: TimelineItemVM[];
  opportunities: OpportunityVM[];
  contracts: ContractVM[];
}

export function toCustomerListItem(c: CustomerDto, now: Date): CustomerListItemVM {
  return {
    id: c.id,
    name: c.name,
    company: c.company ?? '',
    tier: `${c.tier}`,
    tierClass: `tier-${c.tier.toLowerCase()}`,
    owner: c.status === 'pool' ? '公海' : (c.ownerName ?? '—'),
    lastContact: c.lastFollowUpAt ? `${formatAgo(c.lastFollowUpAt, now)}联系` : '尚未联系',
    isPool: c.status === 'pool',
  };
}

export function toContact(c: ContactDto): ContactVM {
  const phone = c.mobiles?.[0] ?? c.phones?.[0] ?? null;
  return {
    id: c.id,
    name: c.name,
    title: c.title ?? '',
    phone,
    phoneText: phone ? formatPhone(phone) : null,
    email: c.emails?.[0] ?? null,
    primary: Boolean(c.primary),
  };
}

export function toTimelineItem(f: FollowUpDto, now: Date): TimelineItemVM {
  return {
    id: f.id,
    type: FOLLOW_UP_TYPE_LABELS[f.type] ?? f.type,
    when: formatDateTime(f.happenedAt, now),
    content: f.content,
    address: f.location?.address ?? null,
    nextStep: f.nextStep ? `${formatDateTime(f.nextStep.dueAt, now)} · ${f.nextStep.text}` : null,
  };
}

export function toOpportunity(o: OpportunityDto): OpportunityVM {
  return { id: o.id, name: o.name, stage: o.stageName ?? o.stage, amount: formatMoneyShort(o.amountFen ?? null) };
}

const CONTRACT_CLASS: Record<ContractDto['status'], ContractVM['statusClass']> = {
  draft: 'muted',
  pending_approval: 'warn',
  approved: 'ok',
  rejected: 'bad',
  signed: 'ok',
  void: 'muted',
};

export function toContract(c: ContractDto): ContractVM {
  return {
    id: c.id,
    title: c.title,
    amount: formatMoneyShort(c.amountFen),
    status: CONTRACT_STATUS_LABELS[c.status] ?? c.status,
    statusClass: CONTRACT_CLASS[c.status] ?? 'muted',
  };
}

export function toCustomer360(dto: Customer360Dto, now: Date): Customer360VM {
  const c = dto.customer;
  const list = toCustomerListItem(c, now);
  return {
    ...list,
    source: c.source,
    region: formatRegion(c.region),
    tags: c.tags ?? [],
    nextReminder: dto.nextReminderAt ? formatDateTime(dto.nextReminderAt, now) : null,
    contacts: dto.contacts.map(toContact),
    timeline: dto.recentFollowUps.map((f) => toTimelineItem(f, now)),
    opportunities: dto.openOpportunities.map(toOpportunity),
    contracts: dto.contracts.map(toContract),
  };
}

export interface DuplicateVM {
  duplicate: boolean;
  lines: string[];
  /** A visible candidate to open instead of creating. */
  openId: string | null;
}

const REASON_LABELS: Record<string, string> = { mobile: '手机号相同', email: '邮箱相同', company: '公司相同', name_and_company: '同名且公司相近' };

export function toDuplicateVM(dto: DuplicateCheckDto): DuplicateVM {
  const lines = dto.candidates.map((c) => {
    const why = c.reasons.map((r) => REASON_LABELS[r] ?? r).join('、');
    if (!c.visible) return `${c.ownedBy}的客户（${why}）`;
    const owner = c.status === 'pool' ? '公海' : (c.ownerName ?? '—');
    return `${c.name}${c.company ? ` · ${c.company}` : ''}（负责人 ${owner}；${why}）`;
  });
  const firstVisible = dto.candidates.find((c) => c.visible);
  return { duplicate: dto.duplicate, lines, openId: firstVisible && firstVisible.visible ? firstVisible.id : null };
}
