import { addDays, daysInMonth, wallClock, zonedInstant } from './zoned';

/**
 * Finds a date / time in a Chinese sentence ("已电话沟通，客户要求下周二下午再联系") relative to `now`,
 * in the business time zone. Pure: `now` and the zone are parameters. Returns null when the text names
 * no time. Weeks start on Monday (下周二 on a Sunday is the day after tomorrow's Tuesday).
 * Defaults: a day without a time → 09:00; 上午 09:00, 中午 12:00, 下午 14:00, 傍晚 17:00, 晚上 20:00.
 * "周五前" (by Friday) is due that Friday at 09:00; a bare 1–6 点 is afternoon ("3点" = 15:00). Lunar
 * holidays (春节) are not computed.
 */
export interface ParsedDateTime {
  at: Date;
  /** The part of the text that was understood. */
  text: string;
  /** True when the text gave a day but no time of day (the default was used). */
  defaultTime: boolean;
}

const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 十二 → 12, 二十五 → 25, 三十一 → 31, 两 → 2 (up to 99). */
function chineseNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s.includes('十')) {
    const [tens, ones] = s.split('十');
    return (tens ? DIGIT[tens]! : 1) * 10 + (ones ? DIGIT[ones]! : 0);
  }
  return DIGIT[s] ?? NaN;
}

const NUM = '(\\d{1,2}|[零〇一二两三四五六七八九十]{1,3})';
const WEEKDAY_CHARS: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 7,
  天: 7,
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
  '6': 6,
  '7': 7,
};

const PERIODS: Array<[RegExp, number, number]> = [
  // pattern, default hour, offset added to an explicit hour < 12
  [/(凌晨)/, 6, 0],
  [/(早上|早晨|上午|明早|今早)/, 9, 0],
  [/(中午)/, 12, 0],
  [/(下午)/, 14, 12],
  [/(傍晚)/, 17, 12],
  [/(晚上|今晚|明晚|夜里)/, 20, 12],
];

export function parseChineseDateTime(text: string, now: Date, tz: string): ParsedDateTime | null {
  const s = text.normalize('NFKC');
  const today = wallClock(now, tz);
  const matched: string[] = [];

  // 1. pure offsets: "两小时后", "半小时后", "30分钟后"
  const offset = new RegExp(`(${NUM.slice(1, -1)}|半)\\s*个?\\s*(小时|钟头|分钟)(以)?后`).exec(s);
  if (offset) {
    const n = offset[1] === '半' ? 0.5 : chineseNumber(offset[1]!);
    const minutes = offset[2] === '分钟' ? n : n * 60;
    if (Number.isFinite(minutes) && minutes > 0) return { at: new Date(now.getTime() + minutes * 60_000), text: offset[0], defaultTime: false };
  }

  // 2. the day: the first rule whose pattern occurs in the text decides it
  type Ymd = { year: number; month: number; day: number };
  const plus = (days: number): Ymd => addDays(today.year, today.month, today.day, days);
  const nextMonth = () => (today.month === 12 ? { year: today.year + 1, month: 1 } : { year: today.year, month: today.month + 1 });
  const dayRules: Array<[RegExp, (m: RegExpExecArray) => Ymd | null]> = [
    [/大后天/, () => plus(3)],
    [/后天/, () => plus(2)],
    [/(明天|明日|明早|明晚|明儿)/, () => plus(1)],
    [/(今天|今日|今早|今晚|今儿)/, () => plus(0)],
    [new RegExp(`${NUM}\\s*(天|日)(以)?后`), (m) => plus(chineseNumber(m[1]!))],
    [
      /(下下|下|这|本)?(周|星期|礼拜)([一二三四五六日天1-7])(前|之前)?/,
      (m) => {
        let delta = WEEKDAY_CHARS[m[3]!]! - today.weekday + (m[1] === '下下' ? 14 : m[1] === '下' ? 7 : 0);
        if (!m[1] && delta < 0) delta += 7; // a bare 周五 that has passed means the next one
        return plus(delta);
      },
    ],
    [/(下下|下)(周|星期|礼拜)(?![一二三四五六日天1-7])/, (m) => plus(8 - today.weekday + (m[1] === '下下' ? 7 : 0))],
    [/(下个?月|下月)(底|末)/, () => ({ ...nextMonth(), day: daysInMonth(nextMonth().year, nextMonth().month) })],
    [/(月底|月末)/, () => ({ year: today.year, month: today.month, day: daysInMonth(today.year, today.month) })],
    [/(下个?月|下月)月?初|月初/, () => ({ ...nextMonth(), day: 1 })],
    [
      new RegExp(`(下个?月|下月)\\s*${NUM}\\s*(号|日)`),
      (m) => ({ ...nextMonth(), day: Math.min(chineseNumber(m[2]!), daysInMonth(nextMonth().year, nextMonth().month)) }),
    ],
    [
      new RegExp(`${NUM}\\s*月\\s*${NUM}\\s*(号|日)?`),
      (m) => {
        const month = chineseNumber(m[1]!);
        const d = chineseNumber(m[2]!);
        if (!(month >= 1 && month <= 12 && d >= 1 && d <= 31)) return null;
        const past = month < today.month || (month === today.month && d < today.day);
        return { year: today.year + (past ? 1 : 0), month, day: d };
      },
    ],
    [
      new RegExp(`(?<![\\d月])${NUM}\\s*(号)`),
      (m) => {
        const d = chineseNumber(m[1]!);
        if (!(d >= 1 && d <= 31)) return null;
        return d < today.day ? { ...nextMonth(), day: d } : { year: today.year, month: today.month, day: d };
      },
    ],
    [
      /(国庆|十一)(节)?(后|之后|以后|过后)/,
      () => ({ year: today.year + (today.month > 10 || (today.month === 10 && today.day >= 8) ? 1 : 0), month: 10, day: 8 }),
    ],
    [/元旦(节)?(后|之后|以后|过后)/, () => ({ year: today.year + 1, month: 1, day: 2 })],
  ];
  let date: Ymd | null = null;
  for (const [re, toDate] of dayRules) {
    const m = re.exec(s);
    if (!m) continue;
    date = toDate(m);
    if (date) matched.push(m[0]);
    break;
  }

  // 3. the time of day
  let hour: number | null = null;
  let minute = 0;
  let period: [number, number] | null = null;
  for (const [re, def, add] of PERIODS) {
    const p = re.exec(s);
    if (p) {
      period = [def, add];
      matched.push(p[0]);
      break;
    }
  }
  const clock = /(\d{1,2})[:：](\d{2})/.exec(s) ?? new RegExp(`${NUM}\\s*[点時时](半|一刻|三刻|${NUM}\\s*分?)?`).exec(s);
  if (clock) {
    const h = chineseNumber(clock[1]!);
    const rest = clock[2];
    const mins = rest === '半' ? 30 : rest === '一刻' ? 15 : rest === '三刻' ? 45 : rest ? chineseNumber(rest.replace(/分$/, '').trim()) : 0;
    if (h >= 0 && h <= 23 && mins >= 0 && mins < 60) {
      hour = h;
      minute = mins;
      if (period && h < 12) hour = h + period[1];
      else if (!period && h >= 1 && h <= 6) hour = h + 12; // "3点" in a work chat means 15:00
      matched.push(clock[0]);
    }
  }
  if (hour === null && period) hour = period[0];
  if (!date && hour === null) return null;
  if (!date) {
    // a time alone: today if still ahead, else tomorrow
    const candidate = zonedInstant(today.year, today.month, today.day, hour!, minute, tz);
    date = candidate.getTime() > now.getTime() ? { year: today.year, month: today.month, day: today.day } : addDays(today.year, today.month, today.day, 1);
  }
  const defaultTime = hour === null;
  return { at: zonedInstant(date.year, date.month, date.day, hour ?? 9, minute, tz), text: matched.join(''), defaultTime };
}
