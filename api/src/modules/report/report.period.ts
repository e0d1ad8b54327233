import { addDays, daysInMonth, wallClock, zonedInstant, type ReportPeriodDto, type ReportPeriodKind } from '@crm/shared';

/** A report period: whole calendar days in the business time zone, [from, to), with the previous one of equal length. */
export interface Period {
  kind: ReportPeriodKind;
  from: Date;
  to: Date;
  previousFrom: Date;
  previousTo: Date;
  label: string;
}

type Ymd = { year: number; month: number; day: number };
const at0 = (d: Ymd, tz: string) => zonedInstant(d.year, d.month, d.day, 0, 0, tz);
const ymd = (at: Date, tz: string): Ymd => {
  const w = wallClock(at, tz);
  return { year: w.year, month: w.month, day: w.day };
};

export function resolvePeriod(q: { period: ReportPeriodKind; from?: Date; to?: Date; at?: Date }, now: Date, tz: string): Period {
  const ref = q.at ?? now;
  const w = wallClock(ref, tz);
  switch (q.period) {
    case 'week': {
      const start = addDays(w.year, w.month, w.day, 1 - w.weekday);
      const end = addDays(start.year, start.month, start.day, 7);
      const prev = addDays(start.year, start.month, start.day, -7);
      const last = addDays(start.year, start.month, start.day, 6);
      return {
        kind: 'week',
        from: at0(start, tz),
        to: at0(end, tz),
        previousFrom: at0(prev, tz),
        previousTo: at0(start, tz),
        label: `${start.month}月${start.day}日–${last.month}月${last.day}日`,
      };
    }
    case 'month': {
      const start = { year: w.year, month: w.month, day: 1 };
      const end = w.month === 12 ? { year: w.year + 1, month: 1, day: 1 } : { year: w.year, month: w.month + 1, day: 1 };
      const prev = w.month === 1 ? { year: w.year - 1, month: 12, day: 1 } : { year: w.year, month: w.month - 1, day: 1 };
      return {
        kind: 'month',
        from: at0(start, tz),
        to: at0(end, tz),
        previousFrom: at0(prev, tz),
        previousTo: at0(start, tz),
        label: `${w.year}年${w.month}月`,
      };
    }
    case 'quarter': {
      const qIndex = Math.floor((w.month - 1) / 3);
      const start = { year: w.year, month: qIndex * 3 + 1, day: 1 };
      const end = qIndex === 3 ? { year: w.year + 1, month: 1, day: 1 } : { year: w.year, month: qIndex * 3 + 4, day: 1 };
      const prev = qIndex === 0 ? { year: w.year - 1, month: 10, day: 1 } : { year: w.year, month: qIndex * 3 - 2, day: 1 };
      return {
        kind: 'quarter',
        from: at0(start, tz),
        to: at0(end, tz),
        previousFrom: at0(prev, tz),
        previousTo: at0(start, tz),
        label: `${w.year}年第${qIndex + 1}季度`,
      };
    }
    case 'custom': {
      const a = ymd(q.from!, tz);
      const from = at0(a, tz);
      const bEnd = ymd(q.to!, tz);
      let to = at0(bEnd, tz);
      if (to.getTime() < q.to!.getTime()) to = at0(addDays(bEnd.year, bEnd.month, bEnd.day, 1), tz);
      const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
      const prev = addDays(a.year, a.month, a.day, -days);
      const lastDay = ymd(new Date(to.getTime() - 1), tz);
      const fmt = (d: Ymd) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
      return { kind: 'custom', from, to, previousFrom: at0(prev, tz), previousTo: from, label: `${fmt(a)} 至 ${fmt(lastDay)}` };
    }
  }
}

/** The calendar days of [from, to) grouped by month: `YYYY-MM` → set of `dd`. */
export function daysOf(from: Date, to: Date, tz: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let d = ymd(from, tz);
  for (let i = 0; i < 400; i++) {
    if (at0(d, tz).getTime() >= to.getTime()) break;
    const m = `${d.year}-${String(d.month).padStart(2, '0')}`;
    let set = out.get(m);
    if (!set) out.set(m, (set = new Set()));
    set.add(String(d.day).padStart(2, '0'));
    d = d.day < daysInMonth(d.year, d.month) ? { ...d, day: d.day + 1 } : addDays(d.year, d.month, d.day, 1);
  }
  return out;
}

export function periodDto(p: Period): ReportPeriodDto {
  return {
    kind: p.kind,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    previousFrom: p.previousFrom.toISOString(),
    previousTo: p.previousTo.toISOString(),
    label: p.label,
  };
}

/** Monday (YYYY-MM-DD) of the week of a calendar day. */
export function weekStartOf(month: string, dd: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const day = Number(dd);
  const weekday = ((new Date(Date.UTC(y, m - 1, day)).getUTCDay() + 6) % 7) + 1;
  const s = addDays(y, m, day, 1 - weekday);
  return `${s.year}-${String(s.month).padStart(2, '0')}-${String(s.day).padStart(2, '0')}`;
}
