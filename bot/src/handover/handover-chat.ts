import type { DirectoryEvents, HandoverEvents, HandoverNotice, HandoverPlatform, LeaverNotice } from '@crm/api';
import { md, mdLink } from '@crm/shared';
import type { Logger } from 'pino';
import type { Channel } from '../core/channel';
import type { Notifier } from '../outbound/notifier';

/** Where the workbench shows a hand-over: 组织与成员, where it is started (admins), with the hand-over named. */
export const handoverPath = (id: string) => `/console/org?handover=${id}`;
/** Where a leaver's hand-over is started: 组织与成员 (admins), with the leaver named. */
export const leaverPath = (userId: string) => `/console/org?user=${encodeURIComponent(userId)}`;
/** Where a successor sees the customers they took over. */
export const takenOverPath = '/console/customers?owner=me';

const KIND = { resigned: '离职继承', 'in-service': '在职继承' } as const;

/**
 * Hand-overs in chat: a progress message when the CRM side moved and the WeCom transfers went out, and the
 * final report card, to the starter and to each successor (their own share). Sends that fail are logged and
 * dropped (the workbench shows the same report).
 */
export class HandoverChat implements HandoverEvents, DirectoryEvents {
  constructor(
    private readonly notifier: Notifier,
    private readonly appUrl: (path: string) => string,
    private readonly log: Logger,
  ) {}

  /** The directory sync deactivated the manager's report: one notice, with the link that starts the hand-over. */
  async leaverDeactivated(n: LeaverNotice): Promise<void> {
    const link = mdLink('发起交接', this.appUrl(leaverPath(n.leaverId)));
    await this.send(n.managerId, {
      kind: 'markdown',
      title: '成员离职待交接',
      markdown: md`**${n.name}已从${n.platform === 'dingtalk' ? '钉钉' : '企业微信'}离职，名下 ${n.customers} 个客户待交接**\n${link}`,
    });
  }

  async progress(n: HandoverNotice): Promise<void> {
    // prettier-ignore
    const wecom = n.wecom.total
      ? md`企业微信已向 ${n.wecom.total - n.wecom.failed} 个客户发起转接（客户 24 小时内可拒绝），${n.wecom.failed} 个未能发起；全部完成后发送报告。`
      : md`没有需要转接的企业微信客户。`;
    const link = mdLink('查看交接进度', this.appUrl(handoverPath(n.id)));
    const mine = mdLink('查看我的客户', this.appUrl(takenOverPath));
    await this.send(n.startedById, {
      kind: 'markdown',
      title: `${KIND[n.kind]}进行中`,
      markdown: md`**${KIND[n.kind]}进行中：${n.fromName}**\nCRM 客户已转给新负责人：${n.customers.moved} 个（跳过 ${n.customers.skipped} 个）。\n${wecom}\n${link}`,
    });
    for (const s of n.successors) {
      if (!s.customers) continue;
      await this.send(s.id, {
        kind: 'markdown',
        title: '你有新接手的客户',
        markdown: md`**你接手了 ${n.fromName} 的 ${s.customers} 个客户**\n企业微信好友关系正在转接，客户 24 小时内可拒绝。\n${mine}`,
      });
    }
  }

  async finished(n: HandoverNotice): Promise<void> {
    const refused = n.wecom.refused + n.wecom.failed + n.wecom.timedOut;
    const where = n.onRefused === 'pool' ? `退回公海 ${n.reconciled.toPool}` : `仍归接替人 ${n.reconciled.toSuccessor}`;
    const url = this.appUrl(handoverPath(n.id));
    await this.send(n.startedById, {
      kind: 'card',
      card: {
        taskId: `handover-${n.id}-report`,
        title: `${KIND[n.kind]}完成：${n.fromName}`,
        description: `${n.successors.map((s) => `${s.name} ${s.customers}`).join('，')}`,
        fields: [
          { label: '客户', value: `${n.customers.moved} 个已转移` },
          { label: '企业微信', value: `${n.wecom.accepted} 个已接替` },
          { label: '未接替', value: `${refused} 个（${where}）` },
          { label: '客户群', value: `${n.groupChats.transferred}/${n.groupChats.total}` },
        ],
        url,
        buttons: [{ key: `handover.open:${n.id}`, text: '查看报告', url, style: 'primary' }],
      },
    });
    for (const s of n.successors) {
      if (!s.customers) continue;
      await this.send(s.id, {
        kind: 'card',
        card: {
          taskId: `handover-${n.id}-${s.id}`,
          title: `交接完成：${n.fromName} 的客户`,
          description: `你接手 ${s.customers} 个客户`,
          fields: [
            { label: '已接替', value: `${s.accepted} 个企业微信客户` },
            { label: '未接替', value: `${s.refused} 个` },
          ],
          url: this.appUrl(takenOverPath),
          buttons: [{ key: `handover.mine:${n.id}`, text: '查看我的客户', url: this.appUrl(takenOverPath), style: 'primary' }],
        },
      });
    }
  }

  private async send(userId: string, message: Parameters<Notifier['send']>[1]): Promise<void> {
    await this.notifier.send(userId, message).catch((err: unknown) => this.log.warn({ err, userId }, 'hand-over notice not sent'));
  }
}

/** WeCom's transfer APIs from the configured WeCom channel; without one, hand-overs move CRM records only. */
export function handoverPlatform(channels: readonly Channel[]): HandoverPlatform {
  const api = channels.find((c) => c.externalContacts)?.externalContacts;
  if (!api)
    return {
      enabled: () => false,
      externalContactsOf: async () => [],
      groupChatsOf: async () => [],
      transferCustomers: async () => [],
      transferResults: async () => [],
      transferGroupChats: async () => [],
    };
  return {
    enabled: () => true,
    externalContactsOf: (u, k) => api.externalContactsOf(u, k),
    groupChatsOf: (u) => api.groupChatsOf(u),
    transferCustomers: (...a) => api.transferCustomers(...a),
    transferResults: (...a) => api.transferResults(...a),
    transferGroupChats: (...a) => api.transferGroupChats(...a),
  };
}
