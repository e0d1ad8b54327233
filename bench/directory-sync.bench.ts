/**
 * Issue #19: the directory sync of the generated company (`npm run bench -- directory-sync [--people N]`, default
 * 1,000 people in 60 departments) from the fake WeCom: the dry run, the first sync (every person created through
 * the org service and audited), a sync with nothing to change, and one with 5 % of people changed; then the
 * outbound webhooks: N customer changes dispatched from the audit log and delivered, signed, to a local receiver.
 * Figures on the stand-in database are the stand-in's (not MongoDB's), on a shared machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '@crm/config';
import { buildSystem } from '@crm/server';
import { seedOrg } from '../api/src/seed/org.seed';
import { FakeDirectory } from '../tests/fakes/fake-directory';
import { FakeWeComServer } from '../tests/fakes/fake-wecom-server';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../tests/helpers/wecom-packets';
import { openBenchDatabase } from './bench-db';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

const SYSTEM = { requestId: 'bench', channel: 'system' as const, actorId: null };

export async function run(log: (line: string) => void): Promise<void> {
  const people = arg('people', 1000);
  const env = await openBenchDatabase('crm_bench_directory', log);
  const dir = new FakeDirectory({ people });
  const fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  fake.directory = dir;
  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    log(`database: ${env.db.description}${env.db.kind === 'mongo-java-server' ? ' (stand-in figures, not MongoDB)' : ''}`);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...WECOM_TEST_ENV(fake.baseUrl), DIRECTORY_SOURCE: 'wecom' });
    const system = buildSystem(config, { connection: env.conn, databaseKind: env.db.kind, logger: pino({ level: 'silent' }) });
    const { services } = system;
    await seedOrg(services);
    const timed = async <T>(label: string, fn: () => Promise<T>, per?: number): Promise<T> => {
      const t0 = performance.now();
      const out = await fn();
      const s = (performance.now() - t0) / 1000;
      log(`${label}: ${s.toFixed(1)} s${per ? ` (${Math.round(per / s)} people/s)` : ''}`);
      return out;
    };
    const dry = await timed('dry run (read 60 departments and their members, compare)', () => services.directory.dryRun(SYSTEM));
    log(`  would create ${dry.counts.departments.create} departments, ${dry.counts.people.create} people`);
    await timed(`first sync of ${people} people`, () => services.directory.syncOnce(SYSTEM, 'manual'), people);
    await timed('second sync, nothing changed', () => services.directory.syncOnce(SYSTEM, 'schedule'), people);
    for (const p of dir.people.filter((_, i) => i % 20 === 0)) dir.update(p.userid, { title: '高级销售代表' });
    const changed = await timed('sync with 5 % of people changed', () => services.directory.syncOnce(SYSTEM, 'schedule'), people);
    log(`  updated ${changed?.counts.people.update ?? 0}`);

    // webhooks: N customers created, then dispatched and delivered
    const n = 500;
    const admin = (await services.org.findActiveUserByPlatformId('wecom', 'demo-admin'))!;
    await services.webhooks.create(
      { requestId: 'bench', channel: 'api', actorId: admin._id },
      { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['customer.created'] },
    );
    const rep = (await services.org.findActiveUserByPlatformId('wecom', 'demo-rep1'))!;
    const actor = { user: rep, viewer: await services.org.resolveViewer(rep) };
    for (let i = 0; i < n; i++)
      await services.customers.create(actor, { requestId: `bench-${i}`, channel: 'api', actorId: rep._id }, {
        name: `压测客户${i}`,
        source: '官网',
        company: `压测${i}号有限公司`,
        contacts: [],
        tags: [],
      } as never);
    await timed(`webhooks: dispatch ${n} audit entries → deliveries`, () => services.webhooks.dispatch());
    await timed(`webhooks: send ${n} signed deliveries to a local receiver`, async () => {
      while (received < n) if ((await services.webhooks.send()) === 0) break;
    });
    log(`  delivered ${received} of ${n}`);
    await system.stop();
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
    await fake.stop();
    await env.close();
  }
}
