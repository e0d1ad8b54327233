/**
 * Issue #18: a hand-over (离职继承) of one rep's customers through the fake WeCom server
 * (`npm run bench -- handover [--size N] [--successors K]`, default 2,000 customers to 4 successors, 5 % refusing).
 * Times each phase as the job runs it: the preview, the CRM move (each customer through the customer service,
 * its records following, audited), the WeCom transfers (100 per call, each recorded first) and, after WeCom's 24 h,
 * the poll and the reconciliation; prints customers/s. Figures on the stand-in database are the stand-in's
 * (not MongoDB's), on a shared machine.
 */
import pino from 'pino';
import { loadConfig } from '@crm/config';
import type { Actor } from '../api/src/context';
import { buildSystem } from '@crm/server';
import { seedOrg } from '../api/src/seed/org.seed';
import { buildCustomer } from '../api/src/seed/customers.seed';
import { FakeWeComServer } from '../tests/fakes/fake-wecom-server';
import { TRANSFER_WINDOW_MS } from '../tests/fakes/fake-wecom-external-contacts';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../tests/helpers/wecom-packets';
import { openBenchDatabase } from './bench-db';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

export async function run(log: (line: string) => void): Promise<void> {
  const size = arg('size', 2_000);
  const successorCount = Math.min(4, Math.max(1, arg('successors', 4)));
  const env = await openBenchDatabase('crm_bench_handover', log);
  const fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  let clock = new Date();
  fake.now = () => clock.getTime();
  try {
    log(`database: ${env.db.description}${env.db.kind === 'mongo-java-server' ? ' (stand-in figures, not MongoDB)' : ''}`);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...WECOM_TEST_ENV(fake.baseUrl) });
    const system = buildSystem(config, {
      connection: env.conn,
      databaseKind: env.db.kind,
      logger: pino({ level: 'silent' }),
      now: () => clock,
      bot: { wecomBudget: [{ limit: 1e9, ms: 1000 }] },
    });
    const { services } = system;
    const org = await seedOrg(services);
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const t0 = Date.now();
    for (let start = 0; start < size; start += 1000) {
      const customers: object[] = [];
      const contacts: object[] = [];
      for (let i = start; i < Math.min(size, start + 1000); i++) {
        const built = buildCustomer(
          {
            name: `基准客户${i}`,
            company: `基准${i}贸易有限公司`,
            owner: 'demo-rep1',
            contacts: [{ name: `联系人${i}`, phones: [`139${String(i).padStart(8, '0')}`] }],
          },
          org,
          new Date(clock.getTime() - 3600_000),
          rand,
        );
        customers.push(built.customer);
        contacts.push(...built.contacts.map((c) => ({ ...c, wecomExternalUserId: `wm-${i}` })));
      }
      await services.customers.insertSeedRecords(customers, contacts);
    }
    const ec = fake.externalContacts;
    ec.addCustomers(
      'demo-rep1',
      Array.from({ length: size }, (_, i) => `wm-${i}`),
    );
    for (let i = 0; i < size; i += 20) ec.refusing.add(`wm-${i}`);
    ec.resigned.add('demo-rep1');
    log(`loaded ${size.toLocaleString()} customers of 刘洋 with a WeCom contact each in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const admin = (await services.org.findActiveUserByPlatformId('wecom', 'demo-admin'))!;
    const actor: Actor = { user: admin, viewer: await services.org.resolveViewer(admin) };
    const successors = ['demo-rep2', 'demo-rep3', 'demo-manager', 'demo-director'].slice(0, successorCount).map((l) => String(org.users.get(l)));
    const request = { fromUserId: String(org.users.get('demo-rep1')), kind: 'resigned' as const, successors, split: 'even' as const };
    const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString()}/s`;

    let t = Date.now();
    const preview = await services.handovers.preview(actor, request);
    const previewMs = Date.now() - t;
    log(
      `preview: ${preview.totals.customers.toLocaleString()} customers, ${preview.totals.externalContacts.toLocaleString()} WeCom contacts in ${previewMs} ms`,
    );

    t = Date.now();
    const h = await services.handovers.start(actor, { requestId: 'bench', channel: 'api', actorId: admin._id }, { ...request, onRefused: 'pool' });
    log(`start (items recorded): ${Date.now() - t} ms`);

    t = Date.now();
    await services.handovers.runDue('bench');
    const firstMs = Date.now() - t;
    const p1 = await services.handovers.progress(h);
    log(
      `CRM move + deactivation + WeCom transfers (${ec.transferRequests} calls of ≤ 100): ${(firstMs / 1000).toFixed(1)} s for ${p1.customers.moved.toLocaleString()} customers → ${rate(p1.customers.moved, firstMs)}`,
    );

    clock = new Date(clock.getTime() + TRANSFER_WINDOW_MS + 3600_000);
    t = Date.now();
    await services.handovers.runDue('bench');
    const lastMs = Date.now() - t;
    const p2 = await services.handovers.progress(h);
    log(
      `after 24 h, poll + reconcile: ${(lastMs / 1000).toFixed(1)} s; accepted ${p2.wecom.accepted.toLocaleString()}, refused ${p2.wecom.refused.toLocaleString()} → pool ${p2.reconciled.toPool.toLocaleString()}`,
    );
    const doubled = [...ec.transferCalls.values()].filter((n) => n !== 1).length;
    log(
      `transfers asked twice: ${doubled}; end to end (our time) ${((previewMs + firstMs + lastMs) / 1000).toFixed(1)} s → ${rate(size, firstMs + lastMs)} customers handed over`,
    );
    await system.stop();
  } finally {
    await fake.stop();
    await env.close();
  }
}
