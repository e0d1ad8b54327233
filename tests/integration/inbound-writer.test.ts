import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { InboundWriter } from '../../bot/src/core/inbound-writer';
import { closeTestConnection, openTestConnection } from '../helpers/test-db';

let conn: Connection;
let col: Collection;
beforeAll(async () => {
  conn = await openTestConnection();
  col = conn.collection('writer_test') as unknown as Collection;
  await col.createIndex({ key: 1 }, { unique: true });
});
afterAll(() => closeTestConnection(conn));

/** Counts insert round trips that reach the server. */
function counting(c: Collection) {
  const batches: number[] = [];
  const proxy = new Proxy(c, {
    get(target, prop, receiver) {
      if (prop === 'insertMany')
        return (docs: unknown[], opts: unknown) => {
          batches.push(docs.length);
          return target.insertMany(docs as never, opts as never);
        };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { col: proxy, batches };
}

describe('InboundWriter: group commit with per-caller outcomes', () => {
  it('a lone delivery is written at once, in its own round trip', async () => {
    const c = counting(col);
    const w = new InboundWriter(() => c.col);
    expect(await w.insert({ key: 'lone-1' })).toBe(true);
    expect(c.batches).toEqual([1]);
  });

  it('a burst shares round trips, and each caller learns new or duplicate', async () => {
    const c = counting(col);
    const w = new InboundWriter(() => c.col, { maxBatch: 50, maxInFlight: 1 });
    await col.insertOne({ key: 'burst-seen-before' });
    const keys = Array.from({ length: 300 }, (_, i) => `burst-${i % 200}`); // 100 repeats within the burst
    keys.push('burst-seen-before');
    const outcomes = await Promise.all(keys.map((key) => w.insert({ key })));
    expect(outcomes.filter(Boolean)).toHaveLength(200);
    // the first of each key wins; its repeat and the old key are duplicates
    expect(outcomes.slice(0, 200).every(Boolean)).toBe(true);
    expect(outcomes.slice(200).some(Boolean)).toBe(false);
    expect(await col.countDocuments({ key: /^burst-/ })).toBe(201);
    expect(c.batches.length).toBeLessThan(20);
    expect(Math.max(...c.batches)).toBeLessThanOrEqual(50);
    expect(w.backlog).toBe(0);
  });

  it('a write that fails for another reason rejects its callers (they answer 500 and the platform retries)', async () => {
    const failing = new InboundWriter(() => ({ insertMany: () => Promise.reject(new Error('connection reset')) }) as unknown as Collection);
    const results = await Promise.allSettled([failing.insert({ key: 'x' }), failing.insert({ key: 'y' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failing.backlog).toBe(0);
  });
});
