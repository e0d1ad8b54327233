import type { Services } from '../services';
import { seedOrg, type SeededOrg } from './org.seed';

export interface SeedResult {
  org: SeededOrg;
}

/**
 * The demo company. Each step is idempotent and later issues append steps (customers, follow-ups,
 * deals...) that build on the earlier ones' results.
 */
export async function seedDemoData(services: Services, log: (msg: string) => void): Promise<SeedResult> {
  const started = Date.now();
  const org = await seedOrg(services);
  log(`demo org: ${org.departments.size} departments, ${org.users.size} users`);
  await services.audit.record({ requestId: 'seed', channel: 'system', actorId: null }, { action: 'seed.demo', entityType: 'system', entityId: 'demo', note: `demo data seeded in ${Date.now() - started} ms` });
  return { org };
}

/** True when the database holds no users yet (a fresh embedded database). */
export async function isEmpty(services: Services): Promise<boolean> {
  return (await services.org.users.estimatedDocumentCount().exec()) === 0;
}
