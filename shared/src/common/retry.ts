/**
 * The one retry-with-backoff helper for platform calls (WeCom, DingTalk). `run` makes one attempt; when it
 * throws, `delayMs(err, attempt)` says how long to wait before the next one, or null to give up (the error
 * is thrown as is). Waits double from `baseMs`: `backoffMs(attempt, baseMs)`.
 */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  delayMs: (err: unknown, attempt: number) => number | null;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait (a log line). */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

export const backoffMs = (attempt: number, baseMs: number, maxMs = 30_000): number => Math.min(maxMs, baseMs * 2 ** (attempt - 1));

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(run: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (err) {
      const wait = attempt < opts.attempts ? opts.delayMs(err, attempt) : null;
      if (wait === null) throw err;
      opts.onRetry?.(err, attempt, wait);
      await (opts.sleep ?? realSleep)(wait);
    }
  }
}
