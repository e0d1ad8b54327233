import { dayBounds, formatMoneyShort, joinSafeText, md, mdLink, type SafeText } from '@crm/shared';
import type { BotContext } from '../core/bot-app';
import { remindersPath } from './links';

const DAY = 86_400_000;

/** This month and last month, [from, to) in the business time zone; "last month" runs to the same day. */
export function monthRanges(now: Date, tz: string): { thisFrom: Date; lastFrom: Date; lastTo: Date } {
  const day = Number(new Intl.DateTimeFormat('en-US', { timeZone: tz, day: 'numeric' }).format(now));
  const thisFrom = dayBounds(new Date(now.getTime() - (day - 1) * DAY), tz).start;
  const lastDay = Number(new Intl.DateTimeFormat('en-US', { timeZone: tz, day: 'numeric' }).format(new Date(thisFrom.getTime() - DAY)));
  const lastFrom = dayBounds(new Date(thisFrom.getTime() - lastDay * DAY), tz).start;
  // the same point of last month (or its end), so the comparison is fair mid-month
  const lastTo = new Date(Math.min(thisFrom.getTime(), lastFrom.getTime() + (now.getTime() - thisFrom.getTime())));
  return { thisFrom, lastFrom, lastTo };
}

interface Numbers {
  customers: number;
  followUps: number;
  won: number;
  wonFen: number;
  contractFen: number;
}

async function numbers(ctx: BotContext, from: Date, to: Date): Promise<Map<string, Numbers>> {
  const s = ctx.services;
  const [customers, followUps, won, contracts] = await Promise.all([
    s.customers.createdByOwner(ctx.actor, from, to),
    s.followUps.loggedByAuthor(ctx.actor, from, to),
    s.opportunities.wonByOwner(ctx.actor, from, to),
    s.contracts.signedByOwner(ctx.actor, from, to),
  ]);
  const ids = new Set([...customers.keys(), ...followUps.keys(), ...won.keys(), ...contracts.keys()]);
  return new Map(
    [...ids].map((id) => [
      id,
      {
        customers: customers.get(id)?.count ?? 0,
        followUps: followUps.get(id)?.count ?? 0,
        won: won.get(id)?.count ?? 0,
        wonFen: won.get(id)?.amountFen ?? 0,
        contractFen: contracts.get(id)?.amountFen ?? 0,
      },
    ]),
  );
}

const ZERO: Numbers = { customers: 0, followUps: 0, won: 0, wonFen: 0, contractFen: 0 };
const delta = (a: number, b: number) => (a === b ? '持平' : a > b ? `↑${a - b}` : `↓${b - a}`);
const money = (a: number, b: number) => `${formatMoneyShort(a)}（上月同期 ${formatMoneyShort(b)}）`;

/** 业绩 / 本月: my numbers this month against the same days of last month. */
export async function statsMarkdown(ctx: BotContext, now: Date, tz: string): Promise<SafeText> {
  const r = monthRanges(now, tz);
  const me = String(ctx.user._id);
  const [cur, last] = await Promise.all([numbers(ctx, r.thisFrom, now), numbers(ctx, r.lastFrom, r.lastTo)]);
  const a = cur.get(me) ?? ZERO;
  const b = last.get(me) ?? ZERO;
  return md`**${ctx.user.name} 本月业绩**（与上月同期比）
- 新客户：${String(a.customers)}（${delta(a.customers, b.customers)}）
- 跟进：${String(a.followUps)} 次（${delta(a.followUps, b.followUps)}）
- 赢单：${String(a.won)} 个，${money(a.wonFen, b.wonFen)}
- 合同金额：${money(a.contractFen, b.contractFen)}`;
}

/** 团队情况 (managers): each person's numbers this month (within the manager's scope) and who has overdue reminders. */
export async function teamMarkdown(ctx: BotContext, now: Date, tz: string): Promise<SafeText> {
  const r = monthRanges(now, tz);
  const reports = await ctx.services.org.activeReportsOf(ctx.user._id);
  const people = [{ _id: ctx.user._id, name: ctx.user.name }, ...reports];
  const cur = await numbers(ctx, r.thisFrom, now);
  const total = [...cur.values()].reduce(
    (s, n) => ({
      customers: s.customers + n.customers,
      followUps: s.followUps + n.followUps,
      won: s.won + n.won,
      wonFen: s.wonFen + n.wonFen,
      contractFen: s.contractFen + n.contractFen,
    }),
    ZERO,
  );
  const rows = people.map((p) => {
    const n = cur.get(String(p._id)) ?? ZERO;
    return md`- ${p.name}：新客户 ${String(n.customers)} · 跟进 ${String(n.followUps)} · 赢单 ${String(n.won)}（${formatMoneyShort(n.wonFen)}）· 合同 ${formatMoneyShort(n.contractFen)}`;
  });
  const late = (await ctx.services.reminders.digestContent(ctx.user._id, null)).team.filter((t) => t.overdue > 0);
  const overdue = late.length
    ? md`**有逾期提醒**\n${joinSafeText(
        late.map((t) => md`- ${t.name}：逾期 ${String(t.overdue)} 条`),
        '\n',
      )}`
    : md`
没有人有逾期提醒。
      `;
  return md`**团队本月**：新客户 ${String(total.customers)} · 跟进 ${String(total.followUps)} · 赢单 ${String(total.won)}（${formatMoneyShort(total.wonFen)}）· 合同 ${formatMoneyShort(total.contractFen)}
${joinSafeText(rows, '\n')}

${overdue}

${mdLink('打开团队提醒', ctx.appUrl(remindersPath()))}`;
}
