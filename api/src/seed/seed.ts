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

/** The demo company has known logins and dev-login names: never in production, whatever asked for it. */
export class SeedRefusedError extends Error {
  constructor() {
    super('refusing to seed the demo company: NODE_ENV=production (its users and logins are public)');
    this.name = 'SeedRefusedError';
  }
}

export function assertSeedAllowed(env: 'development' | 'production' | 'test'): void {
  if (env === 'production') throw new SeedRefusedError();
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
    const reminders = await services.reminders.backfillNextSteps(services.followUps);
    await seedFirstReminder(services, opts.now ?? new Date());
    log(`demo reminders: ${reminders} next steps scheduled; 刘洋 (demo-rep1) gets a reminder card about 张三 in two minutes`);
  }
  await services.audit.record(
    { requestId: 'seed', channel: 'system', actorId: null },
    { action: 'seed.demo', entityType: 'system', entityId: 'demo', note: `demo data seeded in ${Date.now() - started} ms` },
  );
  return { org, crm };
}

/** A reminder that arrives soon after `npm start`, so the sandbox shows the loop at once (idempotent). */
async function seedFirstReminder(services: Services, now: Date): Promise<void> {
  const rep = await services.org.findActiveUserByPlatformId('wecom', 'demo-rep1');
  const zhangsan = rep ? await services.customers.findSeeded('张三', rep._id) : null;
  if (!rep || !zhangsan) return;
  const content = '电话确认了采购预算，客户希望先看正式报价';
  if (await services.followUps.exists(zhangsan._id, content)) return;
  const actor = { user: rep, viewer: await services.org.resolveViewer(rep) };
  const followUp = await services.followUps.create(
    actor,
    { requestId: 'seed', channel: 'system', actorId: rep._id },
    { customerId: String(zhangsan._id), type: 'call', content, nextStep: { text: '发送正式报价单', dueAt: new Date(now.getTime() + 2 * 60_000) } },
  );
  // demo data are not bound by quiet hours: the promised card arrives at 23:00 and on Sunday too
  await services.reminders.sendAnyHour(followUp._id);
}

/** True when the database holds no users yet (a fresh embedded database). */
export async function isEmpty(services: Services): Promise<boolean> {
  return services.org.isEmpty();
}
