import { holidayDate, plusDays, weekdayOf, workingDayFrom, type HolidayName, type Ymd } from './chinese-holidays';
import { daysInMonth, wallClock, zonedInstant } from './zoned';

/**
 * Finds the next date / time a Chinese sentence names ("已电话沟通，客户要求下周二下午再联系") relative to
 * `now`, in the business time zone. Pure: `now` and the zone are parameters. Null when the text names no
 * future time. It prefers saying nothing to proposing a wrong date.
 *
 * Conventions (README, "Dates the bot reads"):
 * - A day without a time of day → 09:00. 凌晨 06:00, 早上 / 上午 09:00, 中午 12:00, 下午 14:00, 傍晚 17:00,
 *   晚上 20:00. A bare 1–6 点 is afternoon ("3点" = 15:00); 晚上12点 is midnight (00:00 the next day);
 *   "三四点" / "2-3点" take the first hour; "下周三四点" is Wednesday 16:00.
 * - Weeks start on Monday: 下周二 is the Tuesday of next week, 下周 alone its Monday, 下下周X the week
 *   after; a bare 周五 is the next Friday (today if its time is still ahead); 周五前 → that Friday 09:00;
 *   这周内 → this Friday, 下周内 → next week's Friday.
 * - 周末 → the coming Saturday 10:00 (下周末: next week's Saturday); 过两天 → +2 days, 过几天 → +3 days;
 *   N天 / N周 / N个月 / 半年 后 (or 内) → that many days / weeks / months later (month ends clamped).
 * - Month spans land on working days (Monday–Friday): 月初 / 上旬 → the first working day (bare 月初 = next
 *   month's), 月中 / 中旬 → the 15th (next working day), 下旬 → the 21st (next working day), 月底 / 月末 →
 *   the last working day; 下个月 alone → its first working day; a month alone ("3月份") → its first working
 *   day (never the current month: ambiguous); 年底 / 年底前 → the last working day of December; 年初 → the
 *   first working day of next year. A span that lands on today after 09:00 is today 17:00 (if still ahead).
 * - Dates: ISO / slashes / dots (2026-12-03, 2026/12/3, 12/3, 12.3 when it reads as a date, not a price
 *   or a version), 12月3日 / 十二月三号, 15号. Without a year: the next one, except a date up to 60 days
 *   ago, which is a past reference ("11月20号拜访了") and names no time; 15号 past this month → next month.
 * - Holidays: <节>前 → the last working day before the break, <节>后 → the first working day after it,
 *   <节>当天 → the day. Breaks: 春节 除夕–初七 (年前 / 年后 / 过年 mean 春节), 国庆 (十一) 1–7 Oct, 五一
 *   1–5 May, 元旦 1 Jan; 端午, 中秋, 元宵 their day. Lunar dates from a table for 2024–2035.
 * - Past references are skipped (昨天, 上周五, 上个月, 三天前) and so are ambiguous mentions in a clause
 *   that reports the past ("周五拜访了客户", "今天去过了"); "一点 / 两点" as "a bit / two points"
 *   (便宜一点, 三点建议), counts ("这周三个客户") and numbers that are not days ("1号线") name no time.
 * - "这周五" said after Friday is not moved: the result says `past` with the next occurrence to offer
 *   ("这周五已经过了，是下周五吗？"); the same for 这周末, 这周内, and 今天 with a time already gone.
 */
export interface ParsedDateTime {
  /** The instant read (in the past when `past` is set). */
  at: Date;
  /** The part of the text that was understood. */
  text: string;
  /** True when the text gave a day but no time of day (the default was used). */
  defaultTime: boolean;
  /**
   * Set when the text explicitly names a time that is already gone this week or today ("这周五" on a
   * Sunday, "今天上午9点" at 10:00): do not schedule `at`; ask `question`, offering `suggestion` (the next
   * occurrence, or null when there is none to offer).
   */
  past?: { suggestion: Date | null; question: string };
}

const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 十二 → 12, 二十五 → 25, 三十一 → 31, 两 → 2, 15 → 15 (up to 99); NaN otherwise. */
function chineseNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s.includes('十')) {
    const [tens = '', ones = '', ...more] = s.split('十');
    if (more.length || tens.length > 1 || ones.length > 1) return NaN;
    const t = tens ? DIGIT[tens] : 1;
    const o = ones ? DIGIT[ones] : 0;
    return t === undefined || o === undefined ? NaN : t * 10 + o;
  }
  return s.length === 1 ? (DIGIT[s] ?? NaN) : NaN;
}

const N = '\\d{1,2}|[零〇一二两三四五六七八九十]{1,3}';
const WEEKDAY_CHARS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const WEEKDAY_NAMES = ['', '一', '二', '三', '四', '五', '六', '日'];
/** A weekday restated after a date: "12月18号(周五)", "12/18 周五". */
const WD = String.raw`(?:\s*[(（]?\s*(?:周|星期|礼拜)([一二三四五六日天1-7])\s*[)）]?)?`;
/** Characters that end a clause. */
const CLAUSE_END = /[，,。.!！?？;；\n~～]/;

/** Typing slips reps make, fixed before reading. */
const TYPOS: Array<[RegExp, string]> = [
  [/下五(?=\s*\d|\s*[一二两三四五六七八九十]点|$|[，,。!！\s])/g, '下午'],
  [/上五(?=\s*\d|\s*[一二两三四五六七八九十]点|$|[，,。!！\s])/g, '上午'],
  [/周未/g, '周末'],
  [/星其/g, '星期'],
  [/明填/g, '明天'],
  [/(\d)\s*(?:点|:)\s*钟/g, '$1点'],
];

interface Period {
  def: number;
  /** An explicit hour in this period → [hour 0-23, days to add]. */
  hour: (h: number) => [number, number];
}
const EVENING: Period = { def: 20, hour: (h) => (h === 12 ? [0, 1] : h <= 4 ? [h, 1] : h < 12 ? [h + 12, 0] : [h, 0]) };
const PERIODS: Array<[string, Period]> = [
  ['凌晨', { def: 6, hour: (h) => [h === 12 ? 0 : h, 0] }],
  ['早上|早晨|清早|一早|上午|早', { def: 9, hour: (h) => [h, 0] }],
  ['中午', { def: 12, hour: (h) => [h <= 3 ? h + 12 : h, 0] }],
  ['下午|午后', { def: 14, hour: (h) => [h < 12 ? h + 12 : h, 0] }],
  ['傍晚', { def: 17, hour: (h) => [h < 12 ? h + 12 : h, 0] }],
  ['晚上|晚间|夜里|夜间|晚', { def: 20, hour: EVENING.hour }],
];
const PERIOD_RE = new RegExp(`(${PERIODS.map(([p]) => p).join('|')})`, 'y');
function periodOf(word: string): Period {
  return PERIODS.find(([p]) => new RegExp(`^(${p})$`).test(word))![1];
}

type Hit = {
  start: number;
  end: number;
  /** past: a reference to the past (skipped, but it owns its words); offset: an exact instant. */
  kind: 'day' | 'offset' | 'past';
  ymd?: Ymd;
  at?: Date;
  /** A period carried by the day word itself (今晚, 明早). */
  period?: Period;
  /** The default hour of a span (周末 10:00). */
  defHour?: number;
  /** Could be a past or a future mention (今天, 周五, 15号, a time alone): skipped in a past-tense clause. */
  ambiguous?: boolean;
  /** A bare weekday on today: next week's when its time is gone. */
  rollWeek?: boolean;
  /** "这周五": when gone, asked about instead of moved. */
  thisWeek?: { label: string; next: string };
  /** A vague span: on today after its default hour → 17:00, else `later`. */
  span?: { later: () => Ymd };
  /** "今天": a named time already gone is flagged. */
  today?: boolean;
};

interface TimeOfDay {
  start: number;
  end: number;
  hour: number;
  minute: number;
  dayShift: number;
  /** A period word alone (下午): its default hour. */
  fromPeriod: boolean;
}

export function parseChineseDateTime(text: string, now: Date, tz: string): ParsedDateTime | null {
  let s = text.normalize('NFKC');
  for (const [re, to] of TYPOS) s = s.replace(re, to);
  const w = wallClock(now, tz);
  const today: Ymd = { year: w.year, month: w.month, day: w.day };
  const hits = findDays(s, today, w.weekday, now);
  const owned = (i: number) => hits.some((h) => i >= h.start && i < h.end);

  type Candidate = ParsedDateTime & { future: boolean; end?: number };
  const candidates: Candidate[] = [];
  const build = (hit: Hit): Candidate | null => {
    if (hit.kind === 'past') return null;
    if (hit.kind === 'offset') return { at: hit.at!, text: s.slice(hit.start, hit.end), defaultTime: false, future: true };
    const time = timeAfter(s, hit, owned);
    if (hit.ambiguous && pastTense(s, time?.end ?? hit.end)) return null;
    let ymd = hit.ymd!;
    let hour = hit.defHour ?? hit.period?.def ?? 9;
    let minute = 0;
    if (time) {
      ymd = plusDays(ymd, time.dayShift);
      hour = time.hour;
      minute = time.minute;
    }
    const defaultTime = !time && !hit.period;
    let at = zonedInstant(ymd.year, ymd.month, ymd.day, hour, minute, tz);
    // the words read: the day, then its time ("下周二" + "下午"), without what lies between
    const label = s.slice(hit.start, hit.end) + (time ? s.slice(time.start, time.end) : '');
    if (at.getTime() <= now.getTime()) {
      if (hit.rollWeek) {
        const next = plusDays(ymd, 7);
        at = zonedInstant(next.year, next.month, next.day, hour, minute, tz);
      } else if (hit.span && defaultTime) {
        const five = zonedInstant(ymd.year, ymd.month, ymd.day, 17, 0, tz);
        const later = hit.span.later();
        at = five.getTime() > now.getTime() ? five : zonedInstant(later.year, later.month, later.day, hour, 0, tz);
      } else if (hit.thisWeek) {
        const next = plusDays(ymd, 7);
        const suggestion = zonedInstant(next.year, next.month, next.day, hour, minute, tz);
        const question = `${hit.thisWeek.label}已经过了，是${hit.thisWeek.next}吗？`;
        return { at, text: label, defaultTime, past: { suggestion, question }, future: false };
      } else if (hit.today && time) {
        return { at, text: label, defaultTime, past: { suggestion: null, question: `${label}已经过了，请说一个之后的时间。` }, future: false };
      } else return null;
    }
    return { at, text: label, defaultTime, future: true, end: time?.end ?? hit.end };
  };
  for (const hit of hits) {
    const c = build(hit);
    if (c) candidates.push(c);
  }
  // no day named: a time alone (下午三点, 3点, 晚上) is today if still ahead, else tomorrow
  if (!candidates.length) {
    const alone = timeAlone(s, hits, owned);
    if (alone && !pastTense(s, alone.end)) {
      let at = zonedInstant(today.year, today.month, today.day + alone.dayShift, alone.hour, alone.minute, tz);
      if (at.getTime() <= now.getTime()) at = new Date(at.getTime() + 24 * 3600_000);
      const fixed = wallClock(at, tz); // a DST-safe +1 day
      at = zonedInstant(fixed.year, fixed.month, fixed.day, alone.hour, alone.minute, tz);
      candidates.unshift({ at, text: s.slice(alone.start, alone.end), defaultTime: false, future: true });
    }
  }
  // several dates ("他下周出差，下下周一再约"): the one followed by a next step
  const futures = candidates.filter((c) => c.future);
  const cued = futures.length > 1 ? futures.find((c) => c.end !== undefined && NEXT_STEP.test(clauseFrom(s, c.end))) : undefined;
  const chosen = cued ?? futures[0] ?? candidates[0];
  if (!chosen) return null;
  const { future: _future, end: _end, ...result } = chosen;
  return result;
}

/** Words after a date that make it the next step. */
const NEXT_STEP = /再|联系|回访|跟进|约|见面|拜访|提醒|回复|答复|催|回电|签/;

function clauseFrom(s: string, from: number): string {
  let end = from;
  while (end < s.length && !CLAUSE_END.test(s[end]!)) end++;
  return s.slice(from, end);
}

/** A clause that reports the past after a mention: "周五拜访了客户", "今天去过了", "15号已签". */
function pastTense(s: string, from: number): boolean {
  const rest = clauseFrom(s, from);
  return /(?<![约定])了(?!解|结|不起|吧|啊)|过(?![来去后两几一二三四五六七八九十\d年节])|已(?!经约|约)/.test(rest);
}

/** The time of day right after a day mention, or later in its clause ("明天去拜访客户下午三点"). */
function timeAfter(s: string, hit: Hit, owned: (i: number) => boolean): TimeOfDay | null {
  let i = hit.end;
  if (hit.period) {
    // 今晚8点, 明早九点: the clock right after takes the word's period
    const c = clockAt(s, skipFiller(s, i), true);
    return c ? withPeriod(c, hit.period) : null;
  }
  for (; i < s.length && !CLAUSE_END.test(s[i]!); i++) {
    if (i > hit.end && owned(i)) return null;
    const t = timeAt(s, i, i === hit.end || /^[\s的]*$/.test(s.slice(hit.end, i)));
    if (t) return t.fromPeriod ? (clockInNextClause(s, t, owned) ?? t) : t;
  }
  return null;
}

/** "明天下午有空，三点左右过去": a period, then the clock opening the next clause. */
function clockInNextClause(s: string, t: TimeOfDay, owned: (i: number) => boolean): TimeOfDay | null {
  let i = t.end;
  while (i < s.length && !CLAUSE_END.test(s[i]!)) i++;
  if (!/[，,]/.test(s[i] ?? '')) return null;
  const j = skipFiller(s, i + 1);
  if (owned(j)) return null;
  const c = timeAt(s, j, false);
  if (!c || c.fromPeriod) return null;
  const period = PERIODS.find(([, p]) => p.def === t.hour)?.[1];
  return period ? withPeriod(clockAt(s, j, false) ?? c, period) : null;
}

function skipFiller(s: string, i: number): number {
  while (i < s.length && /[\s的]/.test(s[i]!)) i++;
  return i;
}

/** A period word, a clock, or both, starting at i. `attached`: right after a day word (汉字 clocks trusted). */
function timeAt(s: string, i: number, attached: boolean): TimeOfDay | null {
  i = skipFiller(s, i);
  PERIOD_RE.lastIndex = i;
  const p = PERIOD_RE.exec(s);
  if (p) {
    const word = p[1]!;
    if ((word === '早' || word === '晚') && /^(一点|点|些|一些)/.test(s.slice(i + 1))) return null;
    // 早 / 晚 alone are adverbs (早点, 晚一点, 晚些); they are periods only before a clock
    const clock = clockAt(s, skipFiller(s, i + word.length), true);
    if (word === '早' || word === '晚') {
      if (!clock || !attached) return null;
    }
    // "晚一点" after a day (明天晚一点): not a period
    if (!clock && /^(一点|点)/.test(s.slice(i + word.length))) return null;
    const period = periodOf(word);
    if (clock) return { ...withPeriod(clock, period), start: i };
    return { start: i, end: i + word.length, hour: period.def, minute: 0, dayShift: 0, fromPeriod: true };
  }
  const c = clockAt(s, i, attached);
  if (!c) return null;
  const [hour, shift] = c.hour >= 1 && c.hour <= 6 ? [c.hour + 12, 0] : [c.hour, 0];
  return { ...c, hour, dayShift: shift };
}

function withPeriod(c: TimeOfDay, period: Period): TimeOfDay {
  const [hour, dayShift] = period.hour(c.hour);
  return { ...c, hour, dayShift };
}

const CLOCK_COLON = /(\d{1,2})\s*:\s*(\d{2})(?!\d)/y;
const CLOCK_DOT = /(\d{1,2})\.(\d{2})(?![\d.%万元块千kKwW])/y;
const CLOCK_AMPM = /(\d{1,2})\s*(am|pm|AM|PM)(?![a-zA-Z])/y;
const CLOCK_WORD = new RegExp(`(${N})(?:\\s*[-~到至]\\s*(?:${N}))?\\s*[点點时](?:钟)?((半)|(一刻)|(三刻)|(整)|过?\\s*(${N})\\s*(分)?)?`, 'y');
/** Words after "三点" that make it "three points" or "a bit", not a time. */
const NOT_CLOCK_AFTER =
  /^(建议|意见|内容|要求|问题|看法|原因|想法|理由|事|东西|儿|点|些|需求|共识|疑问|优势|好处|注意|说明|改进|补充|反馈|结论|感受|体会|顾虑|建|意|要|问|看|原|需|优|好|个|条|项|方面)/;
/** Words before "一点 / 两点" that make it "a bit" (便宜一点, 晚一点, 差一点). */
const A_BIT_BEFORE =
  /(宜|晚|早|快|慢|多|少|差|好|高|低|大|小|远|近|再|轻|重|松|紧|有|些|便|优惠|降|长|短|贵|细|点|积极|主动|热情|稍微|稍|给|要|加|减|让|放|简单|清楚|明白|详细)$/;
/** What follows a clock named in 汉字 with no day or period before it ("两点见", "十点开会"). */
const CLOCK_WORD_OK_AFTER = /^(\s*)(钟|整|半|一刻|三刻|左右|前|以前|之前|后|以后|之后|见|到|开|打|去|来|联系|再|过来|碰|出发|集合|准时|回|给|约|交|发|签|吧)/;

/** A clock at i: 14:30, 3点, 三点半, 十点一刻, 2-3点 (the first), 3pm. */
function clockAt(s: string, i: number, attached: boolean): TimeOfDay | null {
  const tryRe = (re: RegExp) => {
    re.lastIndex = i;
    return re.exec(s);
  };
  const colon = tryRe(CLOCK_COLON);
  if (colon) return clock(i, colon[0].length, Number(colon[1]), Number(colon[2]));
  if (attached) {
    const dot = tryRe(CLOCK_DOT);
    if (dot) return clock(i, dot[0].length, Number(dot[1]), Number(dot[2]));
  }
  const ampm = tryRe(CLOCK_AMPM);
  if (ampm) {
    const h = Number(ampm[1]);
    return h >= 1 && h <= 12 ? clock(i, ampm[0].length, (h % 12) + (/pm/i.test(ampm[2]!) ? 12 : 0), 0) : null;
  }
  // "这周三个" must not become "三个"; a number glued to a preceding digit is another number
  if (i > 0 && /[\d.第]/.test(s[i - 1]!)) return null;
  const found = tryRe(CLOCK_WORD);
  if (!found) return null;
  // groups: 1 hour, 2 what follows 点, 3 半, 4 一刻, 5 三刻, 6 整, 7 minutes, 8 分
  let m: Array<string | undefined> & { 0: string } = found;
  const mins = m[7];
  if (mins && !m[8] && !/^\d{2}$/.test(mins) && !/[十零〇]/.test(mins)) {
    // "12点一起" / "两点一线": a lone digit after 点 is not minutes
    m = [m[0].slice(0, m[0].length - m[2]!.length), m[1]];
  }
  const after = s.slice(i + m[0].length);
  if (NOT_CLOCK_AFTER.test(after)) return null;
  const word = m[1]!;
  let h = chineseNumber(word);
  if (Number.isNaN(h) && word.length === 2) {
    // 三四点 → the first hour
    const a = DIGIT[word[0]!];
    const b = DIGIT[word[1]!];
    if (a !== undefined && b === a + 1) h = a;
  }
  if (!/^\d/.test(word)) {
    if (!attached) {
      if (A_BIT_BEFORE.test(s.slice(0, i))) return null;
      if (!CLOCK_WORD_OK_AFTER.test(after) && !(m[2] && /^[，,。!！\s]*$/.test(after))) return null;
      if (h <= 2 && !m[3] && !m[4] && !m[5] && !m[7] && !/^\s*(钟|整|左右|见|开|到|前|以前|之前|准时|出发)/.test(after)) return null;
    }
  } else if (/^\d{2,}/.test(after) || /^[%万元块]/.test(after)) return null;
  const minute = m[3] ? 30 : m[4] ? 15 : m[5] ? 45 : m[7] ? chineseNumber(m[7]) : 0;
  return clock(i, m[0].length, h, minute);
}

function clock(start: number, length: number, hour: number, minute: number): TimeOfDay | null {
  if (!(hour >= 0 && hour <= 24 && minute >= 0 && minute < 60)) return null;
  if (hour === 24) return { start, end: start + length, hour: 0, minute, dayShift: 1, fromPeriod: false };
  return { start, end: start + length, hour, minute, dayShift: 0, fromPeriod: false };
}

/** The first time of day in the text outside day words, when no day is named. */
function timeAlone(s: string, hits: Hit[], owned: (i: number) => boolean): TimeOfDay | null {
  for (let i = 0; i < s.length; i++) {
    if (owned(i)) continue;
    // a time right after a past reference belongs to it (昨天下午3点)
    const before = hits.find((h) => h.end <= i && /^[\s的]*$/.test(s.slice(h.end, i)));
    const t = timeAt(s, i, false);
    if (!t) continue;
    if (before) return null;
    return t;
  }
  return null;
}

/** Every day mention in the text, left to right, without overlaps (the longest at each place). */
function findDays(s: string, today: Ymd, weekday: number, now: Date): Hit[] {
  const plus = (n: number) => plusDays(today, n);
  const monthStart = (k: number): Ymd => {
    const m = today.month - 1 + k;
    return { year: today.year + Math.floor(m / 12), month: (((m % 12) + 12) % 12) + 1, day: 1 };
  };
  const firstWorking = (y: number, m: number) => workingDayFrom({ year: y, month: m, day: 1 }, 1);
  const lastWorking = (y: number, m: number) => workingDayFrom({ year: y, month: m, day: daysInMonth(y, m) }, -1);
  const mid = (y: number, m: number) => workingDayFrom({ year: y, month: m, day: 15 }, 1);
  const lateMonth = (y: number, m: number) => workingDayFrom({ year: y, month: m, day: 21 }, 1);
  const cmp = (a: Ymd, b: Ymd) => a.year - b.year || a.month - b.month || a.day - b.day;
  const addMonths = (k: number): Ymd => {
    const m = monthStart(k);
    return { ...m, day: Math.min(today.day, daysInMonth(m.year, m.month)) };
  };
  /** A span in month k from now, resolved by `at`; when it is already behind today, the next month's. */
  const spanIn = (k: number, at: (y: number, m: number) => Ymd, rollIfPast: boolean): Pick<Hit, 'ymd' | 'span'> | null => {
    const first = monthStart(k);
    let ymd = at(first.year, first.month);
    const next = monthStart(k + 1);
    const later = () => at(next.year, next.month);
    if (cmp(ymd, today) < 0) {
      if (!rollIfPast) return null;
      ymd = later();
    }
    return { ymd, span: { later } };
  };
  /** Month m (1-12) of an explicit or inferred year: this year if not before this month, else next. */
  const yearFor = (m: number, explicit?: string): number | null => {
    if (explicit === '明年') return today.year + 1;
    if (explicit === '后年') return today.year + 2;
    if (explicit === '今年') return today.year;
    if (explicit && /^\d{4}$/.test(explicit)) return Number(explicit);
    return m >= today.month ? today.year : today.year + 1;
  };
  const monthsBetween = (y: number, m: number) => (y - today.year) * 12 + (m - today.month);

  type Rule = [RegExp, (m: RegExpExecArray) => Omit<Hit, 'start' | 'end'> | null];
  const past = { kind: 'past' as const };
  const day = (ymd: Ymd, more: Partial<Hit> = {}) => ({ kind: 'day' as const, ymd, ...more });
  const holiday = (name: HolidayName, when: 'before' | 'after' | 'day') => {
    for (let y = today.year - 1; y <= today.year + 1; y++) {
      const d = holidayDate(name, y, when);
      if (d && cmp(d, today) >= 0) return day(d);
    }
    return null;
  };
  const holidayWhen = (suffix: string): 'before' | 'after' | 'day' => (/前/.test(suffix) ? 'before' : /当天|那天/.test(suffix) ? 'day' : 'after');
  const HOLIDAY_NAMES: Record<string, HolidayName> = {
    春节: 'spring',
    过年: 'spring',
    新年: 'spring',
    大年初一: 'spring',
    除夕: 'eve',
    元宵: 'lantern',
    端午: 'dragonBoat',
    中秋: 'midAutumn',
    国庆: 'national',
    十一: 'national',
    元旦: 'newYear',
    五一: 'labour',
    劳动节: 'labour',
    圣诞: 'christmas',
  };
  const BEFORE_AFTER = '(前|之前|以前|后|之后|以后|过后|当天|那天|假期后|假期结束后?|长假后|放假前|假期前|长假前|收假后|上班后|回来)';

  const rules: Rule[] = [
    // past references own their words and name nothing
    [
      /(大前天|前天|昨天|昨日|昨晚|昨儿|(?<![早晚])上上?个?(?:周|星期|礼拜)[一二三四五六日天1-7末]?|上上?个?月(?:初|中|底|末)?|去年|前年|前几天|前两天|刚才|刚刚|上次)/g,
      () => past,
    ],
    [new RegExp(`(${N}|几|半)\\s*个?(天|周|星期|礼拜|月|年|小时|分钟)(前|之前|以前)`, 'g'), () => past],
    // offsets from now
    [
      new RegExp(`(?:(${N})\\s*个?\\s*(半)|(${N})|(半))\\s*个?\\s*(小时|钟头|分钟)(以后|之后|后)`, 'g'),
      (m) => {
        const n = m[4] ? 0.5 : m[2] ? chineseNumber(m[1]!) + 0.5 : chineseNumber(m[3]!);
        if ((m[2] || m[4]) && m[5] === '分钟') return null;
        const minutes = m[5] === '分钟' ? n : n * 60;
        return Number.isFinite(minutes) && minutes > 0 ? { kind: 'offset', at: new Date(now.getTime() + minutes * 60_000) } : null;
      },
    ],
    [/大后天/g, () => day(plus(3))],
    [/后天/g, () => day(plus(2))],
    [/(明天|明日|明儿|明早|明晚)/g, (m) => day(plus(1), m[1] === '明早' ? { period: periodOf('上午') } : m[1] === '明晚' ? { period: EVENING } : {})],
    [
      /(今天|今日|今儿|今早|今晚|今夜)/g,
      (m) =>
        day(today, { today: true, ambiguous: true, ...(m[1] === '今早' ? { period: periodOf('上午') } : /今晚|今夜/.test(m[1]!) ? { period: EVENING } : {}) }),
    ],
    // N天后, 过两天, 三个工作日内
    [new RegExp(`(?<![超经度])(${N})\\s*个?(天|日)(以后|之后|后|内|以内|之内|过后)`, 'g'), (m) => day(plus(chineseNumber(m[1]!)))],
    [new RegExp(`(?<![超经度不])过\\s*(${N}|几)\\s*天`, 'g'), (m) => day(plus(m[1] === '几' ? 3 : chineseNumber(m[1]!)))],
    [
      new RegExp(`(${N})\\s*个?工作日(以后|之后|后|内|以内|之内)`, 'g'),
      (m) => {
        let d = today;
        for (let k = chineseNumber(m[1]!); k > 0; k--) d = workingDayFrom(plusDays(d, 1), 1);
        return day(d);
      },
    ],
    // weeks, months, years from now
    [
      new RegExp(`(${N}|半|几)\\s*个?(周|星期|礼拜)(以后|之后|后|内|以内|之内)`, 'g'),
      (m) => (m[1] === '半' || m[1] === '几' ? null : day(plus(7 * chineseNumber(m[1]!)))),
    ],
    [/(半个月|半月)(以后|之后|后|内|以内|之内)/g, () => day(plus(15))],
    [/(一个半月)(以后|之后|后|内|以内|之内)/g, () => day(plus(45))],
    [new RegExp(`(${N})\\s*个\\s*多?\\s*月(以后|之后|后|内|以内|之内)`, 'g'), (m) => day(addMonths(chineseNumber(m[1]!)))],
    [/两月(以后|之后|后)/g, () => day(addMonths(2))],
    [/半年(以后|之后|后|内|以内|之内)/g, () => day(addMonths(6))],
    [new RegExp(`(${N})\\s*年(以后|之后|后)`, 'g'), (m) => day(addMonths(12 * chineseNumber(m[1]!)))],
    // weekdays
    [
      new RegExp(`(?<![几第])(下下个?|下个?|这个?|本|这一)?(周|星期|礼拜)([一二三四五六日天1-7])(?![\\d个位家件次条种份名项趟单笔天气])`, 'g'),
      (m) => {
        const target = WEEKDAY_CHARS[m[3]!] ?? Number(m[3]);
        const prefix = m[1] ?? '';
        const shift = /^下下/.test(prefix) ? 14 : /^下/.test(prefix) ? 7 : 0;
        const delta = target - weekday + shift;
        if (/^(这|本)/.test(prefix)) return day(plus(delta), { thisWeek: { label: m[0], next: `下周${WEEKDAY_NAMES[target]}` } });
        if (shift) return day(plus(delta));
        return delta < 0 ? day(plus(delta + 7), { ambiguous: true }) : day(plus(delta), { ambiguous: true, rollWeek: delta === 0 });
      },
    ],
    [
      /(?<![几第每])(下下|下)个?(周|星期|礼拜)(内|之内|以内)?(?![一二三四五六日天1-7末中])/g,
      (m) => day(plus(8 - weekday + (m[1] === '下下' ? 7 : 0) + (m[3] ? 4 : 0))),
    ],
    [
      /(下下|下|这|本)?个?(周|星期)中(?![心国文午])/g,
      (m) => {
        const shift = m[1] === '下下' ? 14 : m[1] === '下' ? 7 : 0;
        const delta = 3 - weekday + shift;
        return day(plus(delta < 0 && !shift ? delta + 7 : delta), shift ? {} : { ambiguous: true, rollWeek: delta === 0 });
      },
    ],
    [/(这|本)个?(周|星期|礼拜)(内|之内|以内)/g, (m) => day(plus(5 - weekday), { thisWeek: { label: m[0], next: '下周五' } })],
    [
      /(下下|下|这|本)?个?周末/g,
      (m) => {
        const prefix = m[1] ?? '';
        const shift = prefix === '下下' ? 14 : prefix === '下' ? 7 : 0;
        const delta = 6 - weekday + shift;
        if (prefix === '这' || prefix === '本') return day(plus(delta), { defHour: 10, thisWeek: { label: m[0], next: '下周末' } });
        return day(plus(delta < 0 ? delta + 7 : delta), { defHour: 10, ...(delta === 0 ? { rollWeek: true } : {}) });
      },
    ],
    // month spans
    [
      new RegExp(
        `(本月|这个?月|下下个?月|下个?月|(今年|明年|后年)?\\s*(?<![\\d个])(${N})\\s*月份?)\\s*(月初|月中|月底|月末|初|上旬|中旬|下旬|中|底|末)(?!\\d|[号日标间心])`,
        'g',
      ),
      (m) => {
        let k: number;
        if (/^(本月|这个?月)$/.test(m[1]!)) k = 0;
        else if (/^下下/.test(m[1]!)) k = 2;
        else if (/^下/.test(m[1]!)) k = 1;
        else {
          const month = chineseNumber(m[3]!);
          if (!(month >= 1 && month <= 12)) return null;
          const year = yearFor(month, m[2]);
          if (year === null) return null;
          k = monthsBetween(year, month);
          if (k < 0) return past;
        }
        const part = m[4]!;
        const at = /初|上旬/.test(part) ? firstWorking : /中/.test(part) ? mid : /下旬/.test(part) ? lateMonth : lastWorking;
        const hit = spanIn(k, at, false);
        return hit ? day(hit.ymd!, { span: hit.span }) : null;
      },
    ],
    [
      /(?<![\d零〇一二两三四五六七八九十个])(月初|月中|月底|月末|上旬|中旬|下旬)/g,
      (m) => {
        const part = m[1]!;
        if (part === '月初' || part === '上旬') return day(firstWorking(monthStart(1).year, monthStart(1).month));
        const at = /中/.test(part) ? mid : part === '下旬' ? lateMonth : lastWorking;
        const hit = spanIn(0, at, true)!;
        return day(hit.ymd!, { span: hit.span });
      },
    ],
    [
      /(?:(今年|明年|后年)年?|(?<![\d零〇一二两三四五六七八九十几去前今明后年])年)(底|末|初|中)(?![期级])/g,
      (m) => {
        const which = m[1];
        const part = `年${m[2]!}`;
        if (part === '年中') return null;
        if (part === '年初') {
          if (which === '今年') return null;
          const y = today.year + (which === '后年' ? 2 : 1);
          return day(firstWorking(y, 1));
        }
        const y = today.year + (which === '明年' ? 1 : which === '后年' ? 2 : 0);
        const d = lastWorking(y, 12);
        if (cmp(d, today) < 0) return which ? past : day(lastWorking(y + 1, 12));
        return day(d, { span: { later: () => lastWorking(y + 1, 12) } });
      },
    ],
    [
      /(下下|下)个?月(?!份?\s*(初|中|底|末|上旬|中旬|下旬|\d|[零〇一二两三四五六七八九十]))/g,
      (m) => {
        const first = monthStart(m[1] === '下下' ? 2 : 1);
        return day(firstWorking(first.year, first.month));
      },
    ],
    [
      new RegExp(`(下下|下|本|这)个?月\\s*(${N})\\s*(号|日)?(?![\\d个])`, 'g'),
      (m) => {
        const first = monthStart(m[1] === '下下' ? 2 : m[1] === '下' ? 1 : 0);
        const d = chineseNumber(m[2]!);
        if (!(d >= 1 && d <= 31)) return null;
        const ymd = { ...first, day: Math.min(d, daysInMonth(first.year, first.month)) };
        return cmp(ymd, today) < 0 ? past : day(ymd);
      },
    ],
    // full dates, with the weekday restated or not ("12月18号(周五)"); a weekday that contradicts the date names nothing
    [
      new RegExp(String.raw`(?<!\d)(\d{4})\s*([-/.年])\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?!\d)${WD}`, 'g'),
      (m) => restated(dated(Number(m[1]), Number(m[3]), Number(m[4])), m[5]),
    ],
    [
      new RegExp(String.raw`(今年|明年|后年)?\s*(?<![\d个第])(${N})\s*月\s*(${N})\s*(号|日)?(?![\d个万元块%])${WD}`, 'g'),
      (m) => {
        const month = chineseNumber(m[2]!);
        const d = chineseNumber(m[3]!);
        if (!valid(month, d)) return null;
        return restated(m[1] ? dated(yearFor(month, m[1])!, month, d) : inferred(month, d), m[5]);
      },
    ],
    [
      new RegExp(
        String.raw`(?<![\d.¥￥$=/:：价费额钱降涨到为是约共率分比折版本第vV\-])(\d{1,2})([/.\-])(\d{1,2})(?![\d.%万元块千百亿kKwW折倍/:个\-])${WD}(?=\s*(号|日|前|之前|以前|后|之后|再|[上下中]午|早上|晚上|周|星期|礼拜|\(|（|\d{1,2}\s*[:点]|[去来见约拜回打发签交开到给联跟]|[，,。!！?？\s~～]|$|[\u{1F300}-\u{1FAFF}\u2600-\u27BF]))`,
        'gu',
      ),
      (m) => {
        const month = Number(m[1]);
        const d = Number(m[3]);
        // 12-28 without a year only where a range or a count cannot be meant (not "1-2周", "3-5天")
        if (m[2] === '-' && !m[4] && /^\s*(周|星期|礼拜)/.test(m.input!.slice(m.index + m[0].length))) return null;
        return valid(month, d) ? restated(inferred(month, d), m[4]) : null;
      },
    ],
    // a month alone: 3月份, 明年三月
    [
      new RegExp(
        `(今年|明年|后年|(\\d{4})\\s*年)?\\s*(?<![\\d个上下这本每第])(${N})\\s*月份?(?!\\s*(\\d|[零〇一二两三四五六七八九十]|号|日|初|中|底|末|上旬|下旬|后|以后|之后|内|前))`,
        'g',
      ),
      (m) => {
        const month = chineseNumber(m[3]!);
        if (!(month >= 1 && month <= 12)) return null;
        const year = yearFor(month, m[2] ?? m[1]);
        if (year === null) return null;
        const k = monthsBetween(year, month);
        if (k < 0) return past;
        if (k === 0) return null;
        // "是10月" is a reference; a month is a date with a year, 份, or a next step after it
        const cue = m[1] || /份$/.test(m[0]) || /^\s*(再|开始|之前|去|来|见|签|上线|回来|联系|过来|启动|左右|吧)/.test(s.slice(m.index + m[0].length));
        return cue ? day(firstWorking(year, month), { ambiguous: true }) : null;
      },
    ],
    // 15号, 3日
    [
      new RegExp(`(?<![\\d月第几每周期今明昨前后])(${N})\\s*(号|日)(?![线楼院门口机位车厅馆房室桌码床窗店库组台包箱柜道子方产型员])`, 'g'),
      (m) => {
        const d = chineseNumber(m[1]!);
        if (!(d >= 1 && d <= 31)) return null;
        if (m[2] === '日' && !/\d/.test(m[1]!) && d < 10) return null; // 一日, 三日 read as counts
        if (d >= today.day) return day({ ...today, day: Math.min(d, daysInMonth(today.year, today.month)) }, { ambiguous: true });
        const next = monthStart(1);
        return d <= daysInMonth(next.year, next.month) ? day({ ...next, day: d }, { ambiguous: true }) : null;
      },
    ],
    // holidays
    [
      new RegExp(
        `(春节|过年|新年|大年初一|除夕|元宵|端午|中秋|国庆|(?<![\\d零〇一二两三四五六七八九十])十一(?![点号月日\\d])|元旦|五一(?![点号月日\\d])|劳动节|圣诞)(节)?\\s*${BEFORE_AFTER}`,
        'g',
      ),
      (m) => holiday(HOLIDAY_NAMES[m[1]!]!, holidayWhen(m[3]!)),
    ],
    [/(?<![\d零〇一二两三四五六七八九十几多今明去前后每半当])年(前|后)(?![年天])/g, (m) => holiday('spring', m[1] === '前' ? 'before' : 'after')],
    [/(过完年|年过完|过了年|年假后|年假结束)/g, () => holiday('spring', 'after')],
    [
      /(?<![月年最当起])(正月)?初([一二三四五六七八九十])(?![步期级中稿次版])/g,
      (m) => {
        const n = DIGIT[m[2]!] ?? 10;
        for (let y = today.year - 1; y <= today.year + 1; y++) {
          const spring = holidayDate('spring', y, 'day');
          const d = spring && plusDays(spring, n - 1);
          if (d && cmp(d, today) >= 0) return day(d);
        }
        return null;
      },
    ],
  ];

  /** A date followed by its weekday in brackets: kept when they agree, nothing named when they contradict. */
  function restated(hit: Omit<Hit, 'start' | 'end'> | null, weekdayChar: string | undefined): Omit<Hit, 'start' | 'end'> | null {
    if (!hit || !weekdayChar || hit.kind !== 'day') return hit;
    return weekdayOf(hit.ymd!) === (WEEKDAY_CHARS[weekdayChar] ?? Number(weekdayChar)) ? hit : past;
  }
  function valid(month: number, d: number): boolean {
    return month >= 1 && month <= 12 && d >= 1 && d <= daysInMonth(2024, month);
  }
  function dated(year: number, month: number, d: number): Omit<Hit, 'start' | 'end'> | null {
    if (!valid(month, d) || d > daysInMonth(year, month)) return null;
    const ymd = { year, month, day: d };
    return cmp(ymd, today) < 0 ? past : day(ymd);
  }
  /** A date without a year: the next one, unless it was within the last 60 days (a past reference). */
  function inferred(month: number, d: number): Omit<Hit, 'start' | 'end'> | null {
    const thisYear = { year: today.year, month, day: d };
    if (d > daysInMonth(today.year, month)) return day({ year: today.year + 1, month, day: d });
    if (cmp(thisYear, today) >= 0) return day(thisYear);
    const daysAgo = (Date.UTC(today.year, today.month - 1, today.day) - Date.UTC(today.year, month - 1, d)) / 86_400_000;
    return daysAgo <= 60 ? past : day({ year: today.year + 1, month, day: d });
  }

  const all: Hit[] = [];
  for (const [re, toHit] of rules) {
    re.lastIndex = 0;
    for (const m of s.matchAll(re)) {
      const hit = toHit(m as RegExpExecArray);
      if (hit) all.push({ ...hit, start: m.index, end: m.index + m[0].length });
    }
  }
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const chosen: Hit[] = [];
  for (const h of all) if (!chosen.some((c) => h.start < c.end && c.start < h.end)) chosen.push(h);
  return chosen.sort((a, b) => a.start - b.start);
}
