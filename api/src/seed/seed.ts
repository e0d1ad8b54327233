import type { Services } from '../services';
import { seedCustomers, type CrmSeedCounts } from './customers.seed';
import { seedOrg, type SeededOrg } from './org.seed';

export interface SeedResult {
  org: SeededOrg;
  crm: CrmSeedCounts | null;
}

export interface SeedOptions {
  /** Seed customers, follow-ups, deals and contracts too (default true); tests that build their own data turn it off. */
  crm?: boolean;
  customers?: number;
  now?: Date;
}

/**
 * The demo company. Each step is idempotent and later issues append steps (reminders, approvals...)
 * that build on the earlier ones' results.
 */
export async function seedDemoData(services: Services, log: (msg: string) => void, opts: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const org = await seedOrg(services);
  log(`demo org: ${org.departments.size} departments, ${org.users.size} users`);
  let crm: CrmSeedCounts | null = null;
  if (opts.crm ?? true) {
    crm = await seedCustomers(services, org, { count: opts.customers, now: opts.now });
    log(
      `demo CRM: ${crm.customers} customers, ${crm.contacts} contacts, ${crm.followUps} follow-ups, ${crm.opportunities} opportunities, ${crm.contracts} contracts`,
    );
  }
  await services.audit.record(
    { requestId: 'seed', channel: 'system', actorId: null },
    { action: 'seed.demo', entityType: 'system', entityId: 'demo', note: `demo data seeded in ${Date.now() - started} ms` },
  );
  return { org, crm };
}

/** True when the database holds no users yet (a fresh embedded database). */
export async function isEmpty(services: Services): Promise<boolean> {
  return (await services.org.users.estimatedDocumentCount().exec()) === 0;
}
