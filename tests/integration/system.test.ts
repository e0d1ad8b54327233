/**
 * The composition root (server/src/system.ts) is the graph `npm start` runs and the tests' app is built by it:
 * wiring that exists only on the server (the jobs, the approvals' events reaching the bot) is tested here
 * through that same graph.
 */
import type { Server } from 'node:http';
import supertest from 'supertest';
import { loadConfig } from '@crm/config';
import { buildSystem, silentLogger } from '@crm/server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { closeTestConnection, openTestConnection, TEST_DB_KIND } from '../helpers/test-db';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SANDBOX: 'true' }, { crm: true });
});
afterAll(() => t.close());

const methodsOf = (o: object): string[] => {
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(o); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) for (const n of Object.getOwnPropertyNames(p)) names.add(n);
  return [...names];
};

describe('buildSystem: one graph for npm start and the tests', () => {
  it('no service is wired after construction (no setter injection)', () => {
    // a port or collaborator handed in after construction (setEvents, setSender…); domain writes such as setLeaderIfNone are not wiring
    const wiring = /^(set|wire|attach|connect)\w*(Events|Port|Ports|Sender|Sink|Cards|Bot|Notifier|Service|Services)$/;
    const setters = Object.entries(t.services).flatMap(([name, s]) =>
      methodsOf(s as object)
        .filter((m) => wiring.test(m))
        .map((m) => `${name}.${m}`),
    );
    expect(setters).toEqual([]);
  });

  it('the jobs it schedules: every background job, from one runner', () => {
    expect(t.system.jobs.jobs.map((j) => j.name)).toEqual([
      'chat-event-recovery',
      'pending-record-recovery',
      'backup',
      'reminder-pass',
      'reminder-policies',
      'report-push',
      'report-rebuild',
      'approval-sweep',
      'import',
      'pool-reclaim',
      'assignment-return',
      'handover',
      'webhook-dispatch',
      'webhook-send',
      // directory-sync only when a directory source is configured
    ]);
  });

  it('a submitted approval reaches the approver through the bot (the approvals’ events port is the bot’s cards)', async () => {
    const rep = await t.login('demo-rep1');
    const customer = (await t.http.get('/api/v1/customers?limit=1').set('Authorization', rep)).body.items[0] as { id: string };
    const contract = await t.http
      .post('/api/v1/contracts')
      .set('Authorization', rep)
      .send({ customerId: customer.id, number: 'HT-SYS-1', title: '系统装配验证合同', amountFen: 50_000_000, discountPercent: 0 });
    expect(contract.status).toBe(201);
    const submitted = await t.http.post(`/api/v1/contracts/${contract.body.id as string}/submit`).set('Authorization', rep);
    expect(submitted.status).toBe(201);
    await t.system.stop(); // waits for the approval's chat effects
    expect(t.bot.approvals.stats.cardsSent).toBeGreaterThan(0);
  });

  it('each job runs through the runner against the real services and bot without an error', async () => {
    const errors: unknown[] = [];
    for (const job of t.system.jobs.jobs) {
      const wait = await t.system.jobs.runOnce({ ...job, run: () => job.run().catch((err: unknown) => (errors.push([job.name, err]), undefined)) });
      expect(wait).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
  });
});

describe('a first start on an empty database (npm start)', () => {
  it('seeds the demo company and counts it into the report roll-ups, so the dashboard is not all zeros', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const conn = await openTestConnection();
    try {
      const system = buildSystem(config, { connection: conn, databaseKind: TEST_DB_KIND, logger: silentLogger() });
      await system.prepare({ seed: true });
      const http = supertest(system.app.callback() as unknown as Server);
      const token = (await http.post('/api/v1/auth/dev-login').send({ login: 'demo-director' })).body.token as string;
      const funnel = await http.get('/api/v1/reports/funnel?period=quarter').set('Authorization', `Bearer ${token}`);
      expect(funnel.status).toBe(200);
      const deals = await http.get('/api/v1/opportunities?limit=1').set('Authorization', `Bearer ${token}`);
      expect(deals.body.items.length).toBeGreaterThan(0);
      expect(funnel.body.total.count).toBeGreaterThan(0);
    } finally {
      await closeTestConnection(conn);
    }
  });
});
