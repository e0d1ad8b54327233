import {
  CUSTOMER_SOURCES,
  companyKey,
  foldWidth,
  normalizeCompanyName,
  normalizeEmail,
  normalizePersonName,
  normalizePhone,
  parseChineseDateTime,
  FOLLOW_UP_TYPE_LABELS,
  formatFen,
  zonedInstant,
  type CustomerSource,
  type CustomerTier,
  type FollowUpType,
  type StageDefinition,
} from '@crm/shared';
import type { ColumnMapping, ImportField } from './import.fields';

/** The longest text a cell may hold (Excel's own limit); longer cells reject their row. */
export const MAX_CELL_CHARS = 32_767;

/** A row's customer (and its first contact) after cleansing, ready for the dedupe and the write. */
export interface CleanRow {
  name: string;
  company?: string;
  industry?: string;
  region?: { province?: string; city?: string };
  source: CustomerSource;
  tier: CustomerTier;
  tags: string[];
  nextFollowUpAt?: Date;
  /** The owner as typed (matched against users by the caller), or null. */
  ownerText: string | null;
  contact?: { name: string; title?: string; mobiles: string[]; phones: string[]; emails: string[] };
  /** Identities for the dedupe, the same keys the customer module claims: mobile:<digits>, email:<addr>, company:<core>. */
  identities: string[];
  /** The row's follow-up of the customer (跟进内容 / 跟进时间 / 跟进方式); none when those cells are empty. */
  followUp?: ImportedFollowUp;
  /** The row's 备注, as a follow-up of kind note (导入备注：…): the customer has no remark field. */
  note?: ImportedFollowUp;
  /** The row's opportunity (商机名称 / 金额 / 预计成交 / 阶段); none when those cells are empty. */
  opportunity?: ImportedOpportunity;
  /** Why the row's follow-up or opportunity is not imported (the customer still is). */
  refused?: { followUp?: string; opportunity?: string };
}

export interface ImportedFollowUp {
  type: FollowUpType;
  content: string;
  /** When it happened; absent: when the import writes it. */
  happenedAt?: Date;
}

export interface ImportedOpportunity {
  name: string;
  amountFen: number;
  /** A configured stage's key. */
  stage: string;
  expectedCloseDate?: Date;
}

export interface CellChange {
  field: ImportField;
  before: string;
  after: string;
}

export interface CleanResult {
  row: CleanRow | null;
  changes: CellChange[];
  /** Reasons the row is refused (row is null then). */
  errors: string[];
  /** Values dropped or guessed; the row is still imported. */
  warnings: string[];
}

const SOURCE_SYNONYMS: Array<[RegExp, CustomerSource]> = [
  [/老客户|转介绍|介绍|推荐|口碑|referr?al/i, '老客户推荐'],
  [/展会|会展|展览|博览|峰会|会议|exhibit|trade ?show|expo|conference/i, '展会'],
  [/官网|网站|网络|线上|在线|自然|搜索|seo|web|site|inbound|400/i, '官网'],
  [/广告|投放|推广|百度|头条|抖音|信息流|sem|ads?\b|advert|campaign/i, '广告'],
  [/电话|电销|外呼|call|tele/i, '电话营销'],
  [/合作|伙伴|渠道|代理|经销|partner|channel|reseller/i, '合作伙伴'],
  [/地推|拜访|上门|陌拜|扫街|field|visit/i, '地推拜访'],
  [/其他|其它|other|unknown/i, '其他'],
];

const TIER_SYNONYMS: Array<[RegExp, CustomerTier]> = [
  [/^(a|a级|a类|1|一级|重点|核心|vip|kA|战略|高|★★★★|⭐⭐⭐⭐)/i, 'A'],
  [/^(b|b级|b类|2|二级|重要|较高|★★★|⭐⭐⭐)/i, 'B'],
  [/^(c|c级|c类|3|三级|一般|普通|中|常规|★★|⭐⭐)/i, 'C'],
  [/^(d|d级|d类|4|四级|低|潜在|无效|★|⭐)/i, 'D'],
];

export function mapSource(text: string): CustomerSource | null {
  const s = foldWidth(text);
  if ((CUSTOMER_SOURCES as readonly string[]).includes(s)) return s as CustomerSource;
  for (const [re, v] of SOURCE_SYNONYMS) if (re.test(s)) return v;
  return null;
}

const FOLLOW_UP_TYPE_SYNONYMS: Array<[RegExp, FollowUpType]> = [
  [/拜访|上门|面谈|面访|见面|走访|visit/i, 'visit'],
  [/电话|致电|通话|来电|外呼|call|phone/i, 'call'],
  [/微信|企微|企业微信|钉钉|wechat|wecom|im\b/i, 'wechat'],
  [/会议|开会|视频会|线上会|meeting/i, 'meeting'],
  [/邮件|邮箱|e-?mail|mail/i, 'email'],
  [/备注|记录|说明|note|memo/i, 'note'],
];

export function mapFollowUpType(text: string): FollowUpType | null {
  const s = foldWidth(text).trim();
  for (const [re, v] of FOLLOW_UP_TYPE_SYNONYMS) if (re.test(s)) return v;
  return null;
}

/** Amounts as people type them: ¥12,000 / 12000元 / 1.2万 / 3万元 / 5k / 1,234.56 / RMB 800 → 分; null when not an amount. */
export function parseAmountFen(text: string): number | null {
  let s = foldWidth(text)
    .trim()
    .replace(/^(rmb|cny)\s*/i, '')
    .replace(/\s*(rmb|cny)$/i, '')
    .replace(/[¥￥\s,，]/g, '')
    .replace(/(人民币)?元$/, '')
    .replace(/^人民币/, '');
  let unit = 1;
  const m = /^(.*?)(亿|万|千|百|w|k)$/i.exec(s);
  if (m) {
    s = m[1]!;
    unit = { 亿: 1e8, 万: 1e4, 千: 1e3, 百: 100, w: 1e4, k: 1e3 }[m[2]!.toLowerCase() as '亿' | '万' | '千' | '百' | 'w' | 'k'];
  }
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  const fen = Math.round(Number(s) * unit * 100);
  return Number.isSafeInteger(fen) && fen <= 1e13 ? fen : null;
}

const STAGE_SYNONYMS: Array<[RegExp, string | 'won' | 'lost']> = [
  [/赢单|成交|签约|签单|已签|中标|成功|closed ?won|\bwon\b/i, 'won'],
  [/输单|丢单|失败|流失|放弃|未中标|closed ?lost|\blost\b/i, 'lost'],
  [/初步|初次|接洽|接触|线索|意向|lead|qualif|prospect|initial/i, '接洽'],
  [/需求|调研|discovery|needs?\b|analysis/i, '需求'],
  [/方案|报价|投标|proposal|quot/i, '方案|报价'],
  [/谈判|商务|议价|合同|negotiat|contract/i, '谈判'],
];

/** A stage as typed → a configured stage: its key or name, a name containing it, a synonym, or a probability (50%). */
export function mapStage(text: string, stages: readonly StageDefinition[]): StageDefinition | null {
  const s = foldWidth(text).replace(/\s/g, '').toLowerCase();
  if (!s) return null;
  const exact = stages.find((st) => st.key.toLowerCase() === s || st.name.toLowerCase() === s);
  if (exact) return exact;
  const partial = stages.find((st) => s.length >= 2 && (st.name.includes(s) || s.includes(st.name)));
  if (partial) return partial;
  for (const [re, to] of STAGE_SYNONYMS) {
    if (!re.test(s)) continue;
    if (to === 'won' || to === 'lost') return stages.find((st) => st.outcome === to) ?? null;
    const word = new RegExp(to);
    const hit = stages.find((st) => st.outcome === 'open' && word.test(st.name));
    if (hit) return hit;
  }
  const pct = /^(\d{1,3})%$/.exec(s);
  if (pct) {
    const open = stages.filter((st) => st.outcome === 'open');
    return open.reduce<StageDefinition | null>(
      (best, st) => (!best || Math.abs(st.probability - Number(pct[1])) < Math.abs(best.probability - Number(pct[1])) ? st : best),
      null,
    );
  }
  return null;
}

export function mapTier(text: string): CustomerTier | null {
  const s = foldWidth(text).replace(/\s/g, '').toUpperCase();
  for (const [re, v] of TIER_SYNONYMS) if (re.test(s)) return v;
  return null;
}

/** Several numbers in one cell: separated by punctuation, slashes, new lines, or spaces between full numbers. */
export function splitPhoneCell(text: string): string[] {
  const parts = foldWidth(text)
    .split(/[,;、/|\n\r]+|\s{2,}/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    if (normalizePhone(p) || !/\s/.test(p)) out.push(p);
    else out.push(...p.split(/\s+/)); // "13800138000 13900139000"
  }
  return out;
}

/** Excel's day numbers (1900 date system): 45292 = 2024-01-01. */
export function excelSerialToDate(serial: number, tz: string): Date | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return null;
  const ms = Math.round((serial - 25569) * 86_400_000);
  const utc = new Date(ms);
  // a whole day number is a date without a time: 09:00, as the date reader's default
  const [h, m] = Number.isInteger(serial) ? [9, 0] : [utc.getUTCHours(), utc.getUTCMinutes()];
  return zonedInstant(utc.getUTCFullYear(), utc.getUTCMonth() + 1, utc.getUTCDate(), h, m, tz);
}

/** Dates as people type them: 2024-03-05, 2024/3/5 14:00, 2024.3.5, 2024年3月5日, 20240305, Excel serials, then the chat date reader (下周三, 3月5日下午). */
export function parseImportDate(text: string, now: Date, tz: string, opts: { past?: boolean } = {}): Date | null {
  const s = foldWidth(text);
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s) && Number(s) > 20_000 && Number(s) < 80_000) return excelSerialToDate(Number(s), tz);
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[\sT]+(\d{1,2})[:：点时](\d{1,2})?(?:[:：分](\d{1,2}))?)?/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 9), Number(m[5] ?? 0)];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
    return zonedInstant(y, mo, d, h, mi, tz);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (opts.past) {
    // days back, as a follow-up's time is written: 今天 / 昨天 / 前天 / 3天前 (at 09:00, as a date without a time)
    const back = /^(?:(今天|昨天|前天|大前天)|(\d{1,3})\s*天前)$/.exec(s);
    if (back) {
      const days = back[1] ? ['今天', '昨天', '前天', '大前天'].indexOf(back[1]) : Number(back[2]);
      const [y, mo, d] = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(now).split('-').map(Number) as [number, number, number];
      const day = new Date(Date.UTC(y, mo - 1, d - days));
      return zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 9, 0, tz);
    }
  }
  const parsed = parseChineseDateTime(s, now, tz);
  return parsed && (opts.past || !parsed.past) ? parsed.at : null;
}

/** Files repeat the same date texts: each read once per minute of `now` (the date reader costs ~0.1 ms). */
const dateCache = new Map<string, Date | null>();
function cachedDate(text: string, now: Date, tz: string, past = false): Date | null {
  const key = `${tz}|${Math.floor(now.getTime() / 60_000)}|${past ? 'p' : ''}|${text}`;
  let d = dateCache.get(key);
  if (d === undefined) {
    if (dateCache.size >= 10_000) dateCache.clear();
    d = parseImportDate(text, now, tz, { past });
    dateCache.set(key, d);
  }
  return d;
}

/** Formatters are costly to build (~0.1 ms): one per time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const fmtDate = (d: Date, tz: string) => {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('zh-CN', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    formatters.set(tz, f);
  }
  return f.format(d);
};

// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000e-\u001f\ufffd]/;
const PROVINCE_CITY = /^(.{2,8}?(?:省|自治区|特别行政区))?(.{2,8}?市)?(.*)$/;

/**
 * One row of cells → a customer with its first contact, every changed value reported (before → after).
 * Pure: the owner is left as text (matched to a user by the caller), the dedupe done elsewhere.
 */
export function cleanseRow(
  cells: readonly string[],
  mapping: readonly ColumnMapping[],
  ctx: { now: Date; tz: string; stages?: readonly StageDefinition[] },
): CleanResult {
  const changes: CellChange[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const raw = new Map<ImportField, string>();
  for (const m of mapping) {
    if (!m.field) continue;
    const v = cells[m.column] ?? '';
    if (v.length > MAX_CELL_CHARS) {
      errors.push(`「${m.header}」单元格过长（${v.length} 个字符，最多 ${MAX_CELL_CHARS}）`);
      continue;
    }
    if (BINARY.test(v)) {
      errors.push(`「${m.header}」含有二进制或乱码内容（编码不对或文件已损坏）`);
      continue;
    }
    const prev = raw.get(m.field);
    raw.set(m.field, prev ? `${prev} ${v}` : v);
  }
  if (errors.length) return { row: null, changes, errors, warnings };
  const get = (f: ImportField) => (raw.get(f) ?? '').trim();
  const changed = (field: ImportField, before: string, after: string) => {
    if (before !== after) changes.push({ field, before, after });
  };

  // company: width, spaces; the legal suffix stays (the core is what the dedupe compares)
  const companyRaw = get('company');
  let company: string | undefined;
  if (companyRaw) {
    company = foldWidth(companyRaw)
      .replace(/\s+/g, ' ')
      .replace(/\s*([()（）])\s*/g, '$1');
    if (/[\u4e00-\u9fff]/.test(company)) company = company.replace(/\s/g, '').replace(/\(/g, '（').replace(/\)/g, '）');
    changed('company', companyRaw, company);
    if (company.length > 100) {
      errors.push('公司名称超过 100 个字');
      company = undefined;
    } else if (!normalizeCompanyName(company)) company = undefined;
  }
  const nameRaw = get('name');
  let name = nameRaw ? foldWidth(nameRaw).replace(/\s+/g, ' ') : '';
  if (name) changed('name', nameRaw, name);
  if (!name && company) name = company;
  if (!name) errors.push('客户名称和公司名称都为空');
  else if (name.length > 64) errors.push('客户名称超过 64 个字');

  const sourceRaw = get('source');
  let source: CustomerSource = '其他';
  if (sourceRaw) {
    const s = mapSource(sourceRaw);
    if (s) source = s;
    else warnings.push(`来源「${sourceRaw}」无法识别，记为 其他`);
    changed('source', sourceRaw, source);
  }
  const tierRaw = get('tier');
  let tier: CustomerTier = 'C';
  if (tierRaw) {
    const t = mapTier(tierRaw);
    if (t) tier = t;
    else warnings.push(`客户等级「${tierRaw}」无法识别，记为 C`);
    changed('tier', tierRaw, tier);
  }

  let region: CleanRow['region'];
  const regionRaw = get('region');
  const provinceRaw = get('province');
  const cityRaw = get('city');
  if (regionRaw || provinceRaw || cityRaw) {
    region = {};
    if (regionRaw) {
      const m = PROVINCE_CITY.exec(foldWidth(regionRaw).replace(/\s/g, ''))!;
      if (m[1]) region.province = m[1].replace(/省$/, '');
      if (m[2]) region.city = m[2].replace(/市$/, '');
      if (!m[1] && !m[2]) region.city = foldWidth(regionRaw).slice(0, 16);
    }
    if (provinceRaw) region.province = foldWidth(provinceRaw).replace(/省$/, '').slice(0, 16);
    if (cityRaw) region.city = foldWidth(cityRaw).replace(/市$/, '').slice(0, 16);
  }
  const industry = get('industry') ? foldWidth(get('industry')).slice(0, 32) : undefined;
  const tags = get('tags')
    ? [
        ...new Set(
          foldWidth(get('tags'))
            .split(/[,;、，；|/\s]+/)
            .map((t) => t.slice(0, 16))
            .filter(Boolean),
        ),
      ].slice(0, 20)
    : [];

  let nextFollowUpAt: Date | undefined;
  const dateRaw = get('nextFollowUpAt');
  if (dateRaw) {
    const d = cachedDate(dateRaw, ctx.now, ctx.tz);
    if (d) {
      nextFollowUpAt = d;
      changed('nextFollowUpAt', dateRaw, fmtDate(d, ctx.tz));
    } else warnings.push(`下次联系时间「${dateRaw}」无法识别，已忽略`);
  }

  // the contact: its phones (several per cell), email, name
  const mobiles: string[] = [];
  const phones: string[] = [];
  const phoneRaw = get('phones');
  if (phoneRaw) {
    const after: string[] = [];
    for (const p of splitPhoneCell(phoneRaw)) {
      const n = normalizePhone(p);
      if (!n) {
        warnings.push(`电话「${p}」格式不正确，已忽略`);
        continue;
      }
      const list = n.kind === 'mobile' ? mobiles : phones;
      if (!list.includes(n.value)) list.push(n.value);
      after.push(n.value);
    }
    changed('phones', phoneRaw, after.join(', '));
  }
  const emails: string[] = [];
  const emailRaw = get('email');
  if (emailRaw) {
    for (const part of foldWidth(emailRaw)
      .split(/[,;，；\s]+/)
      .filter(Boolean)) {
      const e = normalizeEmail(part);
      if (e && !emails.includes(e)) emails.push(e);
      else if (!e) warnings.push(`邮箱「${part}」格式不正确，已忽略`);
    }
    changed('email', emailRaw, emails.join(', '));
  }
  const contactNameRaw = get('contactName');
  let contact: CleanRow['contact'];
  if (contactNameRaw || mobiles.length || phones.length || emails.length) {
    const cname = contactNameRaw ? normalizePersonName(contactNameRaw).slice(0, 32) : company ? name : name;
    if (contactNameRaw) changed('contactName', contactNameRaw, cname);
    const title = get('title') ? foldWidth(get('title')).slice(0, 32) : undefined;
    contact = { name: cname, title, mobiles: mobiles.slice(0, 5), phones: phones.slice(0, 5), emails: emails.slice(0, 5) };
  }
  const refusedParts: NonNullable<CleanRow['refused']> = {};
  const followUp = cleanseFollowUp(get, changed, warnings, refusedParts, ctx);
  const noteRaw = get('note');
  // the customer has no remark field: 备注 becomes a follow-up of kind note on the customer
  const note: ImportedFollowUp | undefined = noteRaw ? { type: 'note', content: `导入备注：${noteRaw.slice(0, 1990)}` } : undefined;
  const opportunity = cleanseOpportunity(get, changed, warnings, refusedParts, name, ctx);
  if (errors.length) return { row: null, changes, errors, warnings };

  const key = company ? companyKey(company) : undefined;
  const identities = [
    ...(contact?.mobiles ?? []).map((m) => `mobile:${m.replace(/\D/g, '')}`),
    ...(contact?.emails ?? []).map((e) => `email:${e}`),
    ...(key ? [`company:${key}`] : []),
  ];
  return {
    row: {
      name,
      company,
      industry,
      region,
      source,
      tier,
      tags,
      nextFollowUpAt,
      ownerText: get('owner') ? foldWidth(get('owner')) : null,
      contact,
      identities: [...new Set(identities)].sort(),
      ...(followUp ? { followUp } : {}),
      ...(note ? { note } : {}),
      ...(opportunity ? { opportunity } : {}),
      ...(refusedParts.followUp || refusedParts.opportunity ? { refused: refusedParts } : {}),
    },
    changes,
    errors,
    warnings,
  };
}

type Get = (f: ImportField) => string;
type Changed = (field: ImportField, before: string, after: string) => void;
/** A follow-up may not be dated later than this after now (as the follow-up form). */
const FUTURE_SLACK_MS = 5 * 60_000;

/** 跟进内容 / 跟进时间 / 跟进方式 → the row's follow-up; a follow-up that cannot be imported is refused alone (the customer still is). */
function cleanseFollowUp(
  get: Get,
  changed: Changed,
  warnings: string[],
  refused: NonNullable<CleanRow['refused']>,
  ctx: { now: Date; tz: string },
): ImportedFollowUp | undefined {
  const contentRaw = get('followUpContent');
  const atRaw = get('followUpAt');
  const typeRaw = get('followUpType');
  if (!contentRaw && !atRaw && !typeRaw) return undefined;
  if (!contentRaw) {
    refused.followUp = '跟进内容为空，跟进记录未导入';
    return undefined;
  }
  const content = contentRaw.slice(0, 2000); // prose: kept as typed
  let type: FollowUpType = 'note';
  if (typeRaw) {
    const t = mapFollowUpType(typeRaw);
    if (t) type = t;
    else warnings.push(`跟进方式「${typeRaw}」无法识别，记为 备注`);
    changed('followUpType', typeRaw, FOLLOW_UP_TYPE_LABELS[type]);
  }
  let happenedAt: Date | undefined;
  if (atRaw) {
    const d = cachedDate(atRaw, ctx.now, ctx.tz, true);
    if (!d) {
      refused.followUp = `跟进时间「${atRaw}」无法识别，跟进记录未导入`;
      return undefined;
    }
    if (d.getTime() > ctx.now.getTime() + FUTURE_SLACK_MS) {
      refused.followUp = `跟进时间「${atRaw}」晚于现在，跟进记录未导入`;
      return undefined;
    }
    happenedAt = d;
    changed('followUpAt', atRaw, fmtDate(d, ctx.tz));
  }
  return { type, content, ...(happenedAt ? { happenedAt } : {}) };
}

/** 商机名称 / 金额 / 预计成交 / 阶段 → the row's opportunity (named after the customer when 商机名称 is empty). */
function cleanseOpportunity(
  get: Get,
  changed: Changed,
  warnings: string[],
  refused: NonNullable<CleanRow['refused']>,
  customerName: string,
  ctx: { now: Date; tz: string; stages?: readonly StageDefinition[] },
): ImportedOpportunity | undefined {
  const nameRaw = get('opportunityName');
  const amountRaw = get('amount');
  const closeRaw = get('expectedCloseDate');
  const stageRaw = get('stage');
  if (!nameRaw && !amountRaw && !closeRaw && !stageRaw) return undefined;
  const stages = ctx.stages ?? [];
  const name = nameRaw ? foldWidth(nameRaw).replace(/\s+/g, ' ').slice(0, 100) : `${customerName} 商机`.slice(0, 100);
  if (nameRaw) changed('opportunityName', nameRaw, name);
  let amountFen = 0;
  if (amountRaw) {
    const fen = parseAmountFen(amountRaw);
    if (fen === null) {
      refused.opportunity = `金额「${amountRaw}」无法识别，商机未导入`;
      return undefined;
    }
    amountFen = fen;
    changed('amount', amountRaw, formatFen(fen));
  }
  const firstOpen = stages.find((s) => s.outcome === 'open');
  let stage = firstOpen;
  if (stageRaw) {
    const s = mapStage(stageRaw, stages);
    if (s) stage = s;
    else warnings.push(`销售阶段「${stageRaw}」无法识别，记为 ${firstOpen?.name ?? '第一个阶段'}`);
    if (stage) changed('stage', stageRaw, stage.name);
  }
  if (!stage) {
    refused.opportunity = '没有配置销售阶段，商机未导入';
    return undefined;
  }
  let expectedCloseDate: Date | undefined;
  if (closeRaw) {
    const d = cachedDate(closeRaw, ctx.now, ctx.tz, true);
    if (d) {
      expectedCloseDate = d;
      changed('expectedCloseDate', closeRaw, fmtDate(d, ctx.tz));
    } else warnings.push(`预计成交「${closeRaw}」无法识别，已忽略`);
  }
  return { name, amountFen, stage: stage.key, ...(expectedCloseDate ? { expectedCloseDate } : {}) };
}
