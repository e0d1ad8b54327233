import type { Connection } from 'mongoose';
import { SendBudget } from '../../bot/src/outbound/send-budget';
import { MongoSendLedger } from '../../bot/src/outbound/send-ledger';
import { closeTestConnection, openTestConnection } from '../helpers/test-db';

let conn: Connection;
beforeAll(async () => {
  conn = await openTestConnection();
});
afterAll(() => closeTestConnection(conn));

/** One manual clock shared by the "processes": sleeping advances it, so nothing waits for real. */
function sharedClock() {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      await new Promise((r) => setImmediate(r));
      now += ms;
    },
  };
}

const MINUTE = [{ limit: 30, ms: 60_000 }];

describe('a send budget shared by several processes (MongoDB ledger)', () => {
  it('two processes sending 40 each to one member: never more than 30 in any minute, none dropped', async () => {
    const clock = sharedClock();
    // the moments sends were let through (the shared clock may move on while a reservation is in flight)
    const times: number[] = [];
    class Recording extends MongoSendLedger {
      override async reserve(...args: Parameters<MongoSendLedger['reserve']>) {
        const r = await super.reserve(...args);
        if (r.ok) times.push(args[2]);
        return r;
      }
    }
    const a = new SendBudget(MINUTE, clock, new Recording(conn, 'ledger_two_procs'));
    const b = new SendBudget(MINUTE, clock, new Recording(conn, 'ledger_two_procs'));
    const send = async (budget: SendBudget) => {
      const done = await budget.acquire('zhangsan');
      await done();
    };
    await Promise.all([...Array.from({ length: 40 }, () => send(a)), ...Array.from({ length: 40 }, () => send(b))]);
    expect(times).toHaveLength(80);
    times.sort((x, y) => x - y);
    for (let i = 30; i < times.length; i++) expect(times[i]! - times[i - 30]!).toBeGreaterThanOrEqual(60_000);
  });

  it('each process alone would have allowed 60 in the first minute: the ledger is what holds it to 30', async () => {
    const clock = sharedClock();
    const a = new SendBudget(MINUTE, clock);
    const b = new SendBudget(MINUTE, clock);
    const start = clock.now();
    const times: number[] = [];
    await Promise.all([a, b].flatMap((budget) => Array.from({ length: 30 }, () => budget.acquire('lisi').then(() => times.push(clock.now())))));
    expect(times.filter((t) => t < start + 60_000)).toHaveLength(60); // the failure the ledger prevents
  });

  it('a send counts from when the platform answered, and old sends leave the log', async () => {
    const ledger = new MongoSendLedger(conn, 'ledger_settle');
    const windows = [{ limit: 1, ms: 1000 }];
    const first = await ledger.reserve('wangwu', windows, 0);
    expect(first.ok).toBe(true);
    expect(await ledger.reserve('wangwu', windows, 500)).toEqual({ ok: false, waitMs: 501 });
    await ledger.settle('wangwu', (first as { id: string }).id, 700);
    expect(await ledger.reserve('wangwu', windows, 1500)).toEqual({ ok: false, waitMs: 201 });
    expect((await ledger.reserve('wangwu', windows, 1701)).ok).toBe(true);
    for (let t = 3000; t < 30_000; t += 1001) expect((await ledger.reserve('wangwu', windows, t)).ok).toBe(true);
    const doc = await conn.collection('ledger_settle').findOne({ _id: 'wangwu' as never });
    expect((doc as unknown as { sends: unknown[] }).sends.length).toBeLessThanOrEqual(2);
  });

  it('two writers racing on one version: one wins, the other is told to try again', async () => {
    const ledger = new MongoSendLedger(conn, 'ledger_race');
    await ledger.reserve('zhaoliu', MINUTE, 0);
    const results = await Promise.all(Array.from({ length: 5 }, () => ledger.reserve('zhaoliu', MINUTE, 10)));
    const doc = (await conn.collection('ledger_race').findOne({ _id: 'zhaoliu' as never })) as unknown as { sends: unknown[] };
    expect(doc.sends).toHaveLength(1 + results.filter((r) => r.ok).length);
    for (const r of results) if (!r.ok) expect(r.waitMs).toBe(0);
  });
});
