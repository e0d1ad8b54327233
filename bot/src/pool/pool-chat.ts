import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { warningText, type AssignmentEvents, type PoolEvents } from '@crm/api';
import { CUSTOMER_TIER_LABELS, formatDateTimeZh, joinSafeText, md, mdLink, txt } from '@crm/shared';
import type { BotApp, BotContext } from '../core/bot-app';
import type { Card } from '../core/bot-event';
import { customerPath } from '../listeners/links';
import type { Notifier } from '../outbound/notifier';
import { followUpTypeOf } from '../reminders/reminder.listeners';

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Pools and lead assignment in chat (issue #18): the reclaim warning card (写跟进 / 申请延期 → an approval to
 * the manager), the notice when a customer went back, the new-lead card (接受 / 退回公海). Implements the
 * domain's PoolEvents and AssignmentEvents ports; a send that fails is logged and dropped (the customer page
 * shows the same warning, the lead list the same lead).
 */
export class PoolChat implements PoolEvents, AssignmentEvents {
  constructor(
    private readonly notifier: Notifier,
    private readonly appUrl: (path: string) => string,
    private readonly businessTz: string,
    private readonly log: Logger,
  ) {}

  async reclaimWarning(w: Parameters<PoolEvents['reclaimWarning']>[0]): Promise<void> {
    const id = String(w.customerId);
    await this.send(w.ownerId, {
      kind: 'card',
      card: {
        taskId: `poolw_${id}_${w.at.getTime()}`,
        title: `客户即将退回公海：${short(w.customerName, 16)}`,
        description: `${warningText(w.inDays, w.reason)}。写一条跟进即可重新计时；需要更多时间可申请延期（经理审批）。`,
        fields: [
          { label: '客户', value: w.customerName },
          { label: '退回时间', value: formatDateTimeZh(w.at, this.businessTz) },
        ],
        url: this.appUrl(customerPath(id)),
        buttons: [
          { key: `pool.fu:${id}`, text: '写跟进', style: 'primary' },
          { key: `pool.ext:${id}`, text: '申请延期' },
        ],
      },
    });
  }

  async reclaimed(r: NonNullable<PoolEvents['reclaimed']> extends (x: infer X) => unknown ? X : never): Promise<void> {
    await this.send(r.previousOwnerId, {
      kind: 'markdown',
      title: '客户已退回公海',
      markdown: md`**${r.customerName}** 已退回${r.poolName}：${r.reason}。\n冷却期后可以重新领取。`,
    });
  }

  async assigned(a: Parameters<AssignmentEvents['assigned']>[0]): Promise<void> {
    const id = String(a.assignmentId);
    await this.send(a.ownerId, {
      kind: 'card',
      card: {
        taskId: `asg_${id}`,
        title: `新线索：${short(a.customerName, 16)}`,
        description: `分配原因：${a.reason}。请在 ${formatDateTimeZh(a.acceptBy, this.businessTz)} 前接受，否则退回公海。`,
        fields: [{ label: '客户', value: a.customerName }],
        url: this.appUrl(customerPath(String(a.customerId))),
        buttons: [
          { key: `asg.ok:${id}`, text: '接受', style: 'primary' },
          { key: `asg.back:${id}`, text: '退回公海' },
        ],
      },
    });
  }

  private async send(userId: Types.ObjectId, message: Parameters<Notifier['send']>[1]): Promise<void> {
    await this.notifier.send(userId, message).catch((err: unknown) => this.log.warn({ err, userId: String(userId) }, 'pool notice not sent'));
  }
}

/** The tapped card, redrawn without its buttons and with what happened (when the platform allows a redraw). */
async function settled(ctx: BotContext, title: string, doneText: string): Promise<void> {
  const taskId = ctx.event.action?.taskId;
  if (taskId) await ctx.updateCard({ taskId, title, buttons: [], doneText } satisfies Card).catch(() => undefined);
}

/** The pool's chat: 公海 (claimable customers near the rep), 领取 <客户>, and the warning and new-lead cards' buttons. */
export function registerPoolListeners(bot: BotApp, deps: { now: () => Date; businessTz: string }): void {
  // ---- 写跟进 on the warning card: the next message is the follow-up (it resets the clock)
  bot.action('pool.fu', async (ctx, [id = '']) => {
    const customer = await ctx.services.customers.get(ctx.actor, id);
    await ctx.ask('pool.fu', [String(customer._id)]);
    await ctx.reply({
      kind: 'text',
      text: txt`请直接回复这次跟进的内容（${customer.name}），例如：“已电话沟通，下周二上门拜访”。记录后回收倒计时重新开始。（回复“取消”放弃）`,
    });
  });

  bot.prompt('pool.fu', async (ctx, answer) => {
    const customerId = answer.args[0] ?? '';
    const customer = await ctx.services.customers.get(ctx.actor, customerId);
    await ctx.services.followUps.create(ctx.actor, ctx.meta, { customerId, type: followUpTypeOf(answer.text), content: answer.text.slice(0, 2000) }, 'bot');
    const warning = await ctx.services.pools.reclaimWarning(customer._id);
    await ctx.reply({
      kind: 'text',
      text: warning ? txt`已记录 ${customer.name} 的跟进。${warning.text}` : txt`已记录 ${customer.name} 的跟进，回收倒计时已重新开始。`,
    });
  });

  // ---- 申请延期: an approval to the manager; once approved the return moves back
  bot.action('pool.ext', async (ctx, [id = '']) => {
    const customer = await ctx.services.customers.get(ctx.actor, id);
    const a = await ctx.services.approvals.submit(ctx.actor, ctx.meta, {
      subjectType: 'pool-extension',
      subjectId: String(customer._id),
      comment: '公海回收预警：申请延期',
    });
    const done = a.status === 'approved' ? '延期已生效' : '已申请延期，等待经理审批';
    await settled(ctx, `客户即将退回公海：${short(customer.name, 16)}`, done);
    await ctx.reply({ kind: 'text', text: txt`${customer.name}：${done}。` });
  });

  // ---- the new-lead card
  bot.action('asg.ok', async (ctx, [id = '']) => {
    const a = await ctx.services.assignments.accept(ctx.actor, ctx.meta, id);
    await settled(ctx, '新线索', `已接受 ✓（${a.reason}）`);
  });
  bot.action('asg.back', async (ctx, [id = '']) => {
    await ctx.services.assignments.giveBack(ctx.actor, ctx.meta, id);
    await settled(ctx, '新线索', '已退回公海');
  });

  // ---- 公海: claimable customers near the rep (provinces and industries of their own customers)
  bot.command(
    ['公海'],
    '公海：看看附近可领取的客户（按你的客户所在地区、行业）',
    async (ctx) => {
      const items = await ctx.services.pools.near(ctx.actor, 8);
      if (!items.length) {
        await ctx.reply({ kind: 'text', text: '公海里暂时没有你可以领取的客户。' });
        return;
      }
      const lines = items.map((c, i) => {
        const where = [c.region?.province, c.industry].filter(Boolean).join(' · ');
        const label = c.company ? md`${c.name} · ${c.company}` : md`${c.name}`;
        return md`${String(i + 1)}. ${mdLink(label, ctx.appUrl(customerPath(String(c._id))))}\n> ${CUSTOMER_TIER_LABELS[c.tier]}${where ? ` · ${where}` : ''}${c.returnReason ? ` · 退回原因：${c.returnReason}` : ''}`;
      });
      await ctx.reply({
        kind: 'markdown',
        title: '附近的公海客户',
        markdown: md`**附近可领取的公海客户**\n${joinSafeText(lines, '\n')}\n\n回复“领取 客户名”即可领取。`,
      });
    },
    { permission: 'record.read' },
  );

  // ---- 领取 <客户>: the one pool customer of that name in the rep's pools
  bot.command(
    ['领取'],
    '领取 <客户>：从公海领取客户',
    async (ctx, name) => {
      const q = name.trim();
      if (!q) {
        await ctx.reply({ kind: 'text', text: '请在“领取”后面加上客户名，例如：领取 张三。先发“公海”看看可以领取哪些客户。' });
        return;
      }
      const page = await ctx.services.customers.list(ctx.actor, { q, status: 'pool', limit: 5 } as Parameters<BotContext['services']['customers']['list']>[1]);
      if (!page.items.length) {
        await ctx.reply({ kind: 'text', text: txt`公海中没有找到“${q}”。发“公海”看看附近可以领取的客户。` });
        return;
      }
      if (page.items.length > 1) {
        const names = page.items.map((c) => (c.company ? `${c.name}（${c.company}）` : c.name)).join('、');
        await ctx.reply({ kind: 'text', text: txt`公海中有多个“${q}”：${names}。请输入更完整的名字。` });
        return;
      }
      const c = page.items[0] as (typeof page.items)[number] & { _id: Types.ObjectId };
      const customer = await ctx.services.pools.claim(ctx.actor, ctx.meta, String(c._id));
      await ctx.reply({
        kind: 'markdown',
        title: '已领取',
        markdown: md`已领取 ${mdLink(customer.company ? md`${customer.name} · ${customer.company}` : md`${customer.name}`, ctx.appUrl(customerPath(String(customer._id))))}。\n> 保护期至 ${formatDateTimeZh(customer.protectionEndsAt ?? deps.now(), deps.businessTz).slice(0, 10)}；记得尽快写跟进。`,
      });
    },
    { permission: 'record.write' },
  );
}
