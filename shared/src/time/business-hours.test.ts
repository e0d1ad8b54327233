import {
  arrivalNoteZh,
  dayKey,
  deliverableSince,
  formatDateTimeZh,
  isDeliverable,
  nextDeliverable,
  pushArrival,
  snoozeUntil,
  type BusinessHours,
} from './business-hours';

const TZ = 'Asia/Shanghai';
const H: BusinessHours = { quietStartMinute: 21 * 60, quietEndMinute: 8 * 60, workingDays: [1, 2, 3, 4, 5] };
// 2026-11-23 is a Monday. Times written in Beijing time (+08:00).
const bj = (s: string) => new Date(`${s}+08:00`);

describe('business hours (quiet 21:00–08:00, Monday–Friday, Beijing)', () => {
  it.each([
    ['2026-11-23T07:59', false, 'before quiet hours end'],
    ['2026-11-23T08:00', true, 'quiet hours end at 08:00'],
    ['2026-11-23T20:59', true, 'last minute before quiet'],
    ['2026-11-23T21:00', false, 'quiet from 21:00'],
    ['2026-11-23T23:30', false, 'late evening'],
    ['2026-11-24T00:30', false, 'after midnight'],
    ['2026-11-28T10:00', false, 'Saturday'],
    ['2026-11-29T10:00', false, 'Sunday'],
    ['2026-11-30T10:00', true, 'Monday again'],
  ])('%s deliverable: %s (%s)', (at, want) => {
    expect(isDeliverable(bj(at), H, TZ)).toBe(want);
  });

  it('23:30 Beijing is 15:30 UTC the same day, and quiet', () => {
    const at = new Date('2026-11-23T15:30:00Z');
    expect(isDeliverable(at, H, TZ)).toBe(false);
    expect(dayKey(at, TZ)).toBe('2026-11-23');
    expect(dayKey(new Date('2026-11-23T16:30:00Z'), TZ)).toBe('2026-11-24'); // 00:30 next day in Beijing
  });

  it.each([
    ['2026-11-23T10:15', '2026-11-23T08:00'],
    ['2026-11-23T08:00', '2026-11-23T08:00'],
  ])('the deliverable stretch at %s began at %s', (at, since) => {
    expect(deliverableSince(bj(at), H, TZ)).toEqual(bj(since));
  });

  it('no stretch during quiet hours', () => {
    expect(deliverableSince(bj('2026-11-23T22:00'), H, TZ)).toBeNull();
  });

  it('quiet hours inside the day (12:00–13:00): the stretch after lunch starts at 13:00, the morning one at midnight', () => {
    const lunch: BusinessHours = { quietStartMinute: 12 * 60, quietEndMinute: 13 * 60, workingDays: [1, 2, 3, 4, 5, 6, 7] };
    expect(isDeliverable(bj('2026-11-23T12:30'), lunch, TZ)).toBe(false);
    expect(deliverableSince(bj('2026-11-23T15:00'), lunch, TZ)).toEqual(bj('2026-11-23T13:00'));
    expect(deliverableSince(bj('2026-11-23T09:00'), lunch, TZ)).toEqual(bj('2026-11-23T00:00'));
  });

  it.each([
    ['2026-11-23T10:00', '2026-11-23T10:00'],
    ['2026-11-23T22:00', '2026-11-24T08:00'],
    ['2026-11-24T03:00', '2026-11-24T08:00'],
    ['2026-11-27T22:00', '2026-11-30T08:00'], // Friday night → Monday
    ['2026-11-28T12:00', '2026-11-30T08:00'],
  ])('next deliverable after %s is %s', (at, want) => {
    expect(nextDeliverable(bj(at), H, TZ)).toEqual(bj(want));
  });
});

describe('snooze presets', () => {
  it.each([
    ['1h', '2026-11-23T10:32', '2026-11-23T11:32'],
    ['tomorrow-morning', '2026-11-23T10:32', '2026-11-24T09:00'],
    ['tomorrow-morning', '2026-11-23T23:50', '2026-11-24T09:00'],
    ['next-monday', '2026-11-23T10:32', '2026-11-30T09:00'], // on a Monday: the next one
    ['next-monday', '2026-11-29T20:00', '2026-11-30T09:00'], // on a Sunday: tomorrow
    ['next-monday', '2026-11-27T10:00', '2026-11-30T09:00'],
  ] as const)('%s from %s → %s', (preset, now, want) => {
    expect(snoozeUntil(preset, bj(now), TZ)).toEqual(bj(want));
  });
});

it('absolute Chinese date and time', () => {
  expect(formatDateTimeZh(bj('2026-12-01T14:00'), TZ)).toBe('12月1日（周二）14:00');
});

describe('when a reminder actually arrives (quiet 21:00–08:00, Monday–Friday, digest 09:00)', () => {
  const DIGEST = 9 * 60;
  it.each([
    ['2026-11-23T10:00', '2026-11-23T10:00', null, 'a working morning: on time'],
    ['2026-11-23T20:59', '2026-11-23T20:59', null, 'the last minute before quiet hours'],
    ['2026-11-23T21:00', '2026-11-24T09:00', 'quiet', 'quiet from 21:00: the next morning digest'],
    ['2026-11-24T00:00', '2026-11-24T09:00', 'quiet', 'midnight (晚上12点)'],
    ['2026-11-24T07:30', '2026-11-24T09:00', 'quiet', 'before quiet hours end'],
    ['2026-11-27T22:00', '2026-11-30T09:00', 'quiet', 'Friday night → Monday digest'],
    ['2026-11-28T10:00', '2026-11-30T09:00', 'non-working', 'Saturday (周末) → Monday digest'],
    ['2026-11-29T15:00', '2026-11-30T09:00', 'non-working', 'Sunday afternoon'],
  ] as const)('due %s → arrives %s (%s: %s)', (due, at, held, _why) => {
    expect(pushArrival(bj(due), H, DIGEST, TZ)).toEqual({ at: bj(at), held });
  });

  it('a digest earlier than the end of quiet hours goes out when they end', () => {
    expect(pushArrival(bj('2026-11-23T22:00'), H, 7 * 60, TZ)).toEqual({ at: bj('2026-11-24T08:00'), held: 'quiet' });
  });

  it('no working day configured: delivered as due', () => {
    expect(pushArrival(bj('2026-11-28T10:00'), { ...H, workingDays: [] }, DIGEST, TZ)).toEqual({ at: bj('2026-11-28T10:00'), held: null });
  });

  it.each([
    ['2026-11-23T10:00', ''],
    ['2026-11-23T22:30', '（21:00–08:00 免打扰，提醒会在 11月24日（周二）09:00 随早间汇总送达）'],
    ['2026-11-28T10:00', '（周六不推送，提醒会在 11月30日（周一）09:00 随早间汇总送达）'],
  ])('the confirmation note for %s: %j', (due, note) => {
    expect(arrivalNoteZh(bj(due), H, DIGEST, TZ)).toBe(note);
  });
});
