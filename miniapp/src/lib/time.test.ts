import { customAt, formatAgo, formatDateTime, formatMoney, pickerValues, quickChoiceAt } from './time';

describe('next-step times (Asia/Shanghai)', () => {
  it.each([
    ['2026-11-23T02:00:00Z', 'tomorrow-morning', '2026-11-24T01:00:00.000Z'], // Mon 10:00 → Tue 09:00
    ['2026-11-23T15:30:00Z', 'tomorrow-morning', '2026-11-24T01:00:00.000Z'], // Mon 23:30 local → Tue 09:00
    ['2026-11-23T16:30:00Z', 'tomorrow-morning', '2026-11-25T01:00:00.000Z'], // already Tue 00:30 local → Wed 09:00
    ['2026-11-23T02:00:00Z', 'tomorrow-afternoon', '2026-11-24T06:00:00.000Z'],
    ['2026-11-23T02:00:00Z', 'next-monday', '2026-11-30T01:00:00.000Z'], // a Monday → the Monday after
    ['2026-11-29T02:00:00Z', 'next-monday', '2026-11-30T01:00:00.000Z'], // Sunday → tomorrow
    ['2026-12-31T03:00:00Z', 'tomorrow-morning', '2027-01-01T01:00:00.000Z'],
  ] as const)('%s %s → %s', (now, choice, due) => {
    expect(quickChoiceAt(choice, new Date(now)).toISOString()).toBe(due);
  });

  it('reads the custom pickers in the business time zone', () => {
    expect(customAt('2026-11-25', '14:30')!.toISOString()).toBe('2026-11-25T06:30:00.000Z');
    expect(customAt('2026-11-25', '')).toBeNull();
    expect(pickerValues(new Date('2026-11-24T16:05:00Z'))).toEqual({ date: '2026-11-25', time: '00:05' });
  });

  it('formats relative to now', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    expect(formatDateTime('2026-11-23T06:00:00Z', now)).toBe('今天 14:00');
    expect(formatDateTime('2026-11-24T01:00:00Z', now)).toBe('明天 09:00');
    expect(formatDateTime('2026-11-22T10:30:00Z', now)).toBe('昨天 18:30');
    expect(formatDateTime('2026-11-28T01:00:00Z', now)).toBe('11月28日 周六 09:00');
    expect(formatDateTime(null, now)).toBe('');
    expect(formatAgo('2026-11-20T02:00:00Z', now)).toBe('3天前');
    expect(formatAgo('2026-11-23T01:59:30Z', now)).toBe('刚刚');
    expect(formatMoney(1_200_000_00)).toBe('¥120万');
    expect(formatMoney(12_000_000)).toBe('¥12万');
    expect(formatMoney(12_500_000)).toBe('¥12.5万');
    expect(formatMoney(350_00)).toBe('¥350');
  });
});
