import type { JobLeasePort } from '@crm/api';

/** The day (YYYY-MM-DD) and minute of the day of `at` in `tz`. */
function wallClock(at: Date, tz: string): { day: string; minute: number } {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return { day: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}

/** The day whose daily work is due at `at` (its time of day `dailyAt` has passed in business time), or null before that. */
export function dueDay(at: Date, dailyAt: string, tz: string): string | null {
  const [h, m] = dailyAt.split(':').map(Number) as [number, number];
  const wall = wallClock(at, tz);
  return wall.minute >= h * 60 + m ? wall.day : null;
}

/**
 * Work done once a day after its time of day, by one process however many run: the day is recorded done under
 * the lease's name in `job_leases`; the lease is held while the work runs and renewed through `renew`. A process
 * that dies mid-way leaves the day not done: the next check, here or on another worker, starts over.
 * Answers the work's result, or null when none was due (not yet time, done already, or another process has it).
 */
export async function runOnceADay<T>(
  p: { lease: string; dailyAt: string | null; businessTz: string; leases: JobLeasePort; holder: string; leaseMs: number; now: () => Date },
  work: (renew: () => Promise<void>) => Promise<T>,
): Promise<T | null> {
  const { lease, leases, holder, leaseMs, now } = p;
  if (!p.dailyAt) return null;
  const day = dueDay(now(), p.dailyAt, p.businessTz);
  if (!day || (await leases.isDone(lease, day))) return null;
  if (!(await leases.acquire(lease, holder, leaseMs, now()))) return null;
  try {
    if (await leases.isDone(lease, day)) return null;
    const result = await work(async () => void (await leases.acquire(lease, holder, leaseMs, now())));
    await leases.markDone(lease, day, holder, now());
    return result;
  } finally {
    await leases.release(lease, holder);
  }
}
