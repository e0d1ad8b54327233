import { randomBytes } from 'node:crypto';
import { Types, type Connection, type Model } from 'mongoose';
import {
  APPROVAL_STATUS_LABELS,
  APPROVAL_SUBJECT_LABELS,
  arrivalNoteZh,
  can,
  CONTRACT_STATUS_LABELS,
  FOLLOW_UP_TYPE_LABELS,
  formatDateTimeZh,
  formatMoneyShort,
  joinSafeText,
  md,
  mdLink,
  parseChineseDateTime,
  type BusinessHours,
  type ParsedDateTime,
  type Permission,
} from '@crm/shared';
import type { ApprovalPlain, ReminderDoc } from '@crm/api';
import type { BotApp, BotContext } from '../core/bot-app';
import type { Card } from '../core/bot-event';
import { IntentRouter, nextStepText, type CommandName, type Intent } from '../intents/intent';
import { chatDraftModel, type ChatDraft } from '../intents/draft.model';
import { approvalCard } from '../approvals/approval-cards';
import { approvalPath, approvalsPath, customerPath, remindersPath } from './links';
import { searchCustomers } from './crm.listeners';
import { followUpTypeOf } from '../reminders/reminder.listeners';
import { TODAY_TASK_PREFIX, todayCard } from './today-card';
import { reportCardFor } from '../reports/report-cards';

/** 撤销 works this long after a follow-up was logged in chat. */
export const UNDO_WINDOW_MS = 10 * 60_000;
const DRAFT_TTL_MS = 60 * 60_000;
/** Buttons on the "记到哪个客户？" card: WeCom shows 6, one is 取消. */
const MAX_CHOICES = 5;
export const WHICH_PROMPT = 'fu.which';
const RETIME_PROMPT = 'fu.retime';

type Customer = { _id: Types.ObjectId; name: string; company?: string | null };
const label = (c: Customer) => (c.company ? `${c.name}（${c.company}）` : c.name);
const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface ChatListenerDeps {
  conn: Connection;
  businessTz: string;
  now: () => Date;
  arrival?: { hours: BusinessHours; digestMinute: number };
  router?: IntentRouter;
  /** A follow-up logged in answer to a reminder: the reminder is completed and its card redrawn. */
  settleReminder(ctx: BotContext, reminder: ReminderDoc): Promise<void>;
  /** Issues an approval card to an approver who asked for it, recorded so that it is redrawn like every card. */
  issueApprovalCard(approval: ApprovalPlain, userId: Types.ObjectId): Promise<boolean>;
}

/** The commands the router runs, as 帮助 lists them, with the permission each needs. */
const ROUTED: Array<{ command: CommandName; help: string; permission?: Permission }> = [
  { command: 'log', help: '记录 <客户> <内容>：记一条跟进，也可以直接说“拜访了张三，下周二再联系”', permission: 'record.write' },
  { command: 'undo', help: '撤销：删掉刚在聊天里记的跟进（10 分钟内）；“不对，是李四的”改记到李四', permission: 'record.write' },
  { command: 'today', help: '今天 / 我的提醒：今天到期和逾期的提醒' },
  { command: 'approvals.todo', help: '待审批：等我审批的申请', permission: 'record.write' },
  { command: 'approvals.mine', help: '我发起的：我提交的申请和状态', permission: 'record.write' },
  { command: 'stats', help: '业绩 / 本月：我本月的数字和上月对比；本周：本周和上周对比', permission: 'record.write' },
  { command: 'team', help: '团队情况：团队的数字和谁有逾期提醒（经理）', permission: 'record.transfer' },
];

/**
 * The intent layer in front of the listeners: every message no command or question took goes through the
 * router, and each intent is handled here like a route: follow-ups at any time (with 撤销 / 改时间 / 换客户
 * and "记到哪个客户？"), corrections, chatter never logged, the day's lists, and a fallback that is no dead end.
 */
export function registerChatListeners(bot: BotApp, deps: ChatListenerDeps): void {
  const tz = deps.businessTz;
  const now = deps.now;
  const router = deps.router ?? new IntentRouter();
  const drafts: Model<ChatDraft> = chatDraftModel(deps.conn);
  const arrivalNote = (at: Date) => (deps.arrival ? arrivalNoteZh(at, deps.arrival.hours, deps.arrival.digestMinute, tz) : '');
  const permitted = (ctx: BotContext, command: CommandName) => {
    const p = ROUTED.find((r) => r.command === command)?.permission;
    return !p || can(ctx.user.roles, p);
  };
  // 帮助 lists them (only those the user may run); the router, not a leading word, runs them
  for (const r of ROUTED) bot.command([], r.help, async () => undefined, { permission: r.permission });

  const newDraft = async (ctx: BotContext, text: string, more: Partial<ChatDraft> = {}) =>
    drafts.create({
      userId: ctx.user._id,
      text,
      moveFrom: null,
      reminderId: null,
      createdAt: now(),
      expiresAt: new Date(now().getTime() + DRAFT_TTL_MS),
      ...more,
    });
  const ownDraft = async (ctx: BotContext, id: string) =>
    Types.ObjectId.isValid(id)
      ? drafts
          .findOne({ _id: new Types.ObjectId(id), userId: ctx.user._id })
          .lean()
          .exec()
      : null;

  /** The customers the scoped search finds for a name, the exact name first. */
  async function search(ctx: BotContext, q: string): Promise<Customer[]> {
    const page = await ctx.services.customers.listWithOwners(ctx.actor, { q, limit: MAX_CHOICES + 1 });
    const items = page.items as unknown as Customer[];
    return [...items.filter((c) => c.name === q || c.company === q), ...items.filter((c) => c.name !== q && c.company !== q)];
  }

  /** Choices for "记到哪个客户？": open reminders' customers first, then recently touched, then search matches. */
  async function choices(ctx: BotContext, matches: Customer[]): Promise<Customer[]> {
    const out: Customer[] = [];
    const add = (c: Customer | null | undefined) => c && !out.some((o) => o._id.equals(c._id)) && out.push(c);
    if (!matches.length) {
      const open = [...(await ctx.services.reminders.list(ctx.actor, 'overdue', 5)), ...(await ctx.services.reminders.list(ctx.actor, 'today', 5))];
      for (const r of open) if (r.customerId) add({ _id: r.customerId, name: r.customerShort ?? r.customerName ?? '客户' });
      const recent = await ctx.services.customers.listWithOwners(ctx.actor, { owner: 'me', limit: MAX_CHOICES });
      for (const c of recent.items as unknown as Customer[]) add(c);
    }
    for (const c of matches) add(c);
    return out.slice(0, MAX_CHOICES);
  }

  async function askWhich(ctx: BotContext, draft: { _id: Types.ObjectId; text: string }, options: Customer[], headline = '记到哪个客户？'): Promise<void> {
    await ctx.ask(WHICH_PROMPT, [String(draft._id)]);
    const card: Card = {
      taskId: `fuw_${randomBytes(8).toString('hex')}`,
      title: headline,
      description: draft.text ? `“${short(draft.text, 60)}”\n点选客户，或直接回复客户名。` : '点选客户，或直接回复客户名。',
      buttons: [
        ...options.map((c) => ({ key: `fu.pick:${String(draft._id)}:${String(c._id)}`, text: short(c.name, 10) })),
        { key: `fu.pick:${String(draft._id)}:-`, text: '取消', style: 'default' as const },
      ],
    };
    await ctx.reply({ kind: 'card', card });
  }

  /** Logs a sentence on a customer; confirms naming the customer and the absolute time, with 撤销 / 改时间 / 换客户. */
  async function log(ctx: BotContext, customerId: Types.ObjectId, text: string, reminderId: Types.ObjectId | null): Promise<Card | null> {
    const customer = await ctx.services.customers.get(ctx.actor, customerId);
    const date = parseChineseDateTime(text, now(), tz);
    const next = date && !date.past && date.at.getTime() > now().getTime() ? date : null;
    const type = followUpTypeOf(text);
    const step = next ? nextStepText(text, next) : null;
    const fu = await ctx.services.followUps.create(
      ctx.actor,
      ctx.meta,
      { customerId: String(customer._id), type, content: text.slice(0, 2000), ...(next && step ? { nextStep: { text: step, dueAt: next.at } } : {}) },
      'bot',
    );
    if (reminderId) {
      const r = await ctx.services.reminders.get(ctx.actor, reminderId).catch(() => null);
      if (r) await deps.settleReminder(ctx, r);
    }
    const who = label(customer);
    const id = String(fu._id);
    const card: Card = {
      taskId: `fu_${randomBytes(8).toString('hex')}`,
      title: `已记录 ${short(customer.name, 12)} 的跟进（${FOLLOW_UP_TYPE_LABELS[type]}）`,
      description: next
        ? `下次提醒：${formatDateTimeZh(next.at, tz)}${arrivalNote(next.at)}。\n下一步：${step}`
        : date?.past
          ? `还没有安排下次提醒：${date.past.question}${date.past.suggestion ? `\n是的话回复“改到 ${formatDateTimeZh(date.past.suggestion, tz)}”。` : ''}`
          : '没有识别到下次联系的时间；点“改时间”或回复“改到 下周一上午”安排提醒。',
      fields: [
        { label: '客户', value: who },
        { label: '内容', value: short(text, 80) },
      ],
      url: ctx.appUrl(customerPath(String(customer._id))),
      buttons: [
        ...(date?.past?.suggestion
          ? [
              {
                key: `fu.at:${id}:${date.past.suggestion.getTime()}`,
                text: `是，${formatDateTimeZh(date.past.suggestion, tz).slice(0, 10)}`,
                style: 'primary' as const,
              },
            ]
          : []),
        { key: `fu.undo:${id}`, text: '撤销', style: 'danger' },
        { key: `fu.retime:${id}`, text: '改时间' },
        { key: `fu.move:${id}`, text: '换客户' },
      ],
    };
    await ctx.reply({ kind: 'card', card });
    return card;
  }

  /**
   * A report: the customer named (scoped search), else the one reminder being answered; ambiguous or missing
   * → "记到哪个客户？" (never the newest card when another card is open).
   */
  async function report(ctx: BotContext, intent: Extract<Intent, { kind: 'report' }>): Promise<void> {
    if (!permitted(ctx, 'log')) {
      await ctx.reply({ kind: 'text', text: bot.refusal(ctx.user.roles, '你的账号不能在聊天中记录跟进') });
      return;
    }
    let text = intent.text;
    let matches: Customer[] = [];
    for (const m of intent.mentions) {
      matches = await search(ctx, m);
      if (matches.length) {
        // "记录 张三 …": the name is not part of the content
        if (intent.explicit && text.startsWith(m)) text = text.slice(m.length).replace(/^[\s:：,，]+/, '') || text;
        break;
      }
    }
    const open = await ctx.services.reminders.answerable(ctx.user._id);
    const openCustomers = [...new Map(open.map((r) => [String(r.customerId), r])).values()];
    if (!text.trim()) {
      await ctx.reply({ kind: 'text', text: '请写上跟进内容，例如：记录 张三 电话沟通了报价，下周二再联系' });
      return;
    }
    const sure =
      matches.length === 1 ||
      (matches.length > 1 && (matches[0]!.name === intent.mentions[0] || matches[0]!.company === intent.mentions[0]) && matches[1]!.name !== matches[0]!.name);
    if (sure) {
      const c = matches[0]!;
      const answering = open.find((r) => r.customerId?.equals(c._id));
      await log(ctx, c._id, text, answering?._id ?? null);
      return;
    }
    // nobody named (or no such customer): the one reminder being answered
    if (!matches.length && openCustomers.length === 1) {
      if (!intent.sure) return askToLog(ctx, text, openCustomers[0]!._id);
      await log(ctx, openCustomers[0]!.customerId!, text, openCustomers[0]!._id);
      return;
    }
    // unsure and not answering a reminder: the fallback offers 记为跟进 among other actions
    if (!intent.sure && !matches.length) return openCustomers.length ? askToLog(ctx, text, null) : fallback(ctx, text, '没看懂这句话');
    const draft = await newDraft(ctx, text);
    const opts = await choices(ctx, matches.length ? matches : []);
    const fromCards = openCustomers.map((r) => ({ _id: r.customerId!, name: '' }));
    // open reminders' customers first
    opts.sort((a, b) => Number(fromCards.some((x) => x._id.equals(b._id))) - Number(fromCards.some((x) => x._id.equals(a._id))));
    await askWhich(ctx, draft, opts);
  }

  /** A sentence that only has a date: ask before logging it. */
  async function askToLog(ctx: BotContext, text: string, reminderId: Types.ObjectId | null): Promise<void> {
    const draft = await newDraft(ctx, text, { reminderId });
    await ctx.reply({
      kind: 'card',
      card: {
        taskId: `fuq_${randomBytes(8).toString('hex')}`,
        title: '要记为跟进吗？',
        description: `“${short(text, 60)}”`,
        buttons: [
          { key: `fu.yes:${String(draft._id)}`, text: '记为跟进', style: 'primary' },
          { key: `fu.no:${String(draft._id)}`, text: '不用' },
        ],
      },
    });
  }

  /** A chosen customer finishes a draft: logs its sentence, or moves its follow-up there. */
  async function finish(ctx: BotContext, draft: ChatDraft & { _id: Types.ObjectId }, customerId: Types.ObjectId): Promise<void> {
    await drafts.deleteOne({ _id: draft._id }).exec();
    if (draft.moveFrom) {
      await move(ctx, draft.moveFrom, customerId);
      return;
    }
    const answering = draft.reminderId ?? (await ctx.services.reminders.answerable(ctx.user._id)).find((r) => r.customerId?.equals(customerId))?._id ?? null;
    await log(ctx, customerId, draft.text, answering);
  }

  /** Moves a follow-up logged in chat to another customer: undone there (audited), logged here with the same words. */
  async function move(ctx: BotContext, followUpId: Types.ObjectId, customerId: Types.ObjectId): Promise<void> {
    const target = await ctx.services.customers.get(ctx.actor, customerId);
    const old = await ctx.services.followUps.undoFromBot(ctx.actor, ctx.meta, followUpId, UNDO_WINDOW_MS);
    if (!old) {
      await ctx.reply({ kind: 'text', text: '这条跟进已超过 10 分钟或已撤销，不能再改客户；可以在小程序中处理。' });
      return;
    }
    if (old.customerId.equals(target._id)) {
      await log(ctx, target._id, old.content, null);
      return;
    }
    await log(ctx, target._id, old.content, null);
  }

  async function undo(ctx: BotContext, id?: string): Promise<void> {
    // the window is checked by undoFromBot (on the logging time)
    const latest = id ? { _id: id } : await ctx.services.followUps.latestFromBot(ctx.user._id, new Date(0));
    const done = latest ? await ctx.services.followUps.undoFromBot(ctx.actor, ctx.meta, latest._id, UNDO_WINDOW_MS) : null;
    if (!done) {
      await ctx.reply({ kind: 'text', text: '没有可以撤销的跟进：只能撤销 10 分钟内在聊天里记录的跟进。更早的记录请在小程序中修改。' });
      return;
    }
    const c = await ctx.services.customers.get(ctx.actor, done.customerId).catch(() => null);
    const text = `已撤销 ${c ? label(c) : '客户'} 的跟进“${short(done.content, 30)}”${done.nextStep ? '，下次提醒已取消' : ''}。`;
    if (ctx.event.type === 'action')
      await ctx
        .updateCard({ taskId: ctx.event.action?.taskId ?? '', title: '跟进已撤销', description: text, buttons: [], doneText: '已撤销', doneStyle: 'muted' })
        .catch(() => undefined);
    await ctx.reply({ kind: 'text', text });
  }

  async function correction(ctx: BotContext, name: string): Promise<void> {
    const last = await ctx.services.followUps.latestFromBot(ctx.user._id, new Date(0));
    const latest = last && last.happenedAt.getTime() >= now().getTime() - UNDO_WINDOW_MS ? last : null;
    if (!latest) {
      await ctx.reply({ kind: 'text', text: '10 分钟内没有在聊天里记录的跟进，不需要改客户。' });
      return;
    }
    const matches = await search(ctx, name);
    if (matches.length === 1 || (matches.length > 1 && matches[0]!.name === name && matches[1]!.name !== name)) {
      await move(ctx, latest._id, matches[0]!._id);
      return;
    }
    const draft = await newDraft(ctx, latest.content, { moveFrom: latest._id });
    await askWhich(
      ctx,
      draft,
      await choices(ctx, matches),
      matches.length ? `改记到哪个“${short(name, 8)}”？` : `没有找到“${short(name, 8)}”，改记到哪个客户？`,
    );
  }

  // ---- buttons
  bot.action('fu.pick', async (ctx, [draftId = '', customerId = '']) => {
    const draft = await ownDraft(ctx, draftId);
    const settle = (doneText: string) =>
      ctx.updateCard({ taskId: ctx.event.action?.taskId ?? '', title: '记到哪个客户？', buttons: [], doneText, doneStyle: 'muted' }).catch(() => undefined);
    if (!draft) {
      await ctx.reply({ kind: 'text', text: '这个问题已失效（已处理或超过 1 小时），请重新发送跟进内容。' });
      return;
    }
    if (customerId === '-' || !Types.ObjectId.isValid(customerId)) {
      await drafts.deleteOne({ _id: draft._id }).exec();
      await settle('已取消');
      await ctx.reply({ kind: 'text', text: '好的，没有记录。' });
      return;
    }
    const c = await ctx.services.customers.get(ctx.actor, customerId);
    await settle(`已选 ${c.name}`);
    await finish(ctx, draft, c._id);
  });

  bot.prompt(WHICH_PROMPT, async (ctx, answer) => {
    const meant = router.route(answer.text, now(), tz);
    // a command, a new report, a question: not an answer (the question is dropped)
    if (meant.kind !== 'name' && meant.kind !== 'unknown') return understand(ctx, answer.text, meant);
    const draft = await ownDraft(ctx, answer.args[0] ?? '');
    if (!draft) {
      await ctx.reply({ kind: 'text', text: '这个问题已失效，请重新发送跟进内容。' });
      return;
    }
    const matches = await search(ctx, answer.text.trim());
    if (matches.length === 1 || (matches.length > 1 && matches[0]!.name === answer.text.trim() && matches[1]!.name !== matches[0]!.name)) {
      await finish(ctx, draft, matches[0]!._id);
      return;
    }
    await askWhich(ctx, draft, await choices(ctx, matches), matches.length ? '找到几个，记到哪个客户？' : `没有找到“${short(answer.text, 8)}”，记到哪个客户？`);
  });

  bot.action('fu.yes', async (ctx, [draftId = '']) => {
    const draft = await ownDraft(ctx, draftId);
    if (!draft) {
      await ctx.reply({ kind: 'text', text: '这个问题已失效，请重新发送跟进内容。' });
      return;
    }
    await ctx.updateCard({ taskId: ctx.event.action?.taskId ?? '', title: '要记为跟进吗？', buttons: [], doneText: '记为跟进' }).catch(() => undefined);
    if (draft.reminderId) {
      const r = await ctx.services.reminders.get(ctx.actor, draft.reminderId);
      if (r.customerId) return finish(ctx, draft, r.customerId);
    }
    await report(ctx, { kind: 'report', text: draft.text, mentions: [], date: null, sure: true, explicit: false }).finally(() =>
      drafts.deleteOne({ _id: draft._id }).exec(),
    );
  });

  bot.action('fu.no', async (ctx, [draftId = '']) => {
    await drafts.deleteOne({ _id: Types.ObjectId.isValid(draftId) ? new Types.ObjectId(draftId) : null, userId: ctx.user._id }).exec();
    await ctx
      .updateCard({ taskId: ctx.event.action?.taskId ?? '', title: '要记为跟进吗？', buttons: [], doneText: '不记录', doneStyle: 'muted' })
      .catch(() => undefined);
  });

  bot.action('fu.undo', async (ctx, [id = '']) => undo(ctx, id));

  bot.action('fu.retime', async (ctx, [id = '']) => {
    await ctx.services.followUps.get(ctx.actor, id);
    await ctx.ask(RETIME_PROMPT, [id]);
    await ctx.reply({ kind: 'text', text: '请回复新的提醒时间，例如：明天下午3点、下周二上午。（回复“取消”放弃）' });
  });

  const retime = async (ctx: BotContext, id: string, at: Date) => {
    const fu = await ctx.services.followUps.get(ctx.actor, id);
    const updated = await ctx.services.followUps.update(ctx.actor, ctx.meta, id, {
      content: fu.content,
      nextStep: { text: fu.nextStep?.text ?? '跟进', dueAt: at },
    });
    const c = await ctx.services.customers.get(ctx.actor, updated.customerId);
    await ctx.reply({ kind: 'text', text: `好的，${label(c)} 的下次提醒改为 ${formatDateTimeZh(at, tz)}${arrivalNote(at)}。` });
  };

  bot.prompt(RETIME_PROMPT, async (ctx, answer) => {
    const meant = router.route(answer.text, now(), tz);
    if (meant.kind === 'command' || meant.kind === 'records' || meant.kind === 'correction') return understand(ctx, answer.text, meant);
    const parsed: ParsedDateTime | null = parseChineseDateTime(answer.text, now(), tz);
    if (!parsed || parsed.past || parsed.at.getTime() <= now().getTime()) {
      await ctx.ask(RETIME_PROMPT, answer.args);
      await ctx.reply({ kind: 'text', text: parsed?.past ? parsed.past.question : '没有看懂这个时间，请换个说法，例如：明天下午3点。' });
      return;
    }
    await retime(ctx, answer.args[0] ?? '', parsed.at);
  });

  /** "这周五已经过了，是下周五吗？" answered 是. */
  bot.action('fu.at', async (ctx, [id = '', ms = '']) => {
    const at = new Date(Number(ms));
    if (Number.isNaN(at.getTime()) || at.getTime() <= now().getTime()) {
      await ctx.reply({ kind: 'text', text: '这个时间已经过了，请回复“改到 …”换一个时间。' });
      return;
    }
    await retime(ctx, id, at);
  });

  bot.action('fu.move', async (ctx, [id = '']) => {
    const fu = await ctx.services.followUps.get(ctx.actor, id);
    const draft = await newDraft(ctx, fu.content, { moveFrom: fu._id });
    await askWhich(ctx, draft, await choices(ctx, []), '换到哪个客户？');
  });

  /** The fallback's buttons. */
  bot.action('int.go', async (ctx, [command = '', ...rest]) => {
    const arg = rest.join(':');
    if (command === 'search') return searchCustomers(ctx, arg);
    return runCommand(ctx, command as CommandName, arg);
  });

  // ---- the reminder's 记录跟进 answered in chat
  bot.prompt('rem.log', async (ctx, answer) => {
    const r = await ctx.services.reminders.get(ctx.actor, answer.args[0] ?? '');
    if (!r.customerId) {
      await ctx.reply({ kind: 'text', text: '这条提醒没有关联客户，无法记录跟进。' });
      return;
    }
    const intent = router.route(answer.text, now(), tz);
    if (intent.kind === 'command' || intent.kind === 'records' || intent.kind === 'correction') return understand(ctx, answer.text, intent);
    if (intent.kind === 'chatter') {
      await ctx.reply({ kind: 'text', text: '好的，没有记录。需要记录时点“记录跟进”，或直接发“拜访了张三……”。' });
      return;
    }
    await log(ctx, r.customerId, answer.text, r._id);
  });

  // ---- the day
  async function today(ctx: BotContext): Promise<void> {
    const card = await todayCard(ctx, { tz, now: now(), appUrl: ctx.appUrl }, `${TODAY_TASK_PREFIX}_${randomBytes(8).toString('hex')}`);
    if (!card) {
      await ctx.reply({
        kind: 'markdown',
        title: '今天的提醒',
        markdown: md`今天没有到期或逾期的提醒 🎉\n${mdLink('打开我的提醒', ctx.appUrl(remindersPath()))}`,
      });
      return;
    }
    await ctx.reply({ kind: 'card', card });
  }

  async function approvalsTodo(ctx: BotContext): Promise<void> {
    const page = await ctx.services.approvals.list(ctx.actor, { box: 'todo', limit: 5 });
    if (!page.items.length) {
      await ctx.reply({ kind: 'markdown', title: '待审批', markdown: md`没有等你审批的申请。\n${mdLink('打开审批', ctx.appUrl(approvalsPath()))}` });
      return;
    }
    await ctx.reply({ kind: 'text', text: `有 ${page.items.length}${page.nextCursor ? '+' : ''} 个申请等你审批：` });
    for (const a of page.items) {
      // recorded in the approval card store: a decision anywhere redraws it, like the card the approver got first
      const issued = await deps.issueApprovalCard(a, ctx.user._id);
      if (!issued) await ctx.reply({ kind: 'card', card: approvalCard(a, ctx.user._id, `apv-${String(a._id)}-${randomBytes(6).toString('hex')}`, ctx.appUrl) });
    }
  }

  async function approvalsMine(ctx: BotContext): Promise<void> {
    const page = await ctx.services.approvals.list(ctx.actor, { box: 'mine', limit: 8 });
    if (!page.items.length) {
      await ctx.reply({ kind: 'markdown', title: '我发起的', markdown: md`你还没有发起过申请。\n${mdLink('打开审批', ctx.appUrl(approvalsPath()))}` });
      return;
    }
    const lines = page.items.map((a) => {
      const id = String(a._id);
      const reason = a.status === 'rejected' ? a.history.filter((h) => h.action === 'reject').at(-1)?.comment : null;
      const status = reason ? md`已驳回：${reason}` : md`${APPROVAL_STATUS_LABELS[a.status]}`;
      const again = a.status === 'rejected' ? md` · ${mdLink('修改后重新提交', ctx.appUrl(`${approvalPath(id)}&resubmit=1`))}` : md``;
      return md`- ${mdLink(md`${APPROVAL_SUBJECT_LABELS[a.subjectType]}「${a.title}」`, ctx.appUrl(approvalPath(id)))} · ${status}${again}`;
    });
    await ctx.reply({ kind: 'markdown', title: '我发起的', markdown: md`**我发起的申请**\n${joinSafeText(lines, '\n')}` });
  }

  async function records(ctx: BotContext, what: 'opportunities' | 'contracts', name: string): Promise<void> {
    const matches = await search(ctx, name);
    const c = matches[0];
    if (!c) {
      await ctx.reply({ kind: 'text', text: `没有找到“${name}”（只在你有权限查看的客户中搜索）。` });
      return;
    }
    const url = ctx.appUrl(customerPath(String(c._id)));
    const head = md`${mdLink(label(c), url)}`;
    if (what === 'opportunities') {
      const page = await ctx.services.opportunities.list(ctx.actor, { customerId: String(c._id), limit: 5 });
      const lines = page.items.map((o) => md`- ${o.name} · ${o.stage} · ${formatMoneyShort(o.amountFen)}`);
      await ctx.reply({
        kind: 'markdown',
        title: `${c.name}的商机`,
        markdown: lines.length ? md`**${head} 的商机**\n${joinSafeText(lines, '\n')}` : md`${head} 还没有商机。`,
      });
      return;
    }
    const page = await ctx.services.contracts.list(ctx.actor, { customerId: String(c._id), limit: 5 });
    const lines = page.items.map((k) => md`- ${k.title}（${k.number}）· ${CONTRACT_STATUS_LABELS[k.status]} · ${formatMoneyShort(k.amountFen)}`);
    await ctx.reply({
      kind: 'markdown',
      title: `${c.name}的合同`,
      markdown: lines.length ? md`**${head} 的合同**\n${joinSafeText(lines, '\n')}` : md`${head} 还没有合同。`,
    });
  }

  async function runCommand(ctx: BotContext, command: CommandName, arg: string, period?: 'week'): Promise<void> {
    if (!permitted(ctx, command)) {
      await ctx.reply({ kind: 'text', text: bot.refusal(ctx.user.roles, '你的账号不能使用这个功能') });
      return;
    }
    switch (command) {
      case 'search':
        return searchCustomers(ctx, arg);
      case 'today':
        return today(ctx);
      case 'approvals.todo':
        return approvalsTodo(ctx);
      case 'approvals.mine':
        return approvalsMine(ctx);
      case 'stats':
        // the numbers of the reports (roll-ups, the asker's scope) as a card that opens the workbench; 本周 → this week
        await ctx.reply({ kind: 'card', card: await reportCardFor(ctx.services, ctx.actor, 'mine', period ?? 'month') });
        return;
      case 'team':
        await ctx.reply({ kind: 'card', card: await reportCardFor(ctx.services, ctx.actor, 'team', period ?? 'month') });
        return;
      case 'undo':
        return undo(ctx);
      case 'cancel':
        await ctx.reply({ kind: 'text', text: '没有需要取消的操作。' });
        return;
      case 'help':
        await ctx.reply({
          kind: 'markdown',
          title: 'CRM 助手',
          markdown: md`**我可以帮你：**\n${joinSafeText(
            bot.helpLines(ctx.user.roles).map((l) => md`- ${l}`),
            '\n',
          )}`,
        });
        return;
      case 'log':
        return report(ctx, { kind: 'report', text: arg, mentions: [], date: null, sure: true, explicit: true });
    }
  }

  /** Nothing matched: what was understood, three likely actions as buttons, and the mini-app. Never a dead end. */
  async function fallback(ctx: BotContext, text: string, understood: string): Promise<void> {
    const may = (c: CommandName) => permitted(ctx, c);
    const actions: Card['buttons'] = [];
    const looksLikeName = /^[\u4e00-\u9fa5A-Za-z0-9]{1,12}$/.test(text);
    if (looksLikeName) actions.push({ key: `int.go:search:${text}`, text: short(`查“${text}”`, 10), style: 'primary' });
    if (text.length >= 4 && may('log')) {
      const draft = await newDraft(ctx, text);
      actions.push({ key: `fu.yes:${String(draft._id)}`, text: '记为跟进' });
    }
    actions.push({ key: 'int.go:today', text: '我的提醒' });
    if (actions.length < 3) actions.push({ key: 'int.go:help', text: '帮助' });
    await ctx.reply({
      kind: 'card',
      card: {
        taskId: `int_${randomBytes(8).toString('hex')}`,
        title: understood,
        description: text ? `“${short(text, 40)}”\n可以试试下面的操作，或打开小程序。` : '可以试试下面的操作，或打开小程序。',
        url: ctx.appUrl(remindersPath()),
        buttons: [...actions.slice(0, 3), { key: 'int.open', text: '打开小程序', url: ctx.appUrl(remindersPath()) }],
      },
    });
  }
  bot.action('int.open', async (ctx) => {
    await ctx.reply({ kind: 'markdown', title: '打开小程序', markdown: md`${mdLink('打开小程序', ctx.appUrl(remindersPath()))}` });
  });

  bot.message((ctx, text) => understand(ctx, text, router.route(text, now(), tz)));

  async function understand(ctx: BotContext, text: string, intent: Intent): Promise<void> {
    switch (intent.kind) {
      case 'command':
        return runCommand(ctx, intent.command, intent.arg, intent.period);
      case 'report':
        return report(ctx, intent);
      case 'correction':
        if (!permitted(ctx, 'undo')) return fallback(ctx, text, '没有看懂');
        return correction(ctx, intent.name);
      case 'records':
        return records(ctx, intent.what, intent.name);
      case 'name': {
        const page = await ctx.services.customers.listWithOwners(ctx.actor, { q: intent.name, limit: 1 });
        if (page.items.length) return searchCustomers(ctx, intent.name);
        return fallback(ctx, text, `没有找到叫“${short(intent.name, 8)}”的客户`);
      }
      case 'chatter':
        return; // never data, nothing to answer
      case 'question':
        return fallback(ctx, text, '这个问题我还答不了');
      default:
        return fallback(ctx, text, text ? '没看懂这句话' : '你好');
    }
  }
}
