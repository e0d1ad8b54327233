import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { formatDateTimeZh, joinSafeText, md, mdLink, REMINDER_KIND_LABELS, type SafeText } from '@crm/shared';
import type { DigestContent, ReminderView } from '../../../api/src/modules/reminder/reminder.service';
import type { ReminderSender, SentTo } from '../../../api/src/modules/reminder/reminder.scheduler';
import type { Card } from '../core/bot-event';
import { customerPath, remindersPath } from '../listeners/links';
import type { Notifier } from '../outbound/notifier';

/** A fresh card id (WeCom refuses a reused task_id): letters and digits, well under 128 bytes. */
export const newTaskId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;

/** Button keys: `rem.done:<id>`, `rem.snooze:<id>:<preset>`, `rem.log:<id>`, `rem.snoozeall:<taskId>`. */
export function reminderCard(r: ReminderView, tz: string, appUrl: (path: string) => string, taskId: string, doneText?: string): Card {
  const id = String(r._id);
  const fields = [
    { label: '事项', value: r.text || r.title },
    { label: '时间', value: formatDateTimeZh(r.dueAt, tz) },
    { label: '上次联系', value: r.lastContactAt ? formatDateTimeZh(r.lastContactAt, tz) : '暂无记录' },
  ];
  return {
    taskId,
    title: r.title,
    description: REMINDER_KIND_LABELS[r.kind === 'digest' ? 'next-step' : r.kind],
    fields,
    url: r.customerId ? appUrl(customerPath(String(r.customerId))) : appUrl(remindersPath()),
    buttons: doneText
      ? []
      : [
          { key: `rem.done:${id}`, text: '完成', style: 'primary' },
          { key: `rem.snooze:${id}:1h`, text: '1小时后' },
          { key: `rem.snooze:${id}:tomorrow-morning`, text: '明天上午' },
          { key: `rem.snooze:${id}:next-monday`, text: '下周一' },
          { key: `rem.log:${id}`, text: '记录跟进' },
        ],
    doneText,
  };
}

/** One card for a burst: what is due, and one tap to hear about all of it again in an hour. */
export function summaryCard(items: ReminderView[], tz: string, appUrl: (path: string) => string, taskId: string, doneText?: string): Card {
  const shown = items.slice(0, 5);
  return {
    taskId,
    title: `你有 ${items.length} 条待跟进`,
    description:
      shown.map((r) => `· ${r.title}（${formatDateTimeZh(r.dueAt, tz)}）`).join('\n') +
      (items.length > shown.length ? `\n…还有 ${items.length - shown.length} 条` : ''),
    url: appUrl(remindersPath()),
    buttons: doneText ? [] : [{ key: `rem.snoozeall:${taskId}`, text: '1小时后再提醒' }],
    doneText,
  };
}

/** The morning digest; every name and reminder text in it is user text (escaped by the channel). */
export function digestMarkdown(name: string, d: DigestContent, tz: string, appUrl: (path: string) => string): SafeText {
  const list = (rs: ReminderView[], max: number) =>
    joinSafeText(
      rs.slice(0, max).map((r) => md`- ${r.title}：${r.text}（${formatDateTimeZh(r.dueAt, tz)}）`),
      '\n',
    );
  const parts: SafeText[] = [md`**${name}，早上好！今日跟进摘要（${d.day}）**`];
  if (d.dueToday.length) parts.push(md`**今天到期 ${d.dueToday.length} 条**\n${list(d.dueToday, 8)}`);
  if (d.overdue.length) parts.push(md`**已逾期 ${d.overdue.length} 条**\n${list(d.overdue, 5)}`);
  if (d.folded.length) parts.push(md`**夜间/休息日到期 ${d.folded.length} 条**（未单独打扰你）\n${list(d.folded, 5)}`);
  if (d.stalledDeals) parts.push(md`停滞商机 ${d.stalledDeals} 个，请及时推进。`);
  if (d.team.length)
    parts.push(
      md`**团队**\n${joinSafeText(
        d.team.map((t) => md`- ${t.name}：逾期 ${t.overdue} 条${t.stalled ? md`，停滞商机 ${t.stalled} 个` : md``}`),
        '\n',
      )}`,
    );
  if (parts.length === 1)
    parts.push(md`
今天没有到期的跟进。
    `);
  parts.push(mdLink('打开我的提醒', appUrl(remindersPath())));
  return joinSafeText(parts, '\n\n');
}

/** The bot's side of the reminders port: cards through the person's channel. */
export class ChatReminderSender implements ReminderSender {
  constructor(
    private readonly notifier: Notifier,
    private readonly org: { findActiveUserById(id: Types.ObjectId): Promise<{ name: string } | null> },
    private readonly tz: string,
    private readonly appUrl: (path: string) => string,
  ) {}

  waitMs(userId: Types.ObjectId): Promise<number> {
    return this.notifier.sendDelayMs(userId);
  }

  async reminder(r: ReminderView): Promise<SentTo> {
    const taskId = newTaskId('rem');
    const d = await this.notifier.send(r.userId, { kind: 'card', card: reminderCard(r, this.tz, this.appUrl, taskId) });
    return d && { ...d, taskId };
  }

  async summary(userId: Types.ObjectId, items: ReminderView[]): Promise<SentTo> {
    const taskId = newTaskId('rems');
    const d = await this.notifier.send(userId, { kind: 'card', card: summaryCard(items, this.tz, this.appUrl, taskId) });
    return d && { ...d, taskId };
  }

  async digest(userId: Types.ObjectId, content: DigestContent): Promise<SentTo> {
    const user = await this.org.findActiveUserById(userId);
    if (!user) return null;
    const d = await this.notifier.send(
      userId,
      { kind: 'markdown', title: '今日跟进摘要', markdown: digestMarkdown(user.name, content, this.tz, this.appUrl) },
      { notice: true },
    );
    return d && { ...d, taskId: null };
  }
}
