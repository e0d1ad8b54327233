import { randomBytes } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import type { Logger } from 'pino';
import { APPROVAL_STATUS_LABELS, APPROVAL_SUBJECT_LABELS, changesLine, formatMoneyShort, md, mdLink, routeSummary, type SafeText } from '@crm/shared';
import { AppError, canDecide, type ApprovalPlain, type ApprovalChange, type ApprovalEvents, type ApprovalService, type OrgService } from '@crm/api';
import type { BotApp, BotContext } from '../core/bot-app';
import type { Card, ChannelName } from '../core/bot-event';
import { approvalPath } from '../listeners/links';
import type { Notifier } from '../outbound/notifier';
import type { ApprovalCardRow } from './approval-card.model';
import { ApprovalCardStore } from './approval-card.store';

type CardRow = ApprovalCardRow;

const HOUR = 3_600_000;

export const REJECT_PROMPT = 'approval.reject-reason';
export { approvalPath };

const refOf = (c: CardRow) => ({ channel: c.channel as ChannelName, platformUserId: c.platformUserId, taskId: c.taskId });
const label = (a: ApprovalPlain) => APPROVAL_SUBJECT_LABELS[a.subjectType];

/** Who last decided the step this user was on (for "已由 X 处理"). */
function handledBy(a: ApprovalPlain, userId: Types.ObjectId): string | null {
  const step = a.steps.find((s) => s.approvers.some((x) => x.userId.equals(userId)));
  const d = step?.approvers.filter((x) => x.decision !== null).sort((x, y) => +(y.decidedAt ?? 0) - +(x.decidedAt ?? 0))[0];
  return d?.name ?? null;
}

/**
 * What a card means to one approver now. A card is redrawn only when this changes: an approver's own
 * decision, another approver settling their step, an escalation, the end. Progress on later steps alone
 * does not spend a card's single-use response code; the final state always does.
 */
export function phaseFor(a: ApprovalPlain, userId: Types.ObjectId): string {
  return `${phaseKind(a, userId)}|${routeSummary(a)}`;
}

/**
 * The part of a phase that changes what the approver may do or has done (everything but the route's
 * progress). On WeCom, where each redraw spends a single-use response code, only a change of kind spends
 * the stored code: progress alone waits, so the final state can still be drawn.
 */
export function phaseKind(a: ApprovalPlain, userId: Types.ObjectId): string {
  if (a.status !== 'pending') return `final:${a.status}`;
  if (canDecide(a, userId)) return `act:${a.currentStep}`;
  for (const s of a.steps) {
    const me = s.approvers.find((x) => x.userId.equals(userId));
    if (!me) continue;
    if (me.replacedById) return `replaced:${s.index}`;
    if (me.decision) return `decided:${s.index}:${me.decision}`;
    if (s.status !== 'pending' && s.status !== 'waiting') return `handled:${s.index}`;
  }
  return 'waiting';
}
const kindOf = (phase: string) => phase.split('|')[0]!;

function doneText(a: ApprovalPlain, userId: Types.ObjectId): string {
  const phase = phaseKind(a, userId);
  if (phase.startsWith('final:')) return APPROVAL_STATUS_LABELS[a.status];
  if (phase.startsWith('decided:')) return phase.endsWith('approve') ? '你已同意' : '你已驳回';
  if (phase.startsWith('replaced:')) {
    // Handed over because this approver left (a stand-in with a reason), or escalated after a silence.
    const step = a.steps[Number(phase.split(':')[1])];
    const me = step?.approvers.find((x) => x.userId.equals(userId));
    const by = step?.approvers.find((x) => me?.replacedById && x.userId.equals(me.replacedById) && !x.replacedById);
    return by?.standInReason ? `已转交 ${by.name}` : '已超时转交';
  }
  if (phase.startsWith('handled:')) return `已由 ${handledBy(a, userId) ?? '他人'} 处理`;
  return '等待中';
}

/** The route in one line, each step in words: "张伟 已同意 → 李娜 审批中 → 吴昊 未开始". */
export const routeLine = (a: ApprovalPlain): string => routeSummary(a);

/** The footer's tone: a rejection reads as danger, a withdrawn / expired request muted, the rest success. */
function doneStyle(a: ApprovalPlain, userId: Types.ObjectId): Card['doneStyle'] {
  const kind = phaseKind(a, userId);
  if (kind === 'final:rejected' || kind.endsWith(':reject')) return 'danger';
  if (kind === 'final:withdrawn' || kind === 'final:expired' || kind.startsWith('replaced:')) return 'muted';
  return 'success';
}

/** "¥120万（折扣 18%）", "¥120万", "18%" or null. */
function moneyValue(a: ApprovalPlain): { label: string; value: string } | null {
  const discount = a.discountPercent ? `${a.discountPercent}%` : null;
  if (a.amountFen !== null) return { label: '金额', value: discount ? `${formatMoneyShort(a.amountFen)}（折扣 ${discount}）` : formatMoneyShort(a.amountFen) };
  return discount ? { label: '折扣', value: discount } : null;
}

/** "重新提交：上次 李娜 驳回「付款条件不合规」；改动：金额 ¥100万→¥120万". */
export function resubmissionLine(a: ApprovalPlain): string | null {
  const r = a.resubmission;
  if (!a.previousId || !r) return null;
  const before =
    r.previousStatus === 'rejected'
      ? `上次${r.rejectedBy ? ` ${r.rejectedBy} ` : ''}驳回${r.reason ? `「${r.reason}」` : ''}`
      : `上次${APPROVAL_STATUS_LABELS[r.previousStatus]}`;
  return `重新提交：${before}；改动：${changesLine(r.changes)}`;
}

/** Why each step is in the route: "部门经理：默认（所有合同）；财务：折扣 18% > 15%". */
export function reasonsLine(a: ApprovalPlain): string | null {
  const reasons = a.steps.filter((s) => s.status !== 'skipped' && s.reason).map((s) => `${s.name}：${s.reason}`);
  return reasons.length ? `审批依据：${reasons.join('；')}` : null;
}

/** The card's description: the subject, then a resubmission's history and the route's reasons, a line each. */
function describe(a: ApprovalPlain): string {
  return [a.title, resubmissionLine(a), reasonsLine(a)].filter(Boolean).join('\n');
}

function statusValue(a: ApprovalPlain): string {
  const reason = a.status === 'rejected' ? a.history.filter((h) => h.action === 'reject').at(-1)?.comment : null;
  return reason ? `已驳回：${reason}` : APPROVAL_STATUS_LABELS[a.status];
}

export function approvalCard(a: ApprovalPlain, userId: Types.ObjectId, taskId: string, appUrl: (p: string) => string): Card {
  const id = String(a._id);
  const act = canDecide(a, userId);
  const url = appUrl(approvalPath(id));
  const money = moneyValue(a);
  const fields = [
    { label: '客户', value: a.customerName ?? '—' },
    ...(money ? [money] : []),
    { label: '申请人', value: a.requesterName },
    ...(a.note ? [{ label: '申请说明', value: a.note }] : []),
    { label: '流程', value: routeLine(a) },
    { label: '状态', value: act ? `待你审批（${a.steps[a.currentStep]!.name}）` : statusValue(a) },
  ];
  return {
    taskId,
    title: `${label(a)}：${act ? '待你审批' : APPROVAL_STATUS_LABELS[a.status]}`,
    description: describe(a),
    fields,
    url,
    buttons: act
      ? [
          { key: `apv.ok:${id}:${a.currentStep}`, text: '同意', style: 'primary' },
          { key: `apv.no:${id}:${a.currentStep}`, text: '驳回', style: 'danger' },
          { key: `apv.view:${id}`, text: '查看详情', style: 'default', url },
        ]
      : [],
    ...(act ? {} : { doneText: doneText(a, userId), doneStyle: doneStyle(a, userId) }),
  };
}

/**
 * What the requester gets at each step: a card linking the request, with 撤回 while it is pending and
 * 修改后重新提交 once it was rejected (or withdrawn, expired): both open the approval in the mini-app,
 * which shows the rejection and resubmits.
 */
export function requesterCard(a: ApprovalPlain, headline: string, taskId: string, appUrl: (p: string) => string, done?: string): Card {
  const id = String(a._id);
  const url = appUrl(approvalPath(id));
  const money = moneyValue(a);
  const view = { key: `apv.view:${id}`, text: '查看详情', style: 'default' as const, url };
  const buttons: Card['buttons'] =
    a.status === 'pending'
      ? [{ key: `apv.wd:${id}`, text: '撤回', style: 'danger' }, view]
      : a.status === 'approved'
        ? [view]
        : [{ key: `apv.re:${id}`, text: '修改后重新提交', style: 'primary', url: appUrl(`${approvalPath(id)}&resubmit=1`) }, view];
  return {
    taskId,
    title: `${label(a)}：${APPROVAL_STATUS_LABELS[a.status]}`,
    description: [headline.includes(a.title) ? headline : `${headline}\n${a.title}`, resubmissionLine(a)].filter(Boolean).join('\n'),
    fields: [
      { label: '客户', value: a.customerName ?? '—' },
      ...(money ? [money] : []),
      { label: '流程', value: routeLine(a) },
      { label: '状态', value: statusValue(a) },
    ],
    url,
    buttons: done ? [] : buttons,
    ...(done ? { doneText: done, doneStyle: a.status === 'rejected' ? 'danger' : a.status === 'approved' ? 'success' : 'muted' } : {}),
  };
}

function newTaskId(a: ApprovalPlain): string {
  return `apv-${String(a._id)}-${randomBytes(6).toString('hex')}`;
}

/** The bot side of approvals: cards to approvers, redraws on every change, notices, the 同意 / 驳回 actions. */
export class ApprovalCards implements ApprovalEvents {
  /** Counters for the benchmark and tests. */
  readonly stats = { cardsSent: 0, cardsUpdated: 0, notices: 0 };

  private readonly cards: ApprovalCardStore;

  constructor(
    conn: Connection,
    private readonly approvals: ApprovalService,
    private readonly org: OrgService,
    private readonly notifier: Notifier,
    private readonly appUrl: (p: string) => string,
    private readonly log: Logger,
  ) {
    this.cards = new ApprovalCardStore(conn);
  }

  async changed(change: ApprovalChange): Promise<void> {
    // Draw the newest state: a change that came after this one is then shown too.
    const a = (await this.approvals.forEffects(change.approval._id)) ?? change.approval;
    const cards = await this.cards.live(a._id);
    const work: Array<Promise<unknown>> = [];
    // New cards for current approvers who have none.
    if (a.status === 'pending') {
      const step = a.steps[a.currentStep]!;
      for (const x of step.approvers) {
        if (x.decision !== null || x.replacedById || cards.some((c) => c.userId.equals(x.userId))) continue;
        work.push(this.sendCard(a, x.userId, 0));
      }
    }
    for (const c of cards) {
      // the tapped card: the tap renewed its redraw (WeCom: a fresh response code, kept by the adapter)
      const tapped = Boolean(change.click && change.click.userId.equals(c.userId) && change.click.taskId === c.taskId);
      work.push(this.redraw(a, c, tapped));
    }
    work.push(this.tellRequester(a, change));
    if (change.outcome === 'reminded')
      for (const u of change.remind ?? [])
        work.push(this.notice(u, `⏰ 提醒：${label(a)}「${a.title}」等待你审批，已超过 ${this.approvals.rules.remindAfterHours} 小时。`, a));
    if (change.outcome === 'reassigned' && change.handedTo)
      for (const u of change.handedTo.userIds) work.push(this.notice(u, `📋 ${change.handedTo.reason}：${label(a)}「${a.title}」转由你审批。`, a));
    const results = await Promise.allSettled(work);
    for (const r of results) if (r.status === 'rejected') this.log.error({ err: r.reason, approvalId: String(a._id) }, 'approval card or notice failed');
  }

  /**
   * The card-refresh job: cards of still-pending approvers on channels with scarce redraws (WeCom: a
   * response code runs out after 72 h) sent more than `cardRefreshAfterHours` ago get a new card each.
   * Safe in several processes.
   */
  async refreshCards(now: Date = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.approvals.rules.cardRefreshAfterHours * HOUR);
    const channels = this.notifier.scarceChannels();
    if (!channels.length) return 0;
    let n = 0;
    for (const card of await this.cards.dueForRefresh(channels, before)) {
      try {
        const a = await this.approvals.forEffects(card.approvalId);
        if (!a || !canDecide(a, card.userId)) continue;
        if (!(await this.cards.claimReplacement(card._id))) continue;
        await this.refreshCard(a, card);
        n += 1;
      } catch (err) {
        this.log.warn({ err, taskId: card.taskId }, 'approval card refresh failed; tried again next time');
      }
    }
    return n;
  }

  /** For benchmarks and tests: the card store. */
  get store(): ApprovalCardStore {
    return this.cards;
  }

  private async refreshCard(a: ApprovalPlain, old: CardRow): Promise<void> {
    const n = Number(old.slot.split(':')[2] ?? 0) + 1;
    await this.sendCard(a, old.userId, n);
    // The old card can still be redrawn (its code has not run out): point it at the new card.
    const card = { ...approvalCard(a, old.userId, old.taskId, this.appUrl), buttons: [], doneText: '已重新发送，请在新卡片中处理' };
    await this.notifier.updateCard(refOf(old), card).catch((err: unknown) => this.log.warn({ err }, 'could not retire a refreshed card'));
  }

  /**
   * A card an approver asked for (待审批 in chat): issued and recorded like every other card, so it is redrawn
   * on every change that matters to it. False when the approver has no channel to receive it.
   */
  async issueOnRequest(a: ApprovalPlain, userId: Types.ObjectId): Promise<boolean> {
    return this.sendCard(a, userId, Date.now());
  }

  /** One card for one approver; the slot is claimed first, so concurrent changes never send it twice. */
  private async sendCard(a: ApprovalPlain, userId: Types.ObjectId, n: number): Promise<boolean> {
    const user = await this.org.findActiveUserById(userId);
    const to = user && this.notifier.route(user);
    if (!to) return false;
    const taskId = newTaskId(a);
    const slot = `${String(a._id)}:${String(userId)}:${n}`;
    const now = new Date();
    const reserved = await this.cards.reserve({
      slot,
      approvalId: a._id,
      userId,
      ...to,
      taskId,
      drawn: phaseFor(a, userId),
      sentAt: now,
    });
    if (!reserved) return true; // another change is sending it
    const delivery = await this.notifier.send(userId, { kind: 'card', card: approvalCard(a, userId, taskId, this.appUrl) });
    if (!delivery) {
      await this.cards.forget(slot);
      return false;
    }
    this.stats.cardsSent += 1;
    return true;
  }

  /**
   * Redraws one card when what it means changed (the adapter uses the tap's fresh permission, else the
   * stored one); when the channel allows no redraw now, a short notice says what happened.
   */
  private async redraw(a: ApprovalPlain, c: CardRow, tapped: boolean): Promise<void> {
    const phase = phaseFor(a, c.userId);
    if (c.drawn === phase) return;
    // Progress alone (a later step decided) on a channel whose redraws are scarce (WeCom's single-use
    // codes): keep the stored permission for a change that matters more (this approver's turn, the end).
    // A tap renewed it, so the tapped card is redrawn anyway.
    if (this.notifier.scarceRedraws(c.channel as ChannelName) && !tapped && kindOf(c.drawn) === kindOf(phase)) return;
    // Claim this redraw: a concurrent change drawing the same phase does nothing.
    if (!(await this.cards.claimRedraw(c._id, c.drawn, phase))) return;
    const card = approvalCard(a, c.userId, c.taskId, this.appUrl);
    try {
      if (!(await this.notifier.updateCard(refOf(c), card))) {
        await this.cards.markStale(c._id, true);
        await this.notice(c.userId, `${label(a)}「${a.title}」${doneText(a, c.userId)}。${routeLine(a)}`, a);
        return;
      }
      this.stats.cardsUpdated += 1;
      await this.cards.markStale(c._id, false);
    } catch (err) {
      this.log.warn({ err, taskId: c.taskId }, 'approval card could not be redrawn; sending a notice');
      await this.cards.markStale(c._id, true);
      await this.notice(c.userId, `${label(a)}「${a.title}」${doneText(a, c.userId)}。${routeLine(a)}`, a);
    }
  }

  private async tellRequester(a: ApprovalPlain, change: ApprovalChange): Promise<void> {
    const waiting = () => {
      const s = a.steps[a.currentStep]!;
      return `等待 ${s.approvers
        .filter((x) => x.decision === null && !x.replacedById)
        .map((x) => x.name)
        .join('、')}（${s.name}）审批`;
    };
    const last = a.history.at(-1);
    let text: string;
    switch (change.outcome) {
      case 'submitted':
        text = `已提交${label(a)}「${a.title}」，${waiting()}。`;
        break;
      case 'step-advanced':
        text = `${label(a)}「${a.title}」：${last?.actorName ?? ''} 已同意，${waiting()}。`;
        break;
      case 'approved':
        text = `${label(a)}「${a.title}」已通过。${routeLine(a)}`;
        break;
      case 'rejected':
        text = last?.actorName
          ? `${label(a)}「${a.title}」被 ${last.actorName} 驳回：${last.comment ?? ''}。修改后可重新提交。`
          : `${label(a)}「${a.title}」未通过：${last?.comment ?? ''}。`;
        break;
      case 'reassigned':
        text = `${label(a)}「${a.title}」：${change.handedTo?.reason ?? '审批人已变更'}，${waiting()}。`;
        break;
      case 'expired':
        text = `${label(a)}「${a.title}」超时未完成，已过期。可以重新提交。`;
        break;
      case 'escalated':
        text = `${label(a)}「${a.title}」审批超时，已转交：${waiting()}。`;
        break;
      default:
        return;
    }
    // A card, not plain text: it links the request and offers what the requester can do now (撤回 / 修改后重新提交).
    const card = requesterCard(a, text, `apr-${String(a._id)}-${randomBytes(6).toString('hex')}`, this.appUrl);
    const d = await this.notifier.send(a.requesterId, { kind: 'card', card });
    if (d) this.stats.notices += 1;
  }

  /** A notice about an approval, with its link (markdown: the link stays a link on every channel). */
  private async notice(userId: Types.ObjectId, text: string, a: ApprovalPlain): Promise<void> {
    const markdown: SafeText = md`${text}\n\n${mdLink('查看审批详情', this.appUrl(approvalPath(String(a._id))))}`;
    const d = await this.notifier.send(userId, { kind: 'markdown', title: `${label(a)}：${a.title}`, markdown });
    if (d) this.stats.notices += 1;
  }
}

/** The 同意 / 驳回 / 查看详情 buttons and the rejection reason asked in chat. */
export function registerApprovalActions(bot: BotApp, approvals: ApprovalService, appUrl: (p: string) => string): void {
  /** The approval as this user may see it (like GET /approvals/:id): null when it does not exist or is not theirs to see. */
  const current = (ctx: BotContext, id: string): Promise<ApprovalPlain | null> =>
    approvals.get(ctx.actor, id).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    });
  const NOT_FOUND = '审批不存在或无权查看';

  /** The tapped card is out of date (someone else decided): show why and redraw it with the click's code. */
  const answerStale = async (ctx: BotContext, id: string, err: unknown) => {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    const a = await current(ctx, id);
    if (!a) {
      await ctx.reply({ kind: 'text', text: NOT_FOUND });
      return;
    }
    // A double tap by the one who decided needs nothing: their decision redraws the card.
    const decidedMyself = a?.steps.some((s) => s.approvers.some((x) => x.userId.equals(ctx.user._id) && x.decision !== null));
    if (decidedMyself) return;
    await ctx.reply({ kind: 'text', text: err.message });
    const taskId = ctx.event.action?.taskId;
    if (taskId) await ctx.updateCard(approvalCard(a, ctx.user._id, taskId, appUrl)).catch(() => undefined);
  };

  bot.action('apv.ok', async (ctx, [id = '', step]) => {
    const click = { taskId: ctx.event.action?.taskId ?? null };
    try {
      await approvals.decide(ctx.actor, ctx.meta, id, { decision: 'approve', step: step === undefined ? undefined : Number(step), click });
    } catch (err) {
      await answerStale(ctx, id, err);
    }
  });

  bot.action('apv.no', async (ctx, [id = '', step = '0']) => {
    const a = await current(ctx, id);
    if (!a) {
      await ctx.reply({ kind: 'text', text: NOT_FOUND });
      return;
    }
    if (!canDecide(a, ctx.user._id) || a.currentStep !== Number(step)) {
      const who = handledBy(a, ctx.user._id);
      await answerStale(
        ctx,
        id,
        new AppError(409, 'APPROVAL_ALREADY_HANDLED', a.status !== 'pending' ? `该审批${APPROVAL_STATUS_LABELS[a.status]}` : `已由 ${who ?? '他人'} 处理`),
      );
      return;
    }
    await ctx.ask(REJECT_PROMPT, [id, step]);
    await ctx.reply({ kind: 'text', text: '请回复驳回原因（回复“取消”放弃）' });
  });

  bot.prompt(REJECT_PROMPT, async (ctx, answer) => {
    const [id = '', step = '0'] = answer.args;
    try {
      await approvals.decide(ctx.actor, ctx.meta, id, { decision: 'reject', comment: answer.text, step: Number(step) });
      await ctx.reply({ kind: 'text', text: `已驳回，原因：${answer.text}` });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      await ctx.reply({ kind: 'text', text: err.message });
    }
  });

  bot.action('apv.view', async (ctx, [id = '']) => {
    if (!(await current(ctx, id))) {
      await ctx.reply({ kind: 'text', text: NOT_FOUND });
      return;
    }
    // where a button cannot open a page itself: our link, as a link (markdown links stay links on every channel)
    await ctx.reply({ kind: 'markdown', title: '审批详情', markdown: md`${mdLink('打开审批详情', appUrl(approvalPath(id)))}` });
  });

  /** The requester's 撤回 on their own request's card. */
  bot.action('apv.wd', async (ctx, [id = '']) => {
    const before = await current(ctx, id);
    if (!before) {
      await ctx.reply({ kind: 'text', text: NOT_FOUND });
      return;
    }
    try {
      const after = await approvals.withdraw(ctx.actor, ctx.meta, id);
      await ctx.reply({ kind: 'text', text: `已撤回「${after.title}」` });
      const taskId = ctx.event.action?.taskId;
      if (taskId) await ctx.updateCard(requesterCard(after, '你已撤回这个申请', taskId, appUrl, '已撤回')).catch(() => undefined);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      await ctx.reply({ kind: 'text', text: err.message });
    }
  });

  /** Where 修改后重新提交 cannot open the page itself (a callback): the link to the approval, which resubmits. */
  bot.action('apv.re', async (ctx, [id = '']) => {
    if (!(await current(ctx, id))) {
      await ctx.reply({ kind: 'text', text: NOT_FOUND });
      return;
    }
    await ctx.reply({ kind: 'markdown', title: '重新提交', markdown: md`${mdLink('修改后重新提交', appUrl(`${approvalPath(id)}&resubmit=1`))}` });
  });
}
