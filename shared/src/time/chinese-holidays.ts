/**
 * Chinese holidays as calendar days, for the date reader ("春节后", "中秋前", "国庆后"). Pure tables and
 * arithmetic, no Intl: the Chinese calendar of ICU puts a few new years a day early when the new moon falls
 * just before midnight in Beijing (2027, 2030), so the lunar holidays come from the published calendar.
 */
export interface Ymd {
  year: number;
  month: number; // 1-12
  day: number;
}

/** Gregorian dates of 春节 (正月初一), 端午 (五月初五) and 中秋 (八月十五), 2024–2035 (published calendar). */
const LUNAR: Record<number, { spring: [number, number]; dragonBoat: [number, number]; midAutumn: [number, number] }> = {
  2024: { spring: [2, 10], dragonBoat: [6, 10], midAutumn: [9, 17] },
  2025: { spring: [1, 29], dragonBoat: [5, 31], midAutumn: [10, 6] },
  2026: { spring: [2, 17], dragonBoat: [6, 19], midAutumn: [9, 25] },
  2027: { spring: [2, 6], dragonBoat: [6, 9], midAutumn: [9, 15] },
  2028: { spring: [1, 26], dragonBoat: [5, 28], midAutumn: [10, 3] },
  2029: { spring: [2, 13], dragonBoat: [6, 16], midAutumn: [9, 22] },
  2030: { spring: [2, 3], dragonBoat: [6, 5], midAutumn: [9, 12] },
  2031: { spring: [1, 23], dragonBoat: [6, 24], midAutumn: [10, 1] },
  2032: { spring: [2, 11], dragonBoat: [6, 12], midAutumn: [9, 19] },
  2033: { spring: [1, 31], dragonBoat: [6, 1], midAutumn: [9, 8] },
  2034: { spring: [2, 19], dragonBoat: [6, 20], midAutumn: [9, 27] },
  2035: { spring: [2, 8], dragonBoat: [6, 10], midAutumn: [9, 16] },
};

export const LUNAR_TABLE_YEARS = { first: 2024, last: 2035 } as const;

export type HolidayName = 'spring' | 'eve' | 'lantern' | 'dragonBoat' | 'midAutumn' | 'national' | 'newYear' | 'labour' | 'christmas';

/** Adds days to a calendar date (month and year roll over). */
export function plusDays(d: Ymd, days: number): Ymd {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday */
export function weekdayOf(d: Ymd): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() || 7;
}

const cmp = (a: Ymd, b: Ymd) => a.year - b.year || a.month - b.month || a.day - b.day;

/**
 * A working day for the date reader: Monday to Friday outside the statutory breaks below (元旦, 春节,
 * 劳动节, 国庆; make-up working weekends are not modelled).
 */
export function isWorkingDay(d: Ymd): boolean {
  if (weekdayOf(d) > 5) return false;
  for (const name of ['newYear', 'spring', 'labour', 'national'] as const) {
    const b = holidayBreak(name, d.year);
    if (b && cmp(d, b.first) >= 0 && cmp(d, b.last) <= 0) return false;
  }
  return true;
}

/** The first working day on or after `d` (`step` 1), or on or before it (`step` -1). */
export function workingDayFrom(d: Ymd, step: 1 | -1): Ymd {
  let x = d;
  while (!isWorkingDay(x)) x = plusDays(x, step);
  return x;
}

/**
 * A holiday's break in a Gregorian year: its day, and the first and last days off (the usual statutory
 * break: 春节 除夕–初七, 国庆 1–7 Oct, 劳动节 1–5 May, the others their day). Null outside the lunar table.
 */
export function holidayBreak(name: HolidayName, year: number): { day: Ymd; first: Ymd; last: Ymd } | null {
  const fixed = (month: number, day: number, lastDay: number) => ({
    day: { year, month, day },
    first: { year, month, day },
    last: { year, month, day: lastDay },
  });
  if (name === 'national') return fixed(10, 1, 7);
  if (name === 'newYear') return fixed(1, 1, 1);
  if (name === 'labour') return fixed(5, 1, 5);
  if (name === 'christmas') return fixed(12, 25, 25);
  const row = LUNAR[year];
  if (!row) return null;
  if (name === 'dragonBoat' || name === 'midAutumn') {
    const [month, day] = row[name];
    return fixed(month, day, day);
  }
  const spring: Ymd = { year, month: row.spring[0], day: row.spring[1] };
  const eve = plusDays(spring, -1);
  const springBreak = { first: eve, last: plusDays(spring, 6) };
  if (name === 'spring') return { day: spring, ...springBreak };
  if (name === 'eve') return { day: eve, ...springBreak };
  const lantern = plusDays(spring, 14);
  return { day: lantern, first: lantern, last: lantern };
}

/**
 * The day a holiday phrase points at: 前 → the last working day before the break, 后 → the first working
 * day after it, 当天 → the day itself.
 */
export function holidayDate(name: HolidayName, year: number, when: 'before' | 'after' | 'day'): Ymd | null {
  const b = holidayBreak(name, year);
  if (!b) return null;
  if (when === 'day') return b.day;
  return when === 'before' ? workingDayFrom(plusDays(b.first, -1), -1) : workingDayFrom(plusDays(b.last, 1), 1);
}
