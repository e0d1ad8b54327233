import { addDays, wallClock, zonedInstant } from './zoned';

/**
 * When pushes may go out: working days, outside quiet hours, in the business time zone. Pure: every
 * function takes the instant and the zone.
 */
export interface BusinessHours {
  /** Minutes after midnight when quiet hours start (e.g. 21:00 → 1260) and end (08:00 → 480); may wrap midnight. */
  quietStartMinute: number;
  quietEndMinute: number;
  /** 1 = Monday … 7 = Sunday */
  workingDays: number[];
}

const minuteOfDay = (w: { hour: number; minute: number }) => w.hour * 60 + w.minute;

export function isQuietMinute(minute: number, h: BusinessHours): boolean {
  const { quietStartMinute: s, quietEndMinute: e } = h;
  if (s === e) return false;
  return s < e ? minute >= s && minute < e : minute >= s || minute < e;
}

/** True when a push may be delivered at this instant. */
export function isDeliverable(at: Date, h: BusinessHours, tz: string): boolean {
  const w = wallClock(at, tz);
  return h.workingDays.includes(w.weekday) && !isQuietMinute(minuteOfDay(w), h);
}

/**
 * The instant the current deliverable stretch began (today's end of quiet hours, or midnight when
 * quiet hours end the evening before), or null when `at` is not deliverable. What fell due before it
 * (overnight, at the weekend) waits for the digest instead of arriving as a burst of pushes.
 */
export function deliverableSince(at: Date, h: BusinessHours, tz: string): Date | null {
  if (!isDeliverable(at, h, tz)) return null;
  const w = wallClock(at, tz);
  const m = minuteOfDay(w);
  const { quietStartMinute: s, quietEndMinute: e } = h;
  // Quiet hours inside the day (e.g. 12:00–13:00) and we are after them: the stretch began at their end.
  const start = s < e && m >= e ? e : s > e || s === e ? e : 0;
  return zonedInstant(w.year, w.month, w.day, Math.floor(start / 60), start % 60, tz);
}

/** The first deliverable instant at or after `at` (searches minute-exact boundaries up to two weeks ahead). */
export function nextDeliverable(at: Date, h: BusinessHours, tz: string): Date {
  if (isDeliverable(at, h, tz)) return at;
  const w = wallClock(at, tz);
  for (let i = 0; i < 15; i++) {
    const d = addDays(w.year, w.month, w.day, i);
    const candidate = zonedInstant(d.year, d.month, d.day, Math.floor(h.quietEndMinute / 60), h.quietEndMinute % 60, tz);
    if (candidate.getTime() >= at.getTime() && isDeliverable(candidate, h, tz)) return candidate;
  }
  return at; // no working day configured: deliver as due rather than never
}

/** `hh:mm` on the wall clock of the day `at` falls on, `days` later. */
export function atWallTime(at: Date, days: number, hour: number, minute: number, tz: string): Date {
  const w = wallClock(at, tz);
  const d = addDays(w.year, w.month, w.day, days);
  return zonedInstant(d.year, d.month, d.day, hour, minute, tz);
}

/** The calendar day of `at` in the zone, as YYYY-MM-DD (a key for "once a day"). */
export function dayKey(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** Start and end of the calendar day of `at` in the zone. */
export function dayBounds(at: Date, tz: string): { start: Date; end: Date } {
  return { start: atWallTime(at, 0, 0, 0, tz), end: atWallTime(at, 1, 0, 0, tz) };
}

/** Snooze choices on reminder cards: 1 小时后, 明天上午 (09:00), 下周一 (09:00). */
export function snoozeUntil(preset: '1h' | 'tomorrow-morning' | 'next-monday', now: Date, tz: string): Date {
  if (preset === '1h') return new Date(now.getTime() + 3_600_000);
  if (preset === 'tomorrow-morning') return atWallTime(now, 1, 9, 0, tz);
  const weekday = wallClock(now, tz).weekday;
  return atWallTime(now, 8 - weekday, 9, 0, tz);
}

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** "11月24日（周二）14:00" — absolute, so a reply can be checked at a glance. */
export function formatDateTimeZh(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${w.month}月${w.day}日（${WEEKDAY_NAMES[w.weekday]}）${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

/** "10:32" */
export function formatClockZh(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

export interface PushArrival {
  /** When the reminder reaches the person. */
  at: Date;
  /** Why it does not arrive at its due time: null when it does. */
  held: null | 'quiet' | 'non-working';
}

/**
 * When a reminder due at `due` actually arrives, as the scheduler delivers it: at its time when pushes may
 * go out then; otherwise it is held, and the morning digest of the next deliverable stretch carries it (at
 * the digest time, or when the stretch opens if that is later). Pure.
 */
export function pushArrival(due: Date, h: BusinessHours, digestMinute: number, tz: string): PushArrival {
  if (isDeliverable(due, h, tz) || h.workingDays.length === 0) return { at: due, held: null };
  const w = wallClock(due, tz);
  const held = h.workingDays.includes(w.weekday) ? 'quiet' : 'non-working';
  const opens = nextDeliverable(due, h, tz);
  const digest = atWallTime(opens, 0, Math.floor(digestMinute / 60), digestMinute % 60, tz);
  return { at: digest.getTime() > opens.getTime() ? digest : opens, held };
}

const clockOf = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * One line for a confirmation when the reminder will not arrive at its time, e.g.
 * "（21:00–08:00 免打扰，提醒会在 11月24日（周二）09:00 随早间汇总送达）"; '' when it arrives on time.
 */
export function arrivalNoteZh(due: Date, h: BusinessHours, digestMinute: number, tz: string): string {
  const a = pushArrival(due, h, digestMinute, tz);
  if (!a.held) return '';
  const why = a.held === 'quiet' ? `${clockOf(h.quietStartMinute)}–${clockOf(h.quietEndMinute)} 免打扰` : `${WEEKDAY_NAMES[wallClock(due, tz).weekday]}不推送`;
  return `（${why}，提醒会在 ${formatDateTimeZh(a.at, tz)} 随早间汇总送达）`;
}
