import type { BusinessHours, CustomerTier } from '@crm/shared';

/**
 * What gets reminded, when, and how loudly. Defaults below; the four most-changed settings can also come
 * from the environment (DIGEST_TIME, QUIET_HOURS, WORKING_DAYS, REMINDER_REPLY_WINDOW_MINUTES, SCHEDULER_TICK_MS).
 */
export interface ReminderPolicy {
  hours: BusinessHours;
  /** Morning digest, minutes after midnight on working days (09:00 → 540). */
  digestMinute: number;
  /** Deals past their stage's time limit (stage `slaDays` in crm-defaults) alert the owner; this many days later the owner's leader too. */
  stalledManagerAfterDays: number;
  /** A customer with no follow-up for this many days (by tier) is "cold"; null = never. */
  coldDaysByTier: Record<CustomerTier, number | null>;
  /** A free-text message within this many minutes of a reminder is logged as a follow-up on its customer. */
  replyWindowMinutes: number;
  /** More reminders than this for one person in one pass become a single summary card. */
  burstLimit: number;
  /** The reports pushed to managers in chat (bot/src/reports, the report-push job). */
  reports: {
    /** The weekly report card: this weekday (1 = Monday) at this minute of the day, business time (Monday 09:00). */
    weeklyWeekday: number;
    weeklyMinute: number;
    /** Alert a manager when one of their reps logged no follow-up for this many working days (N). */
    quietRepWorkingDays: number;
    /** Alert a manager when the team's new deals of last week fell by more than this percent against the week before (X). */
    newDealsDropPercent: number;
  };
  scheduler: {
    /** How often due reminders are claimed. */
    tickMs: number;
    /** A claim is held this long; a worker that dies releases its items when it runs out. */
    leaseMs: number;
    /** Reminders claimed per pass. */
    batchSize: number;
    /** Failed sends are retried with backoff (1 min, 2, 4, …) up to this many attempts, then end `failed`. */
    maxAttempts: number;
    /** Stalled / cold policies are evaluated this often. */
    policyEveryMinutes: number;
  };
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  hours: { quietStartMinute: 21 * 60, quietEndMinute: 8 * 60, workingDays: [1, 2, 3, 4, 5] },
  digestMinute: 9 * 60,
  stalledManagerAfterDays: 3,
  coldDaysByTier: { A: 7, B: 14, C: 30, D: null },
  replyWindowMinutes: 120,
  burstLimit: 3,
  reports: { weeklyWeekday: 1, weeklyMinute: 9 * 60, quietRepWorkingDays: 3, newDealsDropPercent: 30 },
  scheduler: { tickMs: 5_000, leaseMs: 120_000, batchSize: 200, maxAttempts: 5, policyEveryMinutes: 15 },
};

/** "21:00" → 1260 */
export function parseClock(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`not a time of day: ${text}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** "1-5" or "1,2,3,4,5,6" → [1..] (1 = Monday, 7 = Sunday) */
export function parseWorkingDays(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const range = /^([1-7])(?:-([1-7]))?$/.exec(part);
    if (!range) throw new Error(`not a day list: ${text}`);
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (to < from) throw new Error(`not a day list: ${text}`);
    for (let d = from; d <= to; d++) days.add(d);
  }
  return [...days].sort();
}
