import { SendBudget } from './send-budget';

/** A manual clock: sleeping advances time instantly, so nothing waits for real. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => (now += ms),
  };
}

describe('SendBudget', () => {
  it('lets 30 through in a minute, then delays the 31st until the window frees — none dropped', async () => {
    const clock = fakeClock();
    const budget = new SendBudget(
      [
        { limit: 30, ms: 60_000 },
        { limit: 1000, ms: 3_600_000 },
      ],
      clock,
    );
    const times: number[] = [];
    await Promise.all(Array.from({ length: 65 }, () => budget.acquire('u1').then(() => times.push(clock.now()))));
    expect(times).toHaveLength(65);
    for (let i = 30; i < times.length; i++) expect(times[i]! - times[i - 30]!).toBeGreaterThanOrEqual(60_000);
    expect(times.filter((t) => t < 60_000)).toHaveLength(30);
  });

  it('reports the wait of each send that waited for its slot (for crm_send_budget_wait_seconds), none for the others', async () => {
    const clock = fakeClock();
    const waits: number[] = [];
    const budget = new SendBudget([{ limit: 2, ms: 1000 }], clock, null, (ms) => waits.push(ms));
    await Promise.all([budget.acquire('a'), budget.acquire('a'), budget.acquire('a'), budget.acquire('b')]);
    expect(waits).toEqual([1001]);
  });

  it('keeps recipients independent', async () => {
    const clock = fakeClock();
    const budget = new SendBudget([{ limit: 2, ms: 1000 }], clock);
    await budget.acquire('a');
    await budget.acquire('a');
    await budget.acquire('b');
    expect(clock.sleeps).toEqual([]);
    expect(budget.waitMs('a')).toBe(1001);
    expect(budget.waitMs('b')).toBe(0);
  });

  it('enforces the hourly cap too', async () => {
    const clock = fakeClock();
    const budget = new SendBudget(
      [
        { limit: 30, ms: 60_000 },
        { limit: 100, ms: 3_600_000 },
      ],
      clock,
    );
    const times: number[] = [];
    for (let i = 0; i < 101; i++) {
      await budget.acquire('u');
      times.push(clock.now());
    }
    expect(times[100]! - times[0]!).toBeGreaterThanOrEqual(3_600_000);
  });

  it('counts a send from when the platform answered, so a slow request cannot let the next minute start early', async () => {
    const clock = fakeClock();
    const budget = new SendBudget([{ limit: 2, ms: 60_000 }], clock);
    const first = await budget.acquire('u'); // at 0
    clock.advance(5_000); // the request takes 5 s to reach the platform and come back
    first();
    await budget.acquire('u'); // at 5 s, answered at once
    expect(budget.waitMs('u')).toBe(60_001); // counted from 5 s: the third may go just after 65 s, not 60 s
  });
});
