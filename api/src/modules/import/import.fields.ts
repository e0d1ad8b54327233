import { foldWidth } from '@crm/shared';

/**
 * The entities a file may import. A customer row may carry a contact (联系人 / 手机 / 邮箱), a follow-up (跟进内容 /
 * 跟进时间 / 跟进方式) and an opportunity (商机名称 / 金额 / 预计成交 / 阶段) of that customer too.
 */
export const IMPORT_ENTITIES = ['customers'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];

/** What a column can be mapped to, with the headers people write for it (Chinese and English). */
export const IMPORT_FIELDS = {
  name: { label: '客户名称', headers: ['客户名称', '客户', '客户名', '名称', 'customer', 'customer name', 'name'] },
  company: {
    label: '公司名称',
    headers: ['公司', '公司名称', '公司全称', '单位', '单位名称', '企业名称', 'company', 'company name', 'organization', 'account'],
  },
  contactName: { label: '联系人', headers: ['联系人', '姓名', '联系人姓名', '联系人名称', 'contact', 'contact name', 'full name'] },
  title: { label: '职位', headers: ['职位', '职务', '岗位', 'title', 'job title', 'position'] },
  phones: {
    label: '手机 / 电话',
    headers: ['手机', '手机号', '手机号码', '电话', '联系电话', '电话号码', '联系方式', '座机', 'mobile', 'phone', 'tel', 'telephone', 'cell', 'mobile phone'],
  },
  email: { label: '邮箱', headers: ['邮箱', '电子邮箱', '邮件', 'email', 'e-mail', 'mail', 'email address'] },
  source: { label: '来源', headers: ['来源', '客户来源', '线索来源', 'source', 'lead source'] },
  tier: { label: '客户等级', headers: ['等级', '客户等级', '级别', '客户级别', 'tier', 'level', 'rating', 'grade'] },
  owner: { label: '负责人', headers: ['负责人', '销售', '归属销售', '跟进人', '客户经理', '所属人', 'owner', 'sales', 'account owner', 'assigned to'] },
  region: { label: '地区', headers: ['地区', '区域', '所在地', '地址', 'region', 'location', 'area'] },
  province: { label: '省份', headers: ['省', '省份', 'province', 'state'] },
  city: { label: '城市', headers: ['市', '城市', 'city'] },
  industry: { label: '行业', headers: ['行业', '所属行业', 'industry'] },
  tags: { label: '标签', headers: ['标签', 'tags', 'tag', 'labels'] },
  nextFollowUpAt: {
    label: '下次联系时间',
    headers: ['下次联系时间', '下次联系', '下次跟进时间', '下次跟进', 'next follow-up', 'next contact', 'next follow up'],
  },
  note: { label: '备注', headers: ['备注', '说明', '描述', 'note', 'notes', 'remark', 'remarks', 'description', 'comment'] },
  followUpContent: {
    label: '跟进内容',
    headers: ['跟进内容', '跟进记录', '跟进情况', '沟通记录', '沟通内容', '拜访记录', 'follow-up', 'follow up', 'follow-up notes', 'activity', 'last activity'],
  },
  followUpAt: {
    label: '跟进时间',
    headers: [
      '跟进时间',
      '跟进日期',
      '最近跟进时间',
      '最后跟进时间',
      '拜访时间',
      '沟通时间',
      'follow-up date',
      'follow up date',
      'activity date',
      'last contacted',
    ],
  },
  followUpType: { label: '跟进方式', headers: ['跟进方式', '跟进类型', '沟通方式', 'follow-up type', 'follow up type', 'activity type'] },
  opportunityName: {
    label: '商机名称',
    headers: ['商机名称', '商机', '项目名称', '机会名称', 'opportunity', 'opportunity name', 'deal', 'deal name'],
  },
  amount: { label: '商机金额', headers: ['金额', '商机金额', '预计金额', '预算', 'amount', 'deal amount', 'deal value', 'value'] },
  expectedCloseDate: {
    label: '预计成交',
    headers: ['预计成交', '预计成交日期', '预计成交时间', '预计签约日期', 'close date', 'expected close', 'expected close date'],
  },
  stage: { label: '销售阶段', headers: ['阶段', '销售阶段', '商机阶段', 'stage', 'deal stage', 'sales stage'] },
} as const;
export type ImportField = keyof typeof IMPORT_FIELDS;
export const IMPORT_FIELD_KEYS = Object.keys(IMPORT_FIELDS) as ImportField[];

/** One column of the file and what it is imported as (null: ignored). */
export interface ColumnMapping {
  column: number;
  header: string;
  field: ImportField | null;
}

const simplify = (h: string) =>
  foldWidth(h)
    .toLowerCase()
    .replace(/[\s_*:：()（）[\]【】]/g, '');
const EXACT = new Map<string, ImportField>();
for (const key of IMPORT_FIELD_KEYS) for (const h of IMPORT_FIELDS[key].headers) EXACT.set(simplify(h), key);

/** The field a header most likely names: exact synonym first, then a header that starts or ends with one (客户名称（必填）). */
export function suggestField(header: string): ImportField | null {
  const h = simplify(header);
  if (!h) return null;
  const exact = EXACT.get(h);
  if (exact) return exact;
  let best: { field: ImportField; len: number } | null = null;
  for (const [syn, field] of EXACT) {
    if (syn.length < 2) continue;
    if ((h.startsWith(syn) || h.endsWith(syn)) && (!best || syn.length > best.len)) best = { field, len: syn.length };
  }
  return best?.field ?? null;
}

/** A mapping for the headers: each field at most once (the first column that names it). */
export function suggestMapping(headers: readonly string[], saved?: ReadonlyArray<{ header: string; field: ImportField | null }>): ColumnMapping[] {
  const used = new Set<ImportField>();
  const fromTemplate = new Map((saved ?? []).map((m) => [simplify(m.header), m.field]));
  return headers.map((header, column) => {
    const key = simplify(header);
    let field = fromTemplate.has(key) ? (fromTemplate.get(key) ?? null) : suggestField(header);
    if (field && used.has(field)) field = null;
    if (field) used.add(field);
    return { column, header, field };
  });
}
