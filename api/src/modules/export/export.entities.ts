import type { Types } from 'mongoose';
import { CONTRACT_STATUS_LABELS, FOLLOW_UP_TYPE_LABELS, formatPhone, type RecordSource } from '@crm/shared';
import type { Actor } from '../../context';
import type { RecordCursor } from '../customer/customer-scope';
import type { Services } from '../../services';
import type { Cell } from '../../spreadsheet/cells';
import type { ExportEntity, ExportFilters } from './export.dto-schema';

type Id = Types.ObjectId | null | undefined;

/** Names the rows of one batch refer to (owners, authors, customers, contacts), looked up once per batch. */
export interface Names {
  user(id: Id): string;
  customer(id: Id): string;
  contact(id: Id): string;
}

/** Which ids a row refers to, so a batch's names are fetched with one query per kind. */
export interface Refs {
  users: Id[];
  customers: Id[];
  contacts: Id[];
}

export interface Column<T> {
  header: string;
  /** Column width in characters (xlsx). */
  width: number;
  kind?: 'text' | 'date' | 'money' | 'number';
  value(row: T, names: Names): Cell;
}

/** One exportable entity: its sheet name, the caller's cursor (through the owning service), its references and columns. */
export interface EntityExport<T = Record<string, unknown>> {
  entity: ExportEntity;
  /** 客户: the sheet and file name. */
  label: string;
  open(actor: Actor, filters: ExportFilters): RecordCursor<T>;
  refs(row: T, into: Refs): void;
  columns: Array<Column<T>>;
}

const SOURCE_LABELS: Record<RecordSource, string> = { api: '接口', bot: '聊天', miniapp: '小程序', import: '导入' };
const fen = (amount: number | null | undefined): Cell => (typeof amount === 'number' ? amount / 100 : null);
const joined = (xs: readonly string[] | null | undefined, format: (s: string) => string = (s) => s) => (xs ?? []).map(format).join('、');

interface ScopeRow {
  _id: Types.ObjectId;
  ownerId: Types.ObjectId | null;
  customerId: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

/** The five exports, each reading through its module's service (its scope and list filters). */
export function exportEntities(s: Services): Record<ExportEntity, EntityExport> {
  type CustomerRow = ReturnType<Services['customers']['streamForExport']> extends RecordCursor<infer R> ? R : never;
  type ContactRow = ReturnType<Services['contacts']['streamForExport']> extends RecordCursor<infer R> ? R : never;
  type FollowUpRow = ReturnType<Services['followUps']['streamForExport']> extends RecordCursor<infer R> ? R : never;
  type DealRow = ReturnType<Services['opportunities']['streamForExport']> extends RecordCursor<infer R> ? R : never;
  type ContractRow = ReturnType<Services['contracts']['streamForExport']> extends RecordCursor<infer R> ? R : never;

  const owner: Column<ScopeRow> = { header: '负责人', width: 12, value: (r, n) => n.user(r.ownerId) };
  const customerName: Column<ScopeRow> = { header: '客户名称', width: 24, value: (r, n) => n.customer(r.customerId) };
  const createdAt: Column<ScopeRow> = { header: '创建时间', width: 18, kind: 'date', value: (r) => r.createdAt ?? null };
  const updatedAt: Column<ScopeRow> = { header: '更新时间', width: 18, kind: 'date', value: (r) => r.updatedAt ?? null };
  const scopeRefs = (r: ScopeRow, into: Refs) => {
    into.users.push(r.ownerId);
    into.customers.push(r.customerId);
  };

  const customers: EntityExport<CustomerRow> = {
    entity: 'customers',
    label: '客户',
    open: (actor, f) => s.customers.streamForExport(actor, f as Parameters<Services['customers']['streamForExport']>[1]),
    refs: (r, into) => void into.users.push(r.ownerId),
    columns: [
      { header: '客户名称', width: 24, value: (r) => r.name },
      { header: '公司', width: 30, value: (r) => r.company ?? '' },
      { header: '行业', width: 12, value: (r) => r.industry ?? '' },
      { header: '省份', width: 10, value: (r) => r.region?.province ?? '' },
      { header: '城市', width: 10, value: (r) => r.region?.city ?? '' },
      { header: '来源', width: 12, value: (r) => r.source },
      { header: '客户等级', width: 10, value: (r) => r.tier },
      { header: '状态', width: 8, value: (r) => (r.status === 'pool' ? '公海' : '私有') },
      { header: '负责人', width: 12, value: (r, n) => n.user(r.ownerId) },
      { header: '标签', width: 20, value: (r) => joined(r.tags) },
      { header: '最近跟进时间', width: 18, kind: 'date', value: (r) => r.lastFollowUpAt },
      { header: '下次跟进时间', width: 18, kind: 'date', value: (r) => r.nextFollowUpAt },
      { header: '保护期至', width: 18, kind: 'date', value: (r) => r.protectionEndsAt },
      { header: '创建时间', width: 18, kind: 'date', value: (r) => r.createdAt ?? null },
      { header: '更新时间', width: 18, kind: 'date', value: (r) => r.updatedAt ?? null },
    ],
  };

  const contacts: EntityExport<ContactRow> = {
    entity: 'contacts',
    label: '联系人',
    open: (actor, f) => s.contacts.streamForExport(actor, f),
    refs: scopeRefs,
    columns: [
      customerName,
      { header: '联系人', width: 12, value: (r) => r.name },
      { header: '职务', width: 12, value: (r) => r.title ?? '' },
      { header: '手机', width: 16, value: (r) => joined(r.mobiles, formatPhone) },
      { header: '座机', width: 18, value: (r) => joined(r.phones, formatPhone) },
      { header: '邮箱', width: 24, value: (r) => joined(r.emails) },
      { header: '主要联系人', width: 10, value: (r) => (r.primary ? '是' : '否') },
      owner,
      createdAt,
    ],
  };

  const followUps: EntityExport<FollowUpRow> = {
    entity: 'follow-ups',
    label: '跟进记录',
    open: (actor, f) => s.followUps.streamForExport(actor, f),
    refs: (r, into) => {
      scopeRefs(r, into);
      into.users.push(r.authorId);
      into.contacts.push(r.contactId);
    },
    columns: [
      customerName,
      { header: '联系人', width: 12, value: (r, n) => n.contact(r.contactId) },
      { header: '跟进方式', width: 10, value: (r) => FOLLOW_UP_TYPE_LABELS[r.type] ?? r.type },
      { header: '跟进内容', width: 50, value: (r) => r.content },
      { header: '跟进时间', width: 18, kind: 'date', value: (r) => r.happenedAt },
      { header: '下一步', width: 30, value: (r) => r.nextStep?.text ?? '' },
      { header: '下一步时间', width: 18, kind: 'date', value: (r) => r.nextStep?.dueAt ?? null },
      { header: '记录人', width: 12, value: (r, n) => n.user(r.authorId) },
      { header: '来源', width: 8, value: (r) => SOURCE_LABELS[r.source] ?? r.source },
      owner,
      createdAt,
    ],
  };

  const opportunities: EntityExport<DealRow> = {
    entity: 'opportunities',
    label: '商机',
    open: (actor, f) => s.opportunities.streamForExport(actor, f),
    refs: (r, into) => scopeRefs(r as unknown as ScopeRow, into),
    columns: [
      { header: '商机名称', width: 24, value: (r) => r.name },
      customerName as unknown as Column<DealRow>,
      { header: '金额（元）', width: 14, kind: 'money', value: (r) => fen(r.amountFen) },
      { header: '阶段', width: 10, value: (r) => s.opportunities.stageName(r.stage) },
      { header: '赢率(%)', width: 8, kind: 'number', value: (r) => r.probability ?? null },
      { header: '预计成交日期', width: 18, kind: 'date', value: (r) => r.expectedCloseDate },
      { header: '关闭时间', width: 18, kind: 'date', value: (r) => r.closedAt },
      { header: '输单原因', width: 20, value: (r) => r.lostReason ?? '' },
      owner as unknown as Column<DealRow>,
      createdAt as unknown as Column<DealRow>,
      updatedAt as unknown as Column<DealRow>,
    ],
  };

  const contracts: EntityExport<ContractRow> = {
    entity: 'contracts',
    label: '合同',
    open: (actor, f) => s.contracts.streamForExport(actor, f as Parameters<Services['contracts']['streamForExport']>[1]),
    refs: scopeRefs,
    columns: [
      { header: '合同编号', width: 18, value: (r) => r.number },
      { header: '合同名称', width: 24, value: (r) => r.title },
      customerName,
      { header: '金额（元）', width: 14, kind: 'money', value: (r) => fen(r.amountFen) },
      { header: '折扣(%)', width: 8, kind: 'number', value: (r) => r.discountPercent ?? 0 },
      { header: '状态', width: 8, value: (r) => CONTRACT_STATUS_LABELS[r.status] ?? r.status },
      { header: '签约时间', width: 18, kind: 'date', value: (r) => r.signedAt },
      owner,
      createdAt,
      updatedAt,
    ],
  };

  return { customers, contacts, 'follow-ups': followUps, opportunities, contracts } as unknown as Record<ExportEntity, EntityExport>;
}
