/**
 * The composition root (server/src/system.ts) is the graph `npm start` runs and the tests' app is built by it:
 * wiring that exists only on the server (the jobs, the approvals' events reaching the bot) is tested here
 * through that same graph.
 */
import { startTestApp, type TestApp } from '../helpers/test-app';

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
      'approval-sweep',
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
