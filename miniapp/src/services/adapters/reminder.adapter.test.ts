import type { ReminderDto } from '../api-types';
import { groupReminders, toReminder } from './reminder.adapter';

// Monday 2026-11-23 10:00 Beijing
const now = new Date('2026-11-23T02:00:00Z');
const base: ReminderDto = {
  id: 'r1',
  kind: 'next-step',
  status: 'sent',
  dueAt: '2026-11-23T01:55:00Z',
  title: '跟进提醒：张三（北京星辰）',
  text: '发报价',
  userId: 'u1',
  customerId: 'c1',
  customerName: '张三（北京星辰）',
  aboutUser: null,
  opportunityId: null,
  followUpId: 'f1',
  lastContactAt: null,
  doneAt: null,
};

describe('reminders in the mini-app: the same words as the cards, groups by kind, team items', () => {
  it.each([
    ['2026-11-23T01:55:00Z', '5分钟前', true],
    ['2026-11-22T23:00:00Z', '逾期 3小时', true],
    ['2026-11-20T01:00:00Z', '逾期 3天', true],
    ['2026-11-23T08:00:00Z', '今天 16:00', false],
  ])('due %s → %s', (dueAt, due, overdue) => {
    expect(toReminder({ ...base, dueAt }, now)).toMatchObject({ due, overdue });
  });

  it('a team reminder names the rep and cannot be logged as one’s own follow-up', () => {
    const vm = toReminder({ ...base, kind: 'stalled-opportunity', aboutUser: { id: 'u2', name: '刘洋' } }, now);
    expect(vm).toMatchObject({ aboutName: '刘洋', canLog: false });
    expect(toReminder(base, now)).toMatchObject({ aboutName: null, canLog: true });
    expect(toReminder({ ...base, customerId: null }, now).canLog).toBe(false);
  });

  it('groups 下一步 / 商机停滞 / 客户冷却 in that order, keeping the list order inside, leaving empty groups out', () => {
    const items = [
      toReminder({ ...base, id: 'a', kind: 'cold-customer' }, now),
      toReminder({ ...base, id: 'b' }, now),
      toReminder({ ...base, id: 'c', kind: 'cold-customer' }, now),
      toReminder({ ...base, id: 'd' }, now),
    ];
    expect(groupReminders(items).map((g) => [g.label, g.items.map((i) => i.id)])).toEqual([
      ['下一步', ['b', 'd']],
      ['客户冷却', ['a', 'c']],
    ]);
  });
});
