import type { Logger } from 'pino';
import {
  formatClockZh,
  formatDateTimeZh,
  formatRelativeDateTime,
  arrivalNoteZh,
  parseChineseDateTime,
  type BusinessHours,
  SNOOZE_PRESETS,
  type FollowUpType,
  type SnoozePreset,
} from '@crm/shared';
import type { ReminderDoc } from '@crm/api';
import type { BotApp, BotContext } from '../core/bot-app';
import type { ChannelName } from '../core/bot-event';
import type { Notifier } from '../outbound/notifier';
import { isSummaryTask, reminderCard, summaryCard, type CardClock } from './reminder-cards';
import type { ReminderCardStore } from './reminder-card.store';
import { isTodayTask, todayCard } from '../listeners/today-card';

const TYPE_WORDS: Array<[RegExp, FollowUpType]> = [
  [/拜访|上门|面谈|见面|到访|登门/, 'visit'],
  [/会议|开会|视频会/, 'meeting'],
  [/微信/, 'wechat'],
  [/邮件|邮箱|email/i, 'email'],
  [/电话|致电|通话|打给|回电/, 'call'],
];

/** The kind of contact a sentence describes; a phone call when it does not say. */
export function followUpTypeOf(text: string): FollowUpType {
  return TYPE_WORDS.find(([re]) => re.test(text))?.[1] ?? 'call';
}

export interface ReminderListenerDeps {
  businessTz: string;
  now: () => Date;
  notifier: Notifier;
  /** The bot's record of sent reminder cards. */
  cards: ReminderCardStore;
  logger: Logger;
  /** Quiet hours, working days and the digest time: confirmations say when a reminder will really arrive. */
  arrival?: { hours: BusinessHours; digestMinute: number };
}

/**
 * The follow-up loop in chat: 完成 / 延后 / 记录跟进 on reminder cards, a free-text reply after a reminder
 * logged as a follow-up (a date in it becomes the next reminder), and 改到 to correct that date.
 */
export function registerReminderListeners(bot: BotApp, deps: ReminderListenerDeps): { settleReminder(ctx: BotContext, r: ReminderDoc): Promise<void> } {
  const tz = deps.businessTz;
  const now = deps.now;

  /** "（周六不推送，提醒会在 …随早间汇总送达）" when the reminder will not arrive at its time. */
  const arrivalNote = (at: Date) => (deps.arrival ? arrivalNoteZh(at, deps.arrival.hours, deps.arrival.digestMinute, tz) : '');
  /** "这周五已经过了，是下周五吗？" with the answer to send (a time already gone is never scheduled). */
  const pastQuestion = (past: { suggestion: Date | null; question: string }) =>
    past.suggestion ? `${past.question}\n是的话回复“改到 ${formatDateTimeZh(past.suggestion, tz)}”。` : past.question;

  const clock = (ctx: BotContext): CardClock => ({ tz, now: now(), appUrl: ctx.appUrl });

  /** A summary card as it stands now: every reminder it carries, settled rows marked, their buttons gone. */
  async function summaryNow(ctx: BotContext, taskId: string, doneText?: string) {
    const items = await ctx.services.reminders.onCard(ctx.user._id, taskId);
    return summaryCard(await ctx.services.reminders.views(items), clock(ctx), taskId, doneText);
  }

  /** Redraws the card a reminder went out on (its channel's adapter uses the tap's fresh permission, or the stored one). */
  async function settleCard(ctx: BotContext, r: ReminderDoc, doneText: string): Promise<void> {
    const tapped = ctx.event.type === 'action' ? ctx.event.action?.taskId : undefined;
    // a tap on a summary card redraws the summary (the row settled, the others still open)
    if (tapped && isSummaryTask(tapped) && tapped === r.delivery?.taskId) {
      try {
        await ctx.updateCard(await summaryNow(ctx, tapped));
      } catch (err) {
        deps.logger.warn({ err, reminder: String(r._id) }, 'could not redraw the summary card');
      }
      return;
    }
    // a tap on the 今天 card (asked in chat) redraws it
    if (tapped && isTodayTask(tapped)) {
      const today = await todayCard(ctx, clock(ctx), tapped);
      await ctx
        .updateCard(today ?? { taskId: tapped, title: '今天的提醒', buttons: [], doneText: `全部处理完 ✓ ${formatClockZh(now(), tz)}` })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not redraw the today card'));
      return;
    }
    const [view] = await ctx.services.reminders.views([r]);
    const card = reminderCard(view!, clock(ctx), r.delivery?.taskId ?? '', doneText);
    try {
      if (ctx.event.type === 'action' && ctx.event.action?.taskId === r.delivery?.taskId) {
        await ctx.updateCard(card);
        return;
      }
      const d = r.delivery;
      if (!d?.taskId || d.folded) return;
      // false when the channel allows no redraw now (WeCom: no code left): the reply says what happened
      await deps.notifier.updateCard({ channel: d.channel as ChannelName, platformUserId: d.platformUserId, taskId: d.taskId }, card);
    } catch (err) {
      deps.logger.warn({ err, reminder: String(r._id) }, 'could not redraw the reminder card');
    }
  }

  /**
   * The reminder a tap names, checked like the API: the tapper's own (someone else's id answers 404, as
   * GET /reminders/:id does), and for 记录跟进 a customer the tapper may still see (as POST /follow-ups does).
   */
  async function ownReminder(ctx: BotContext, id: string, opts: { customer?: boolean } = {}): Promise<ReminderDoc> {
    const r = await ctx.services.reminders.get(ctx.actor, id);
    if (opts.customer && r.customerId) await ctx.services.customers.get(ctx.actor, r.customerId);
    return r;
  }

  /** What a card shows once its reminder is settled, whoever settled it (a tap, the mini-app, a chat reply). */
  const settledText = (r: ReminderDoc) =>
    r.status === 'done' ? `已完成 ✓ ${formatClockZh(r.doneAt ?? now(), tz)}` : r.status === 'cancelled' ? `已取消：${r.outcome ?? ''}` : '已处理';

  bot.action('rem.done', async (ctx, [id = '']) => {
    await ownReminder(ctx, id);
    // Already done or cancelled elsewhere: nothing changes, and the card is redrawn to say so.
    const { reminder } = await ctx.services.reminders.complete(ctx.actor, ctx.meta, id, '已完成（聊天卡片）');
    await settleCard(ctx, reminder, settledText(reminder));
  });

  bot.action('rem.snooze', async (ctx, [id = '', preset = '1h']) => {
    if (!(SNOOZE_PRESETS as readonly string[]).includes(preset)) throw new Error(`unknown snooze preset ${preset}`);
    const current = await ownReminder(ctx, id);
    if (current.status === 'done' || current.status === 'cancelled') {
      await settleCard(ctx, current, settledText(current));
      return;
    }
    const r = await ctx.services.reminders.snooze(ctx.actor, ctx.meta, id, { preset: preset as SnoozePreset });
    await settleCard(ctx, r, `已延后至 ${formatRelativeDateTime(r.dueAt, now(), tz)}`);
  });

  /** 提醒他 on a manager's team reminder: the rep gets a reminder now, the manager's card says so. */
  bot.action('rem.nudge', async (ctx, [id = '']) => {
    await ownReminder(ctx, id);
    const { reminder, aboutName } = await ctx.services.reminders.nudge(ctx.actor, ctx.meta, id);
    await settleCard(ctx, reminder, reminder.status === 'done' ? (reminder.outcome ?? `已提醒 ${aboutName}`) : settledText(reminder));
  });

  /** A summary card is the tapper's only if it carries their reminders. */
  async function ownSummary(ctx: BotContext, taskId: string): Promise<boolean> {
    if (taskId && (await ctx.services.reminders.onCard(ctx.user._id, taskId)).length) return true;
    await ctx.reply({ kind: 'text', text: '这张卡片不是你的，或已失效：提醒不存在或无权查看。' });
    return false;
  }

  bot.action('rem.snoozeall', async (ctx, [taskId = '']) => {
    if (!(await ownSummary(ctx, taskId))) return;
    const items = await ctx.services.reminders.onCard(ctx.user._id, taskId, { status: 'sent' });
    let until: Date | null = null;
    for (const r of items) until = (await ctx.services.reminders.snooze(ctx.actor, ctx.meta, r._id, { preset: '1h' })).dueAt;
    await ctx.updateCard(await summaryNow(ctx, taskId, until ? `已延后至 ${formatClockZh(until, tz)}` : '已处理'));
  });

  /** 全部完成: every open reminder of the card that is the tapper's own task (team reminders are nudged, not completed). */
  bot.action('rem.doneall', async (ctx, [taskId = '']) => {
    if (!(await ownSummary(ctx, taskId))) return;
    const items = await ctx.services.reminders.onCard(ctx.user._id, taskId, { ownOnly: true });
    await ctx.services.reminders.completeMany(
      ctx.actor,
      ctx.meta,
      items.map((r) => String(r._id)),
      '已完成（聊天卡片：全部完成）',
    );
    await ctx.updateCard(await summaryNow(ctx, taskId));
  });

  bot.action('rem.log', async (ctx, [id = '']) => {
    const r = await ownReminder(ctx, id, { customer: true });
    await ctx.ask('rem.log', [String(r._id)]);
    await ctx.reply({
      kind: 'text',
      text: `请直接回复这次跟进的内容，例如：“已电话沟通，客户要求下周二下午再联系”。写上时间，我会按它安排下次提醒。（回复“取消”放弃）`,
    });
  });

  bot.command(
    ['改到', '改成'],
    '改到 <时间>：修改刚记录的下次跟进时间',
    async (ctx, when) => {
      const parsed = when ? parseChineseDateTime(when, now(), tz) : null;
      if (parsed?.past) {
        await ctx.reply({ kind: 'text', text: pastQuestion(parsed.past) });
        return;
      }
      if (!parsed || parsed.at.getTime() <= now().getTime()) {
        await ctx.reply({ kind: 'text', text: '没有看懂这个时间，请换个说法，例如：改到 明天下午3点、改到 下周二上午。' });
        return;
      }
      const since = new Date(now().getTime() - 24 * 3600_000);
      const latest = await ctx.services.followUps.latestFromBot(ctx.user._id, since);
      if (!latest) {
        await ctx.reply({ kind: 'text', text: '最近 24 小时内没有在聊天中记录的跟进，可以在小程序中修改。' });
        return;
      }
      await ctx.services.followUps.update(ctx.actor, ctx.meta, String(latest._id), {
        content: latest.content,
        // the step stays what it was ("再联系"), never the sentence with its old date
        nextStep: { text: latest.nextStep?.text ?? '跟进', dueAt: parsed.at },
      });
      const c = await ctx.services.customers.get(ctx.actor, latest.customerId).catch(() => null);
      const who = c ? (c.company ? `${c.name}（${c.company}）` : c.name) : '客户';
      await ctx.reply({ kind: 'text', text: `好的，${who} 的下次提醒改为 ${formatDateTimeZh(parsed.at, tz)}${arrivalNote(parsed.at)}。` });
    },
    { permission: 'record.write' },
  );

  /** A follow-up was logged in answer to this reminder (in chat): the reminder is done and its card says so. */
  async function settleReminder(ctx: BotContext, r: ReminderDoc): Promise<void> {
    const { reminder } = await ctx.services.reminders.complete(ctx.actor, ctx.meta, r._id, '已记录跟进（聊天回复）');
    await settleCard(ctx, reminder, `已记录跟进 ✓ ${formatClockZh(now(), tz)}`);
  }
  return { settleReminder };
}
