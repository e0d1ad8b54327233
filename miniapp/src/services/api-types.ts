/**
 * Shapes of the API's answers the mini-app reads. Reminder and approval DTOs come from shared/ (the fixed
 * contract); the core CRM answers are typed here from the API's `toDto` output (ids as hex strings, dates ISO).
 * Type-only imports: nothing of shared/ (zod, pinyin-pro) enters the bundle.
 */
export type { ReminderDto, ReminderBox, SnoozePreset } from '@shared/reminder/reminder.dto';
export type { ApprovalDto, ApprovalBox, ApprovalDecision, ApprovalStepDto, ApprovalHistoryEntryDto } from '@shared/approval/approval.dto';
export type { FollowUpType, CustomerTier, CustomerSource, ContractStatus } from '@shared/customer/crm-enums';
import type { CustomerSource, CustomerTier, ContractStatus, FollowUpType } from '@shared/customer/crm-enums';

export interface UserDto {
  id: string;
  name: string;
  title?: string | null;
  roles: string[];
  dataScope: string;
  identities?: { wecom?: string; dingtalk?: string };
}

export interface SignInResult {
  token: string;
  expiresAt: string;
  user: UserDto;
}

export interface AuthOptions {
  devLogin: boolean;
  demoUsers: Array<{ login: string; name: string; title: string | null }>;
  wecomOAuth: { corpId: string; agentId: number } | null;
  dingtalk: boolean;
}

export interface CustomerDto {
  id: string;
  name: string;
  company?: string | null;
  industry?: string | null;
  region?: { province?: string; city?: string } | null;
  source: CustomerSource;
  tier: CustomerTier;
  tags: string[];
  status: 'owned' | 'pool';
  ownerId: string | null;
  ownerName?: string | null;
  departmentId?: string | null;
  protectionEndsAt: string | null;
  lastFollowUpAt: string | null;
  nextFollowUpAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactDto {
  id: string;
  customerId: string;
  name: string;
  title?: string | null;
  mobiles: string[];
  phones: string[];
  emails: string[];
  primary: boolean;
}

export interface FollowUpDto {
  id: string;
  customerId: string;
  contactId: string | null;
  authorId: string;
  type: FollowUpType;
  content: string;
  happenedAt: string;
  location: { lat: number; lng: number; address?: string } | null;
  nextStep: { text: string; dueAt: string } | null;
  source: string;
  createdAt: string;
}

export interface OpportunityDto {
  id: string;
  customerId: string;
  name: string;
  stage: string;
  stageName?: string;
  amountFen?: number | null;
  ownerId: string | null;
  expectedCloseDate?: string | null;
  stageChangedAt?: string | null;
}

export interface StageDto {
  key: string;
  name: string;
  probability: number;
  slaDays: number | null;
  outcome: 'open' | 'won' | 'lost';
}

export interface ContractDto {
  id: string;
  customerId: string;
  number: string;
  title: string;
  amountFen: number;
  status: ContractStatus;
  createdAt: string;
}

export interface Customer360Dto {
  customer: CustomerDto;
  contacts: ContactDto[];
  recentFollowUps: FollowUpDto[];
  openOpportunities: OpportunityDto[];
  contracts: ContractDto[];
  nextReminderAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type DuplicateReason = 'mobile' | 'email' | 'company' | 'name_and_company';
export type DuplicateCandidateDto =
  | { visible: true; id: string; name: string; company: string | null; status: 'owned' | 'pool'; ownerName: string | null; reasons: DuplicateReason[] }
  | { visible: false; ownedBy: string; reasons: DuplicateReason[] };

export interface DuplicateCheckDto {
  duplicate: boolean;
  candidates: DuplicateCandidateDto[];
}

/** The body of POST /api/v1/follow-ups (shared/src/customer/crm.schemas.ts createFollowUpBody). */
export interface CreateFollowUpBody {
  customerId: string;
  contactId?: string;
  type: FollowUpType;
  content: string;
  happenedAt?: string;
  location?: { lat: number; lng: number; address?: string };
  nextStep?: { text: string; dueAt: string };
}

/** The body of POST /api/v1/customers (quick create). */
export interface QuickCreateBody {
  name: string;
  company?: string;
  source: CustomerSource;
  contacts: Array<{ name: string; phones: string[]; primary: boolean }>;
  force?: boolean;
  reason?: string;
}
