import { backoffMs, withRetry } from './retry';

describe('withRetry: one retry-with-backoff helper for platform calls', () => {
  it.each([
    { name: 'succeeds at once', failures: 0, attempts: 4, retryable: true, want: { calls: 1, waits: [], ok: true } },
    { name: 'busy twice then ok', failures: 2, attempts: 4, retryable: true, want: { calls: 3, waits: [300, 600], ok: true } },
    { name: 'gives up after the last attempt', failures: 9, attempts: 4, retryable: true, want: { calls: 4, waits: [300, 600, 1200], ok: false } },
    { name: 'an error that is not retried is thrown at once', failures: 1, attempts: 4, retryable: false, want: { calls: 1, waits: [], ok: false } },
  ])('$name', async ({ failures, attempts, retryable, want }) => {
    const waits: number[] = [];
    let calls = 0;
    const run = async () => {
      calls += 1;
      if (calls <= failures) throw new Error(`fail ${calls}`);
      return 'ok';
    };
    const result = await withRetry(run, {
      attempts,
      delayMs: (_err, attempt) => (retryable ? backoffMs(attempt, 300) : null),
      sleep: async (ms) => void waits.push(ms),
    }).then(
      () => true,
      () => false,
    );
    expect({ calls, waits, ok: result }).toEqual(want);
  });

  it('backoff doubles and is capped', () => {
    expect([1, 2, 3, 10].map((a) => backoffMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
  });
});
