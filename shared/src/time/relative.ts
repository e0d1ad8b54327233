import { wallClock } from './zoned';

/**
 * Relative times as people read them, one formatter for the bot's cards and digests and the mini-app
 * (pure, no dependencies: the mini-app compiles it into its bundle).
 */

const WEEKDAY = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const pad = (n: number) => String(n).padStart(2, '0');
const toDate = (at: string | Date | null | undefined): Date | null => {
  if (!at) return null;
  const d = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(d.getTime()) ? null : d;
};

/** "今天 14:00", "明天 09:00", "昨天 18:30", "11月28日 周六 09:00", "2025年3月1日 09:00": relative to `now`, in `tz`. */
export function formatRelativeDateTime(at: string | Date | null | undefined, now: Date, tz: string): string {
  const d = toDate(at);
  if (!d) return '';
  const w = wallClock(d, tz);
  const n = wallClock(now, tz);
  const dayDiff = Math.round((Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(n.year, n.month - 1, n.day)) / 86_400_000);
  const time = `${pad(w.hour)}:${pad(w.minute)}`;
  if (dayDiff === 0) return `今天 ${time}`;
  if (dayDiff === 1) return `明天 ${time}`;
  if (dayDiff === -1) return `昨天 ${time}`;
  if (w.year !== n.year) return `${w.year}年${w.month}月${w.day}日 ${time}`;
  return `${w.month}月${w.day}日 ${WEEKDAY[w.weekday]} ${time}`;
}

/** "刚刚", "5分钟前", "3小时前", "2天前", "11月2日" (a month or more ago), "2025年3月1日" (another year). */
export function formatAgo(at: string | Date | null | undefined, now: Date, tz: string): string {
  const d = toDate(at);
  if (!d) return '';
  const ms = now.getTime() - d.getTime();
  if (ms < 60_000) return '刚刚';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}分钟前`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}小时前`;
  if (ms < 30 * 86_400_000) return `${Math.floor(ms / 86_400_000)}天前`;
  const w = wallClock(d, tz);
  return w.year === wallClock(now, tz).year ? `${w.month}月${w.day}日` : `${w.year}年${w.month}月${w.day}日`;
}

/**
 * A due time on a reminder: how late it is when it is past ("逾期 2天", "逾期 3小时"; under an hour it is
 * simply "5分钟前"), the relative date and time otherwise ("今天 16:00", "明天 09:00").
 */
export function formatDue(at: string | Date | null | undefined, now: Date, tz: string): string {
  const d = toDate(at);
  if (!d) return '';
  const late = now.getTime() - d.getTime();
  if (late >= 86_400_000) return `逾期 ${Math.floor(late / 86_400_000)}天`;
  if (late >= 3_600_000) return `逾期 ${Math.floor(late / 3_600_000)}小时`;
  if (late > 0) return formatAgo(d, now, tz);
  return formatRelativeDateTime(d, now, tz);
}
