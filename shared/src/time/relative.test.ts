import { formatAgo, formatDue, formatRelativeDateTime } from './relative';

const TZ = 'Asia/Shanghai';
const bj = (s: string) => new Date(`${s}+08:00`);
// Monday 2026-11-23 10:00, Beijing time
const now = bj('2026-11-23T10:00');

describe('relative times (one formatter for cards, digests and the mini-app)', () => {
  it.each([
    ['2026-11-23T08:01', '今天 08:01'],
    ['2026-11-23T23:59', '今天 23:59'],
    ['2026-11-24T09:00', '明天 09:00'],
    ['2026-11-22T18:30', '昨天 18:30'],
    ['2026-11-28T09:00', '11月28日 周六 09:00'],
    ['2026-11-30T08:01', '11月30日 周一 08:01'],
    ['2027-01-04T09:00', '2027年1月4日 09:00'],
  ])('formatRelativeDateTime %s → %s', (at, want) => {
    expect(formatRelativeDateTime(bj(at), now, TZ)).toBe(want);
  });

  it('works on the day boundary in the business time zone, not UTC', () => {
    // 00:30 Beijing on the 24th is still the 23rd in UTC
    expect(formatRelativeDateTime(bj('2026-11-24T00:30'), bj('2026-11-23T23:00'), TZ)).toBe('明天 00:30');
    expect(formatRelativeDateTime(new Date('2026-11-23T16:30:00Z'), bj('2026-11-24T08:00'), TZ)).toBe('今天 00:30');
  });

  it.each([
    ['2026-11-23T09:59:30', '刚刚'],
    ['2026-11-23T09:55', '5分钟前'],
    ['2026-11-23T07:00', '3小时前'],
    ['2026-11-20T10:00', '3天前'],
    ['2026-10-02T10:00', '10月2日'],
    ['2025-03-01T10:00', '2025年3月1日'],
  ])('formatAgo %s → %s', (at, want) => {
    expect(formatAgo(bj(at), now, TZ)).toBe(want);
  });

  it.each([
    ['2026-11-23T09:55', '5分钟前'],
    ['2026-11-23T07:00', '逾期 3小时'],
    ['2026-11-20T09:00', '逾期 3天'],
    ['2026-11-23T16:00', '今天 16:00'],
    ['2026-11-24T09:00', '明天 09:00'],
  ])('formatDue %s → %s', (at, want) => {
    expect(formatDue(bj(at), now, TZ)).toBe(want);
  });

  it('answers empty for missing or invalid times', () => {
    expect(formatRelativeDateTime(null, now, TZ)).toBe('');
    expect(formatAgo('not a date', now, TZ)).toBe('');
    expect(formatDue(undefined, now, TZ)).toBe('');
  });
});
