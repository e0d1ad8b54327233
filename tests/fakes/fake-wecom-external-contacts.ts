/**
 * WeCom's customer contact (客户联系) hand-over APIs, as the fake WeCom server answers them: a member's
 * external contacts (`externalcontact/list`), their customer groups (`groupchat/list`), 在职继承
 * (`transfer_customer`, `transfer_result`), 离职继承 (`get_unassigned_list`, `resigned/transfer_customer`, `resigned/transfer_result`)
 * and group transfers (`groupchat/transfer`, `groupchat/onjob_transfer`), with the documented limits:
 * at most 100 customers (and 100 groups) per call; each customer at most twice in 90 days (40128); one
 * transfer at a time per customer (40129); a customer that is not the member's (40096); the customer has 24 h
 * to refuse (status 3), after which the transfer completes (status 1), or fails when the successor is at their
 * customer cap (status 4); resigned transfers only for a resigned member (40097 otherwise).
 * Every transfer request is counted per external contact (`transferCalls`), so a test can prove none doubled.
 */
export const TRANSFER_WINDOW_MS = 24 * 3600_000;
const NINETY_DAYS_MS = 90 * 24 * 3600_000;

interface Transfer {
  externalUserId: string;
  handover: string;
  takeover: string;
  kind: 'in-service' | 'resigned';
  at: number;
  status: 1 | 2 | 3 | 4;
  takeoverTime: number;
}

export class FakeExternalContacts {
  /** member userid → their external contacts. */
  readonly contacts = new Map<string, Set<string>>();
  /** group chat id → owner userid. */
  readonly groups = new Map<string, string>();
  readonly resigned = new Set<string>();
  /** Customers who will refuse a transfer (they refuse `refuseAfterMs` after it was requested). */
  readonly refusing = new Set<string>();
  refuseAfterMs = 3600_000;
  /** A member's customer cap (WeCom's default is large; tests lower it to see status 4). */
  customerCap = 50_000;
  /** Every external contact named in a transfer call, how many times (a hand-over never asks twice). */
  readonly transferCalls = new Map<string, number>();
  readonly transfers: Transfer[] = [];
  /** Transfer calls answered so far (both kinds). */
  transferRequests = 0;
  /** The answer of the transfer call with this number (1-based) is lost after WeCom acted on it (a crash, a cut connection). */
  loseAnswerOfTransferCall: number | null = null;
  readonly groupTransfers: Array<{ chatId: string; from: string; to: string; at: number }> = [];
  /** WeCom settles nothing (transfers stay waiting): a hand-over has to time them out. */
  frozen = false;
  /** The transfer_success_msg of each in-service call. */
  readonly messages: string[] = [];

  constructor(private readonly now: () => number) {}

  addCustomers(userid: string, externalUserIds: string[]): void {
    const set = this.contacts.get(userid) ?? new Set<string>();
    for (const id of externalUserIds) set.add(id);
    this.contacts.set(userid, set);
  }

  addGroupChats(owner: string, chatIds: string[]): void {
    for (const id of chatIds) this.groups.set(id, owner);
  }

  /** Settles transfers whose time has come: refusals, then completions after 24 h. */
  private settle(): void {
    if (this.frozen) return;
    const now = this.now();
    for (const t of this.transfers) {
      if (t.status !== 2) continue;
      if (this.refusing.has(t.externalUserId) && now >= t.at + this.refuseAfterMs) {
        t.status = 3;
        t.takeoverTime = 0;
      } else if (now >= t.takeoverTime) {
        const taker = this.contacts.get(t.takeover) ?? new Set<string>();
        if (taker.size >= this.customerCap) {
          t.status = 4;
          continue;
        }
        t.status = 1;
        this.contacts.get(t.handover)?.delete(t.externalUserId);
        taker.add(t.externalUserId);
        this.contacts.set(t.takeover, taker);
      }
    }
  }

  /** A GET under /cgi-bin/externalcontact/, or null when not one of these. */
  get(path: string, query: URLSearchParams): Record<string, unknown> | null {
    if (path !== '/cgi-bin/externalcontact/list') return null;
    this.settle();
    const userid = query.get('userid') ?? '';
    if (this.resigned.has(userid)) return { errcode: 60111, errmsg: 'userid not found' }; // gone from the directory
    const list = [...(this.contacts.get(userid) ?? [])];
    if (!list.length) return { errcode: 84061, errmsg: 'not external contact' };
    return { errcode: 0, errmsg: 'ok', external_userid: list };
  }

  /** A POST under /cgi-bin/externalcontact/; `lose` is called when the answer must be lost. */
  post(path: string, body: Record<string, unknown>): Record<string, unknown> | 'lose' | null {
    switch (path) {
      case '/cgi-bin/externalcontact/transfer_customer':
        return this.transferCustomers('in-service', body);
      case '/cgi-bin/externalcontact/resigned/transfer_customer':
        return this.transferCustomers('resigned', body);
      case '/cgi-bin/externalcontact/transfer_result':
        return this.transferResult('in-service', body);
      case '/cgi-bin/externalcontact/resigned/transfer_result':
        return this.transferResult('resigned', body);
      case '/cgi-bin/externalcontact/get_unassigned_list':
        return this.unassigned(body);
      case '/cgi-bin/externalcontact/groupchat/list':
        return this.groupList(body);
      case '/cgi-bin/externalcontact/groupchat/transfer':
        return this.groupTransfer('resigned', body);
      case '/cgi-bin/externalcontact/groupchat/onjob_transfer':
        return this.groupTransfer('in-service', body);
      default:
        return null;
    }
  }

  private transferCustomers(kind: 'in-service' | 'resigned', body: Record<string, unknown>): Record<string, unknown> | 'lose' {
    this.settle();
    const handover = String(body.handover_userid ?? '');
    const takeover = String(body.takeover_userid ?? '');
    const ids = Array.isArray(body.external_userid) ? body.external_userid.map(String) : [];
    if (!handover || !takeover) return { errcode: 40003, errmsg: 'invalid userid' };
    if (!ids.length) return { errcode: 41035, errmsg: 'missing external userid' };
    if (ids.length > 100) return { errcode: 40058, errmsg: 'external_userid exceeds 100' };
    if (kind === 'in-service' && typeof body.transfer_success_msg === 'string' && [...body.transfer_success_msg].length > 200)
      return { errcode: 40058, errmsg: 'transfer_success_msg exceeds 200 characters' };
    if (kind === 'resigned' && !this.resigned.has(handover)) return { errcode: 40097, errmsg: 'handover user is not resigned' };
    this.transferRequests += 1;
    if (typeof body.transfer_success_msg === 'string') this.messages.push(body.transfer_success_msg);
    const now = this.now();
    const customer = ids.map((id) => {
      this.transferCalls.set(id, (this.transferCalls.get(id) ?? 0) + 1);
      if (!this.contacts.get(handover)?.has(id)) return { external_userid: id, errcode: 40096 };
      if (this.transfers.some((t) => t.externalUserId === id && t.status === 2)) return { external_userid: id, errcode: 40129 };
      if (this.transfers.filter((t) => t.externalUserId === id && t.at > now - NINETY_DAYS_MS).length >= 2) return { external_userid: id, errcode: 40128 };
      this.transfers.push({ externalUserId: id, handover, takeover, kind, at: now, status: 2, takeoverTime: now + TRANSFER_WINDOW_MS });
      return { external_userid: id, errcode: 0 };
    });
    if (this.loseAnswerOfTransferCall === this.transferRequests) return 'lose';
    return { errcode: 0, errmsg: 'ok', customer };
  }

  private transferResult(kind: 'in-service' | 'resigned', body: Record<string, unknown>): Record<string, unknown> {
    this.settle();
    const handover = String(body.handover_userid ?? '');
    const takeover = String(body.takeover_userid ?? '');
    const all = this.transfers.filter((t) => t.kind === kind && t.handover === handover && t.takeover === takeover);
    const start = Number(body.cursor || 0);
    const page = all.slice(start, start + 1000);
    const next = start + page.length < all.length ? String(start + page.length) : '';
    return {
      errcode: 0,
      errmsg: 'ok',
      customer: page.map((t) => ({ external_userid: t.externalUserId, status: t.status, takeover_time: Math.floor(t.takeoverTime / 1000) })),
      next_cursor: next,
    };
  }

  /** Resigned members' customers not yet handed over (1,000 a page). */
  private unassigned(body: Record<string, unknown>): Record<string, unknown> {
    this.settle();
    const size = Number(body.page_size ?? 1000);
    if (size < 1 || size > 1000) return { errcode: 40058, errmsg: 'page_size must be 1..1000' };
    const all = [...this.resigned].flatMap((u) =>
      [...(this.contacts.get(u) ?? [])]
        .filter((e) => !this.transfers.some((t) => t.externalUserId === e && t.handover === u && t.status === 2))
        .map((e) => ({ handover_userid: u, external_userid: e, dimission_time: Math.floor(this.now() / 1000) })),
    );
    const start = Number(body.cursor || 0);
    const page = all.slice(start, start + size);
    const last = start + page.length >= all.length;
    return { errcode: 0, errmsg: 'ok', info: page, is_last: last, next_cursor: last ? '' : String(start + page.length) };
  }

  private groupList(body: Record<string, unknown>): Record<string, unknown> {
    const owners = ((body.owner_filter as { userid_list?: string[] } | undefined)?.userid_list ?? []).map(String);
    const limit = Number(body.limit ?? 100);
    if (limit < 1 || limit > 1000) return { errcode: 40058, errmsg: 'limit must be 1..1000' };
    const all = [...this.groups.entries()].filter(([, owner]) => !owners.length || owners.includes(owner)).map(([id]) => id);
    const start = Number(body.cursor || 0);
    const page = all.slice(start, start + limit);
    const next = start + page.length < all.length ? String(start + page.length) : '';
    return { errcode: 0, errmsg: 'ok', group_chat_list: page.map((chat_id) => ({ chat_id, status: 0 })), next_cursor: next };
  }

  private groupTransfer(kind: 'in-service' | 'resigned', body: Record<string, unknown>): Record<string, unknown> {
    const ids = Array.isArray(body.chat_id_list) ? body.chat_id_list.map(String) : [];
    const to = String(body.new_owner ?? '');
    if (!ids.length || ids.length > 100) return { errcode: 40058, errmsg: 'chat_id_list must hold 1..100 ids' };
    if (!to) return { errcode: 40003, errmsg: 'invalid new_owner' };
    const failed: Array<{ chat_id: string; errcode: number; errmsg: string }> = [];
    for (const id of ids) {
      const owner = this.groups.get(id);
      if (owner === undefined) failed.push({ chat_id: id, errcode: 40050, errmsg: 'chatid not exist' });
      else if (kind === 'resigned' && !this.resigned.has(owner)) failed.push({ chat_id: id, errcode: 40097, errmsg: 'owner is not resigned' });
      else {
        this.groups.set(id, to);
        this.groupTransfers.push({ chatId: id, from: owner, to, at: this.now() });
      }
    }
    return { errcode: 0, errmsg: 'ok', failed_chat_list: failed };
  }
}
