import type { Types } from 'mongoose';
import { CUSTOMER_TIER_LABELS, formatPhone, joinSafeText, md, mdLink, normalizePhone } from '@crm/shared';
import type { BotApp, BotContext } from '../core/bot-app';
import { customerPath } from './links';

const MAX_RESULTS = 5;

function fmtDate(d: Date | null | undefined): string {
  if (!d) return '无';
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric' }).format(d);
}

/** 查 <关键词>: the best matches from customer search, within the user's scope. */
export async function searchCustomers(ctx: BotContext, keyword: string): Promise<void> {
  if (!keyword) {
    await ctx.reply({ kind: 'text', text: '请在“查”后面加上关键词，例如：查 张三、cx zs、查 8000（手机尾号）' });
    return;
  }
  // with owner names (one query per page)
  const page = await ctx.services.customers.listWithOwners(ctx.actor, { q: keyword, limit: MAX_RESULTS + 1 });
  if (!page.items.length) {
    await ctx.reply({ kind: 'text', text: `没有找到“${keyword}”相关的客户（只在你有权限查看的客户中搜索）。可以试试拼音首字母或手机尾号。` });
    return;
  }
  const items = page.items.slice(0, MAX_RESULTS) as Array<(typeof page.items)[number] & { _id: Types.ObjectId }>;
  const ownerName = new Map(items.map((c) => [String(c.ownerId), c.ownerName ?? '']));
  // each customer's primary contact's first number, shown as people read it (138 0013 8000)
  const numbers = await ctx.services.customers.firstNumbers(items.map((c) => c._id));
  const phoneOf = new Map([...numbers].map(([id, n]) => [id, formatPhone(n)]));
  const lines = items.map((c, i) => {
    const owner = c.ownerId ? (ownerName.get(String(c.ownerId)) ?? '') : '公海';
    const label = c.company ? md`${c.name} · ${c.company}` : md`${c.name}`;
    const number = phoneOf.get(String(c._id));
    const phone = number ? ` · ${number}` : '';
    return md`${String(i + 1)}. ${mdLink(label, ctx.appUrl(customerPath(String(c._id))))}\n> ${CUSTOMER_TIER_LABELS[c.tier]} · 负责人 ${owner}${phone} · 最近跟进 ${fmtDate(c.lastFollowUpAt)}`;
  });
  // prettier-ignore
  const more = page.items.length > MAX_RESULTS ? md`\n还有更多结果，请输入更完整的关键词。` : md``;
  await ctx.reply({ kind: 'markdown', title: `“${keyword}”的搜索结果`, markdown: md`**“${keyword}”的客户**\n${joinSafeText(lines, '\n')}${more}` });
}

/** 新客户 <公司> <联系人> <手机>: quick create with the duplicate check. */
async function quickCreate(ctx: BotContext, args: string): Promise<void> {
  const parts = args.split(/\s+/).filter(Boolean);
  const [company, contact, phone] = parts;
  if (!company || !contact || !phone || !normalizePhone(phone)) {
    await ctx.reply({ kind: 'text', text: '格式：新客户 公司名 联系人 手机号\n例如：新客户 杭州云帆科技 王磊 13900001111' });
    return;
  }
  const candidates = await ctx.services.customers.checkDuplicates(ctx.actor, {
    name: contact,
    company,
    contacts: [{ name: contact, phones: [phone], emails: [], primary: true }],
  });
  if (candidates.length) {
    const list = candidates
      .slice(0, 3)
      .map((c) => (c.visible ? `· ${c.name}${c.company ? `（${c.company}）` : ''}，负责人 ${c.ownerName ?? '公海'}` : `· 已存在，属于${c.ownedBy}`))
      .join('\n');
    await ctx.reply({ kind: 'text', text: `可能和已有客户重复，没有新建：\n${list}\n如确需新建，请在小程序中填写原因后强制创建。` });
    return;
  }
  const customer = await ctx.services.customers.create(ctx.actor, ctx.meta, {
    name: contact,
    company,
    source: '其他',
    tier: 'C',
    tags: [],
    contacts: [{ name: contact, phones: [phone], emails: [], primary: true }],
    force: false,
  });
  await ctx.reply({
    kind: 'markdown',
    title: '已新建客户',
    markdown: md`已新建客户 ${mdLink(md`${customer.name} · ${company}`, ctx.appUrl(customerPath(String(customer._id))))}（${formatPhone(phone)}）\n> 来源暂记为“其他”，可在小程序中补充。`,
  });
}

export function registerCrmListeners(bot: BotApp): void {
  bot.command(['查', 'cx', 'CX'], '查 <关键词>：查客户（姓名、公司、拼音首字母、手机尾号）', searchCustomers, { permission: 'record.read' });
  bot.command(['新客户'], '新客户 <公司> <联系人> <手机>：快速新建（自动查重）', quickCreate, { permission: 'record.write' });
  bot.command(['帮助', 'help', '?', '？'], '帮助：看看我能做什么', async (ctx) => {
    await ctx.reply({
      kind: 'markdown',
      title: 'CRM 助手',
      // only what this user may do (a partner is not offered 新客户)
      markdown: md`**我可以帮你：**\n${joinSafeText(
        bot.helpLines(ctx.user.roles).map((l) => md`- ${l}`),
        '\n',
      )}`,
    });
  });
  bot.enter(async (ctx) => {
    await ctx.reply({ kind: 'text', text: `${ctx.user.name}，你好！输入“帮助”看看我能做什么，或直接输入“查 客户名”。` });
  });
}
