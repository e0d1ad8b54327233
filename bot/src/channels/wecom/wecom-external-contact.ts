import type { HandoverKind, HandoverPlatform, TransferAnswer, TransferState } from '@crm/api';
import { WeComApiError, type WeComClient } from './wecom-client';

/** "This member has no external contact" (externalcontact/list for a member without customers). */
const NO_EXTERNAL_CONTACT = 84061;
/** "No such userid": a member removed from the directory (resigned); their customers are in get_unassigned_list. */
const USERID_NOT_FOUND = 60111;
/** WeCom takes at most 100 customers (or groups) per transfer call. */
export const WECOM_TRANSFER_MAX = 100;

/**
 * WeCom customer contact (客户联系) for hand-overs, on the app's client (its token, retries and call metrics):
 * a member's external contacts and customer groups, 在职继承 / 离职继承 of customers (100 per call) and of groups,
 * and the transfer results (every page). The app must be listed under 客户联系 → 可调用接口的应用.
 */
export class WeComExternalContacts implements Omit<HandoverPlatform, 'enabled'> {
  constructor(private readonly client: WeComClient) {}

  async externalContactsOf(userid: string, kind: HandoverKind): Promise<string[]> {
    try {
      const res = await this.client.get<{ external_userid?: string[] }>('/cgi-bin/externalcontact/list', { userid });
      return res.external_userid ?? [];
    } catch (err) {
      if (err instanceof WeComApiError && err.errcode === NO_EXTERNAL_CONTACT) return [];
      if (err instanceof WeComApiError && err.errcode === USERID_NOT_FOUND && kind === 'resigned') return this.unassignedOf(userid);
      throw err;
    }
  }

  /** A resigned member's customers still to be handed over (`get_unassigned_list`, every page). */
  private async unassignedOf(userid: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await this.client.post<{ info?: Array<{ handover_userid: string; external_userid: string }>; is_last?: boolean; next_cursor?: string }>(
        '/cgi-bin/externalcontact/get_unassigned_list',
        { cursor, page_size: 1000 },
      );
      for (const i of res.info ?? []) if (i.handover_userid === userid) out.push(i.external_userid);
      cursor = res.next_cursor ?? '';
      if (res.is_last || !cursor) return out;
    }
  }

  async groupChatsOf(userid: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '';
    do {
      const res = await this.client.post<{ group_chat_list?: Array<{ chat_id: string }>; next_cursor?: string }>('/cgi-bin/externalcontact/groupchat/list', {
        status_filter: 0,
        owner_filter: { userid_list: [userid] },
        cursor,
        limit: 1000,
      });
      out.push(...(res.group_chat_list ?? []).map((g) => g.chat_id));
      cursor = res.next_cursor ?? '';
    } while (cursor);
    return out;
  }

  async transferCustomers(kind: HandoverKind, handover: string, takeover: string, externalUserIds: string[], message?: string): Promise<TransferAnswer[]> {
    if (externalUserIds.length > WECOM_TRANSFER_MAX) throw new Error(`WeCom transfers at most ${WECOM_TRANSFER_MAX} customers per call`);
    const path = kind === 'resigned' ? '/cgi-bin/externalcontact/resigned/transfer_customer' : '/cgi-bin/externalcontact/transfer_customer';
    const body = {
      handover_userid: handover,
      takeover_userid: takeover,
      external_userid: externalUserIds,
      ...(kind === 'in-service' && message ? { transfer_success_msg: message } : {}),
    };
    const res = await this.client.post<{ customer?: Array<{ external_userid: string; errcode: number }> }>(path, body);
    const answered = new Map((res.customer ?? []).map((c) => [c.external_userid, c.errcode]));
    // a customer WeCom did not mention was not started: answered as WeCom's "invalid external userid"
    return externalUserIds.map((externalUserId) => ({ externalUserId, errcode: answered.get(externalUserId) ?? 40096 }));
  }

  async transferResults(kind: HandoverKind, handover: string, takeover: string): Promise<TransferState[]> {
    const path = kind === 'resigned' ? '/cgi-bin/externalcontact/resigned/transfer_result' : '/cgi-bin/externalcontact/transfer_result';
    const out: TransferState[] = [];
    let cursor = '';
    do {
      const res = await this.client.post<{ customer?: Array<{ external_userid: string; status: number }>; next_cursor?: string }>(path, {
        handover_userid: handover,
        takeover_userid: takeover,
        cursor,
      });
      for (const c of res.customer ?? [])
        if (c.status >= 1 && c.status <= 4) out.push({ externalUserId: c.external_userid, status: c.status as TransferState['status'] });
      cursor = res.next_cursor ?? '';
    } while (cursor);
    return out;
  }

  async transferGroupChats(kind: HandoverKind, chatIds: string[], newOwner: string): Promise<Array<{ chatId: string; errcode: number }>> {
    if (chatIds.length > WECOM_TRANSFER_MAX) throw new Error(`WeCom transfers at most ${WECOM_TRANSFER_MAX} groups per call`);
    const path = kind === 'resigned' ? '/cgi-bin/externalcontact/groupchat/transfer' : '/cgi-bin/externalcontact/groupchat/onjob_transfer';
    const res = await this.client.post<{ failed_chat_list?: Array<{ chat_id: string; errcode: number }> }>(path, {
      chat_id_list: chatIds,
      new_owner: newOwner,
    });
    return (res.failed_chat_list ?? []).map((f) => ({ chatId: f.chat_id, errcode: f.errcode }));
  }
}
