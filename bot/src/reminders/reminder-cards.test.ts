import { Types } from 'mongoose';
import { renderSafeText } from '@crm/shared';
import type { DigestContent, ReminderView } from '@crm/api';
import { digestMarkdown } from './reminder-cards';

const clock = { tz: 'Asia/Shanghai', now: new Date('2026-11-23T01:00:00Z'), appUrl: (p: string) => `https://crm.example.com${p}` };
const nothing: DigestContent = { day: '11月23日 周一', dueToday: [], overdue: [], folded: [], stalledDeals: 0, team: [] };
const due = {
  _id: new Types.ObjectId(),
  kind: 'next-step',
  text: '发送报价单',
  title: '发送报价单',
  customerName: '张三（杭州云帆科技）',
  dueAt: new Date('2026-11-23T06:00:00Z'),
} as unknown as ReminderView;

/** The digest as WeCom gets it, split into lines. */
const lines = (d: DigestContent) => renderSafeText(digestMarkdown('王经理', d, clock), 'wecom-markdown').split('\n');

describe('the morning digest', () => {
  it.each([
    ['a rep with nothing due', nothing],
    ['a manager whose team has nothing overdue (the team block is left out)', { ...nothing, team: [] }],
  ])('%s: the greeting, one blank line, 今天没有到期的跟进, one blank line, the link', (_name, d) => {
    expect(lines(d)).toEqual(['**王经理，早上好！今日跟进摘要（11月23日 周一）**', '', '今天没有到期的跟进。', '', expect.stringContaining('打开我的提醒')]);
  });

  it.each([
    ['something due today', { ...nothing, dueToday: [due] }],
    ['a manager with a rep overdue', { ...nothing, team: [{ userId: 'u1', name: '刘洋', overdue: 2, stalled: 0 }] }],
  ])('%s: no "nothing due" line, never two blank lines in a row', (_name, d) => {
    const text = lines(d);
    expect(text).not.toContain('今天没有到期的跟进。');
    expect(text.some((l, i) => l === '' && text[i + 1] === '')).toBe(false);
  });
});
