import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { formatAgo, formatClockZh, formatDue, joinSafeText, md, mdLink, REMINDER_GROUP_LABELS, REMINDER_KIND_LABELS, type SafeText } from '@crm/shared';
import type { DigestContent, ReminderView, ReminderSender, SentTo } from '@crm/api';
import type { Card } from '../core/bot-event';
import { leaverPath } from '../handover/handover-chat';
import { customerPath, remindersPath } from '../listeners/links';
import type { Delivery, Notifier } from '../outbound/notifier';
import type { ReminderCardStore } from './reminder-card.store';

/**
 * A reminder card's task id, the same for every attempt at one delivery (the reminder, its recipient and due
 * time; a snooze or a new owner makes a new one): a worker that re-sends what a killed worker was sending gets
 * WeCom's 42014 ("taskid has existed") instead of a second card. Letters, digits and `_`, 60 characters.
 */
export const reminderTaskId = (r: Pick<ReminderView, '_id' | 'userId' | 'dueAt'>) =>
  `rem_${String(r._id)}${r.dueAt.getTime().toString(36)}${String(r.userId).slice(-16)}`;

/** A summary card's task id: the same for the same reminders (at the same due times) to the same person. */
export const summaryTaskId = (userId: Types.ObjectId, items: Array<Pick<ReminderView, '_id' | 'dueAt'>>) =>
  `${SUMMARY_TASK_PREFIX}_${createHash('sha256')
    .update(
      `${String(userId)}|${items
        .map((r) => `${String(r._id)}@${r.dueAt.getTime()}`)
        .sort()
        .join(',')}`,
    )
    .digest('hex')
    .slice(0, 40)}`;

/** What the cards need to say times relative to now ("今天 08:01", "逾期 2天", "5分钟前"). */
export interface CardClock {
  tz: string;
  now: Date;
  appUrl: (path: string) => string;
}

/** A summary card's task id starts with this (a single reminder's with `rem_`). */
export const SUMMARY_TASK_PREFIX = 'rems';
export const isSummaryTask = (taskId: string | null | undefined) => !!taskId && taskId.startsWith(`${SUMMARY_TASK_PREFIX}_`);

/** Open: can still be completed, snoozed or nudged. */
const isOpen = (r: ReminderView) => !['done', 'cancelled'].includes(r.status);
const cutText = (s: string, max: number) =>
  Array.from(s).length > max
    ? `${Array.from(s)
        .slice(0, max - 1)
        .join('')}…`
    : s;

/** What the reminder asks for, in a few words: the step itself, or why it was raised. */
export function reminderWhat(r: ReminderView): string {
  if (r.kind === 'next-step') return r.text || r.title;
  if (r.aboutUser) return `${r.aboutUser.name}的商机停滞：${r.title.replace(/^[^：]*：/, '').replace(/（[^（）]*）$/, '')}`;
  return r.title;
}

/**
 * Button keys: `rem.done:<id>`, `rem.snooze:<id>:<preset>`, `rem.log:<id>`, `rem.nudge:<id>` (a manager's team
 * reminder: 提醒他 instead of 完成), and on summary cards `rem.doneall:<taskId>`, `rem.snoozeall:<taskId>`.
 */
export function reminderCard(r: ReminderView, c: CardClock, taskId: string, doneText?: string): Card {
  const id = String(r._id);
  const fields = [
    ...(r.aboutUser ? [{ label: '负责人', value: r.aboutUser.name }] : []),
    { label: '事项', value: r.text || r.title },
    { label: '时间', value: formatDue(r.dueAt, c.now, c.tz) },
    { label: '上次联系', value: r.lastContactAt ? formatAgo(r.lastContactAt, c.now, c.tz) : '暂无记录' },
  ];
  const snoozes = [
    { key: `rem.snooze:${id}:1h`, text: '1小时后' },
    { key: `rem.snooze:${id}:tomorrow-morning`, text: '明天上午' },
    { key: `rem.snooze:${id}:next-monday`, text: '下周一' },
  ];
  return {
    taskId,
    title: r.title,
    description: REMINDER_KIND_LABELS[r.kind === 'digest' ? 'next-step' : r.kind],
    fields,
    url: r.customerId ? c.appUrl(customerPath(String(r.customerId))) : c.appUrl(remindersPath()),
    buttons: doneText
      ? []
      : r.aboutUser
        ? [{ key: `rem.nudge:${id}`, text: `提醒${cutText(r.aboutUser.name, 4)}`, style: 'primary' }, ...snoozes]
        : [{ key: `rem.done:${id}`, text: '完成', style: 'primary' }, ...snoozes, { key: `rem.log:${id}`, text: '记录跟进' }],
    doneText,
  };
}

/** How many tasks a summary card lists (WeCom shows at most 6 rows; one is left for "…还有"). */
const SUMMARY_ROWS = 5;
/** Per-task buttons on a summary card: WeCom allows 6 buttons, two are 全部完成 and 全部延后. */
const SUMMARY_ITEM_BUTTONS = 4;

/**
 * One card for a burst: every task with its customer, step and due time (one row each), 完成 per task (a
 * team task: 提醒 <rep>) for as many as the platform's button limit allows, and 全部完成 / 全部延后1小时.
 * Redrawn after each tap: settled rows say so, their buttons go; when none is left open the card is settled.
 * Per-task 延后 is in the mini-app (the card opens the list): WeCom's 6 buttons cannot hold it.
 */
export function summaryCard(items: ReminderView[], c: CardClock, taskId: string, doneText?: string): Card {
  const ordered = [...items].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || String(a._id).localeCompare(String(b._id)));
  const open = ordered.filter(isOpen);
  const shown = ordered.slice(0, SUMMARY_ROWS);
  const overdue = open.filter((r) => r.dueAt.getTime() < c.now.getTime() - 60 * 60_000).length;
  const rowState = (r: ReminderView) =>
    r.status === 'done' ? `✓ ${r.outcome ?? '已完成'}` : r.status === 'cancelled' ? '已取消' : formatDue(r.dueAt, c.now, c.tz);
  const more = ordered.length - shown.length;
  const settled = doneText ?? (open.length === 0 && ordered.length ? `全部处理完 ✓ ${formatClockZh(c.now, c.tz)}` : undefined);
  const perItem = open.slice(0, SUMMARY_ITEM_BUTTONS).map((r) =>
    r.aboutUser
      ? { key: `rem.nudge:${String(r._id)}`, text: cutText(`提醒${r.aboutUser.name}`, 10) }
      : {
          key: `rem.done:${String(r._id)}`,
          text: cutText(`完成 ${r.customerShort ?? REMINDER_GROUP_LABELS[r.kind === 'digest' ? 'next-step' : r.kind]}`, 10),
        },
  );
  const own = open.filter((r) => !r.aboutUser);
  return {
    taskId,
    title: `你有 ${open.length || ordered.length} 条待跟进`,
    description: [overdue ? `其中 ${overdue} 条已逾期` : '', more > 0 ? `另有 ${more} 条，打开列表查看` : ''].filter(Boolean).join('；'),
    fields: shown.map((r) => ({
      label: r.customerShort ?? REMINDER_GROUP_LABELS[r.kind === 'digest' ? 'next-step' : r.kind],
      value: `${reminderWhat(r)} · ${rowState(r)}`,
    })),
    url: c.appUrl(remindersPath()),
    buttons: settled
      ? []
      : [
          ...perItem,
          ...(own.length ? [{ key: `rem.doneall:${taskId}`, text: '全部完成', style: 'primary' as const }] : []),
          { key: `rem.snoozeall:${taskId}`, text: '全部延后1小时' },
        ],
    doneText: settled,
  };
}

const NOTHING_DUE: SafeText = md`${'今天没有到期的跟进。'}`;

/** The morning digest; every name and reminder text in it is user text (escaped by the channel). */
export function digestMarkdown(name: string, d: DigestContent, c: CardClock): SafeText {
  const line = (r: ReminderView) =>
    r.kind === 'next-step' && r.customerName
      ? md`- ${r.customerName}：${reminderWhat(r)}（${formatDue(r.dueAt, c.now, c.tz)}）`
      : md`- ${reminderWhat(r)}（${formatDue(r.dueAt, c.now, c.tz)}）`;
  const list = (rs: ReminderView[], max: number) => joinSafeText(rs.slice(0, max).map(line), '\n');
  const parts: SafeText[] = [md`**${name}，早上好！今日跟进摘要（${d.day}）**`];
  if (d.dueToday.length) parts.push(md`**今天到期 ${d.dueToday.length} 条**\n${list(d.dueToday, 8)}`);
  if (d.overdue.length) parts.push(md`**已逾期 ${d.overdue.length} 条**\n${list(d.overdue, 5)}`);
  if (d.folded.length) parts.push(md`**夜间/休息日到期 ${d.folded.length} 条**（未单独打扰你）\n${list(d.folded, 5)}`);
  if (d.stalledDeals) parts.push(md`停滞商机 ${d.stalledDeals} 个，请及时推进。`);
  if (d.reclaimSoon?.length) {
    const soon = d.reclaimSoon.slice(0, 5).map((r) => md`- ${r.name}：${r.inDays > 0 ? `${r.inDays} 天后` : '今天'}将退回公海（${r.reason}）`);
    parts.push(md`**即将退回公海 ${d.reclaimSoon.length} 个**（写一条跟进即可重新计时）\n${joinSafeText(soon, '\n')}`);
  }
  if (d.pendingHandovers?.length) {
    const rows = d.pendingHandovers
      .slice(0, 5)
      .map((l) => md`- 离职人员待交接：${l.name}（客户 ${l.customers} 个） ${mdLink('发起交接', c.appUrl(leaverPath(l.userId)))}`);
    parts.push(joinSafeText(rows, '\n'));
  }
  if (d.team.length)
    parts.push(
      md`**团队**\n${joinSafeText(
        d.team.map((t) => md`- ${t.name}：逾期 ${t.overdue} 条${t.stalled ? md`，停滞商机 ${t.stalled} 个` : md``}`),
        '\n',
      )}`,
    );
  // a const, not an inline md`…` (prettier formats md-tagged templates as markdown and wrapped this one in blank lines)
  if (parts.length === 1) parts.push(NOTHING_DUE);
  parts.push(mdLink('打开我的提醒', c.appUrl(remindersPath())));
  return joinSafeText(parts, '\n\n');
}

/** The bot's side of the reminders port: cards through the person's channel. */
export class ChatReminderSender implements ReminderSender {
  constructor(
    private readonly notifier: Notifier,
    private readonly cards: ReminderCardStore,
    private readonly org: { findActiveUserById(id: Types.ObjectId): Promise<{ name: string } | null> },
    private readonly tz: string,
    private readonly appUrl: (path: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private clock(): CardClock {
    return { tz: this.tz, now: this.now(), appUrl: this.appUrl };
  }

  waitMs(userId: Types.ObjectId): Promise<number> {
    return this.notifier.sendDelayMs(userId);
  }

  async reminder(r: ReminderView): Promise<SentTo> {
    const taskId = reminderTaskId(r);
    const d = await this.notifier.send(r.userId, { kind: 'card', card: reminderCard(r, this.clock(), taskId) });
    return this.sentCard(r.userId, taskId, d);
  }

  async summary(userId: Types.ObjectId, items: ReminderView[]): Promise<SentTo> {
    const taskId = summaryTaskId(userId, items);
    const d = await this.notifier.send(userId, { kind: 'card', card: summaryCard(items, this.clock(), taskId) });
    return this.sentCard(userId, taskId, d);
  }

  async digest(userId: Types.ObjectId, content: DigestContent): Promise<SentTo> {
    const user = await this.org.findActiveUserById(userId);
    if (!user) return null;
    const d = await this.notifier.send(
      userId,
      { kind: 'markdown', title: '今日跟进摘要', markdown: digestMarkdown(user.name, content, this.clock()) },
      { notice: true },
    );
    return d && { channel: d.channel, platformUserId: d.platformUserId, messageId: d.messageId, sentAt: d.sentAt, taskId: null };
  }

  /** A card went out: the bot keeps where it went (its own collection); the reminders keep the task id. */
  private async sentCard(userId: Types.ObjectId, taskId: string, d: Delivery | null): Promise<SentTo> {
    if (!d) return null;
    await this.cards.sent({ taskId, userId, channel: d.channel, platformUserId: d.platformUserId, sentAt: d.sentAt });
    return { channel: d.channel, platformUserId: d.platformUserId, messageId: d.messageId, sentAt: d.sentAt, taskId };
  }
}
