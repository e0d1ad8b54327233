/**
 * What the hand-over reaches outside the domain, given at construction (the composition root passes the
 * bot's side in): WeCom's customer-contact transfer APIs, and chat for progress and the final report.
 */
export type HandoverKind = 'resigned' | 'in-service';

/** WeCom's answer for one customer of a transfer call: 0 = started (the customer has 24 h to refuse). */
export interface TransferAnswer {
  externalUserId: string;
  errcode: number;
}

/** transfer_result: 1 done, 2 waiting, 3 refused by the customer, 4 the successor is at their customer cap. */
export interface TransferState {
  externalUserId: string;
  status: 1 | 2 | 3 | 4;
}

export interface HandoverPlatform {
  /** False when WeCom is not configured: the hand-over then moves the CRM side only. */
  enabled(): boolean;
  /** `externalcontact/list`: the member's external contacts (empty when they have none); a resigned member's from `get_unassigned_list`. */
  externalContactsOf(userid: string, kind: HandoverKind): Promise<string[]>;
  /** `groupchat/list` filtered by owner: the customer groups the member owns. */
  groupChatsOf(userid: string): Promise<string[]>;
  /** `transfer_customer` (在职) or `resigned/transfer_customer` (离职), at most 100 ids; one answer per id. */
  transferCustomers(kind: HandoverKind, handover: string, takeover: string, externalUserIds: string[], message?: string): Promise<TransferAnswer[]>;
  /** `transfer_result` / `resigned/transfer_result` for one pair, every page. */
  transferResults(kind: HandoverKind, handover: string, takeover: string): Promise<TransferState[]>;
  /** `groupchat/onjob_transfer` (在职) or `groupchat/transfer` (离职), at most 100 ids; answers the failed ones. */
  transferGroupChats(kind: HandoverKind, chatIds: string[], newOwner: string): Promise<Array<{ chatId: string; errcode: number }>>;
}

/** A platform that is not there (no WeCom): the hand-over moves CRM records only. */
export const noHandoverPlatform: HandoverPlatform = {
  enabled: () => false,
  externalContactsOf: async () => [],
  groupChatsOf: async () => [],
  transferCustomers: async () => [],
  transferResults: async () => [],
  transferGroupChats: async () => [],
};

/** What chat shows of a hand-over: a progress message and the final report (to the starter and the successors). */
export interface HandoverNotice {
  id: string;
  kind: HandoverKind;
  fromName: string;
  startedById: string;
  successors: Array<{ id: string; name: string; customers: number; accepted: number; refused: number }>;
  customers: { total: number; moved: number; skipped: number };
  wecom: { total: number; waiting: number; accepted: number; refused: number; failed: number; timedOut: number };
  groupChats: { total: number; transferred: number; failed: number };
  reconciled: { toSuccessor: number; toPool: number };
  onRefused: 'successor-with-note' | 'pool';
}

export interface HandoverEvents {
  /** The CRM side moved and the WeCom transfers went out (the customers have 24 h to refuse). */
  progress(n: HandoverNotice): Promise<void>;
  /** Everything settled: the report. */
  finished(n: HandoverNotice): Promise<void>;
}

export const noHandoverEvents: HandoverEvents = { progress: async () => undefined, finished: async () => undefined };
