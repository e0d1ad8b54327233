import { pinyin } from 'pinyin-pro';
import { companyKey, foldWidth, normalizeCompanyName, normalizeEmail, normalizePersonName, normalizePhone } from './normalize';

const HAN = /[\u4e00-\u9fff]/;

/** Full pinyin and initials of a text; person names use surname readings (曾 zeng, 单 shan, 解 xie, 仇 qiu, 区 ou). */
export function pinyinKeys(text: string, kind: 'person' | 'company'): { full: string; initials: string } | null {
  const s = foldWidth(text).replace(/[\s\p{P}\p{S}]/gu, '');
  if (!HAN.test(s)) return null;
  const surname = kind === 'person' ? 'head' : 'off';
  const full = pinyin(s, { toneType: 'none', type: 'array', surname, nonZh: 'consecutive' }).join('').toLowerCase();
  const initials = pinyin(s, { pattern: 'first', toneType: 'none', type: 'array', surname, nonZh: 'consecutive' }).join('').toLowerCase();
  return { full, initials };
}

export interface SearchSource {
  name: string;
  company?: string | null;
  contactNames?: readonly string[];
  phones?: readonly string[];
  emails?: readonly (string | null | undefined)[];
}

/**
 * Every prefix-searchable key for a customer: names as written and normalized, the company core, full
 * pinyin and initials, phone numbers (national digits) and their reversed digits (so "last 4 digits"
 * is a prefix search too), emails. Stored in one indexed array and matched with an anchored regex.
 */
export function buildSearchKeys(src: SearchSource): string[] {
  const keys = new Set<string>();
  const add = (k: string | null | undefined) => {
    if (k && k.length > 0) keys.add(k.toLowerCase());
  };
  const persons = [src.name, ...(src.contactNames ?? [])];
  for (const p of persons) {
    add(normalizePersonName(p));
    const py = pinyinKeys(p, 'person');
    add(py?.full);
    add(py?.initials);
  }
  if (src.company) {
    const normalized = normalizeCompanyName(src.company);
    add(foldWidth(src.company).replace(/\s/g, ''));
    add(normalized);
    add(companyKey(src.company));
    for (const variant of new Set([src.company, normalized])) {
      const py = pinyinKeys(variant, 'company');
      add(py?.full);
      add(py?.initials);
    }
  }
  for (const raw of src.phones ?? []) {
    const p = normalizePhone(raw);
    if (!p) continue;
    const digits = p.kind === 'mobile' ? p.value.slice(3) : p.value.replace(/-/g, '');
    add(digits);
    add(`~${[...digits].reverse().join('')}`);
  }
  for (const e of src.emails ?? []) add(normalizeEmail(e));
  return [...keys];
}

export type SearchQuery = { kind: 'prefix'; prefix: string } | { kind: 'phone-suffix'; reversedPrefix: string };

/**
 * How a search box entry is matched against buildSearchKeys: a whole phone number matches that number;
 * 4 to 11 digits match as a prefix or as a phone suffix ("last 4 digits"); Chinese text also matches by
 * its normalized company name and company core, so region prefixes and descriptors do not matter
 * (上海星辰 finds 北京星辰信息科技).
 */
export function parseSearchQuery(input: string): SearchQuery[] {
  const q = foldWidth(input).toLowerCase().replace(/\s+/g, '');
  if (!q) return [];
  const phone = normalizePhone(q);
  if (phone) return [{ kind: 'prefix', prefix: phone.kind === 'mobile' ? phone.value.slice(3) : phone.value.replace(/-/g, '') }];
  const digits = q.replace(/[-+]/g, '');
  if (/^\d{4,11}$/.test(digits)) {
    return [
      { kind: 'prefix', prefix: digits },
      { kind: 'phone-suffix', reversedPrefix: `~${[...digits].reverse().join('')}` },
    ];
  }
  const variants = HAN.test(q) ? [q, normalizeCompanyName(q), companyKey(q)] : [q];
  return [...new Set(variants)].map((prefix) => ({ kind: 'prefix', prefix }));
}
