import { buildSearchKeys, companyKey, normalizeCompanyName, normalizeEmail, normalizePersonName, normalizePhone } from '@crm/shared';
import type { Customer } from './customer.model';

export interface ContactIdentifiers {
  name: string;
  mobiles: readonly string[];
  phones: readonly string[];
  emails: readonly string[];
}

export type DerivedCustomerFields = Pick<Customer, 'companyNormalized' | 'companyKey' | 'searchKeys' | 'dedupe'>;

/**
 * Everything the duplicate check and search read, computed from the customer's own fields and its
 * contacts. Recomputed whenever either changes (the only writer of these fields).
 */
export function deriveCustomerFields(customer: { name: string; company?: string | null }, contacts: readonly ContactIdentifiers[]): DerivedCustomerFields {
  const mobiles = new Set<string>();
  const emails = new Set<string>();
  const phones: string[] = [];
  for (const c of contacts) {
    for (const p of [...c.mobiles, ...c.phones]) {
      const n = normalizePhone(p);
      if (n) phones.push(n.value);
      if (n?.kind === 'mobile') mobiles.add(n.value);
    }
    for (const e of c.emails) {
      const n = normalizeEmail(e);
      if (n) emails.add(n);
    }
  }
  const company = customer.company?.trim() || undefined;
  return {
    companyNormalized: company ? normalizeCompanyName(company) : undefined,
    companyKey: company ? companyKey(company) : undefined,
    searchKeys: buildSearchKeys({
      name: customer.name,
      company,
      contactNames: contacts.map((c) => c.name),
      phones: phones.map((p) => p.replace(/^\+86/, '')),
      emails: [...emails],
    }),
    dedupe: {
      mobiles: [...mobiles],
      emails: [...emails],
      personNames: [...new Set([customer.name, ...contacts.map((c) => c.name)].map(normalizePersonName))],
    },
  };
}

/** Contact phones as typed → stored form: E.164 mobiles and area-coded landlines apart. */
export function splitPhones(input: readonly string[]): { mobiles: string[]; phones: string[] } {
  const mobiles: string[] = [];
  const phones: string[] = [];
  for (const raw of input) {
    const n = normalizePhone(raw);
    if (!n) continue;
    const list = n.kind === 'mobile' ? mobiles : phones;
    if (!list.includes(n.value)) list.push(n.value);
  }
  return { mobiles, phones };
}
