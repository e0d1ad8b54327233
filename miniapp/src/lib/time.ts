import { formatMoneyShort } from '@shared/text/money';
import { formatAgo as sharedFormatAgo, formatRelativeDateTime } from '@shared/time/relative';
import { addDays, wallClock, zonedInstant } from '@shared/time/zoned';

/** Business time zone of schedules and "tomorrow" (the API's BUSINESS_TZ default). */
export const BUSINESS_TZ = 'Asia/Shanghai';

export type NextStepChoice = 'tomorrow-morning' | 'tomorrow-afternoon' | 'next-monday' | 'custom';

export const NEXT_STEP_CHOICES: Array<{ key: NextStepChoice; label: string }> = [
  { key: 'tomorrow-morning', label: '明天上午' },
  { key: 'tomorrow-afternoon', label: '明天下午' },
  { key: 'next-monday', label: '下周一' },
  { key: 'custom', label: '自定义' },
];

/** When a quick choice is due: 明天上午 09:00, 明天下午 14:00, 下周一 09:00 (a Monday answers the Monday after), in `tz`. */
export function quickChoiceAt(choice: Exclude<NextStepChoice, 'custom'>, now: Date, tz: string = BUSINESS_TZ): Date {
  const w = wallClock(now, tz);
  if (choice === 'next-monday') {
    const d = addDays(w.year, w.month, w.day, 8 - w.weekday);
    return zonedInstant(d.year, d.month, d.day, 9, 0, tz);
  }
  const d = addDays(w.year, w.month, w.day, 1);
  return zonedInstant(d.year, d.month, d.day, choice === 'tomorrow-morning' ? 9 : 14, 0, tz);
}

/** A date ("2026-11-24") and a time ("09:30") from the pickers, read in `tz`. Null when either is malformed. */
export function customAt(date: string, time: string, tz: string = BUSINESS_TZ): Date | null {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const tm = /^(\d{2}):(\d{2})$/.exec(time);
  if (!dm || !tm) return null;
  return zonedInstant(Number(dm[1]), Number(dm[2]), Number(dm[3]), Number(tm[1]), Number(tm[2]), tz);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-24" and "09:00" of an instant in `tz` (what the pickers show). */
export function pickerValues(at: Date, tz: string = BUSINESS_TZ): { date: string; time: string } {
  const w = wallClock(at, tz);
  return { date: `${w.year}-${pad(w.month)}-${pad(w.day)}`, time: `${pad(w.hour)}:${pad(w.minute)}` };
}

/** "今天 14:00", "明天 09:00", "昨天 18:30", "11月28日 周六 09:00", "2025年3月1日 09:00" relative to `now`, in `tz` (shared with the bot). */
export function formatDateTime(iso: string | Date | null | undefined, now: Date, tz: string = BUSINESS_TZ): string {
  return formatRelativeDateTime(iso, now, tz);
}

/** "刚刚", "3小时前", "2天前", "11月2日" (older than a month) (shared with the bot). */
export function formatAgo(iso: string | null | undefined, now: Date, tz: string = BUSINESS_TZ): string {
  return sharedFormatAgo(iso, now, tz);
}

/** Money as everywhere else (cards, notices, the app): one formatter, shared/src/text/money.ts (¥8,600, ¥12.5万, ¥120万). */
export const formatMoney = (fen: number | null | undefined): string => formatMoneyShort(fen);
