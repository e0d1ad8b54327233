import type { SafeText } from '@crm/shared';

/** The channels the bot speaks on. The sandbox is a local web chat that drives the same code paths. */
export type ChannelName = 'wecom' | 'dingtalk' | 'sandbox';

/** One inbound interaction, whatever the platform: the bot core never sees platform formats. */
export interface BotEvent {
  channel: ChannelName;
  /** The user's id on the platform (WeCom / DingTalk userid; the sandbox uses the WeCom userid). */
  platformUserId: string;
  type: 'message' | 'action' | 'enter';
  /** Message text (type message). */
  text?: string;
  /** The tapped button (type action). */
  /** `taskId`: the tapped card's reference (what `Card.taskId` was when it was sent). */
  action?: { key: string; taskId?: string };
  /** Platform ids that make a repeated delivery recognisable (MsgId, user + CreateTime, TaskId + ResponseCode...). */
  dedupeKey: string;
  receivedAt: Date;
}

export interface CardButton {
  key: string;
  text: string;
  style?: 'primary' | 'danger' | 'default';
  /** Opens this page instead of calling back (WeCom button type 1, a link in the sandbox); `key` stays unique. */
  url?: string;
}

/** A channel-neutral interactive card; adapters render it as a WeCom template card, a DingTalk card, or HTML. */
export interface Card {
  /** Unique per card sent (WeCom task_id, DingTalk outTrackId). */
  taskId: string;
  title: string;
  description?: string;
  fields?: Array<{ label: string; value: string }>;
  /** Opens the mini-app or a page. */
  url?: string;
  buttons: CardButton[];
  /** Shown instead of the buttons once the card is settled (e.g. "已完成 ✓ 10:32"). */
  doneText?: string;
  /** How the settled footer reads: `danger` for a rejection, `muted` for withdrawn / expired (default success). */
  doneStyle?: 'success' | 'danger' | 'muted';
}

/**
 * What the bot says. User text is escaped for each format by the adapter that renders it (`@crm/shared`
 * text/escape): a markdown body is built with `md\`…\`` (the template is ours, every interpolation is user
 * text); a text message is `txt\`…\`` or a plain string, which counts as user text as a whole. Every text of
 * a `Card` is plain text (never markup): adapters that show cards as markdown escape all of it. The `title`
 * of a markdown message is plain text shown in notification lists.
 */
export type OutboundMessage =
  { kind: 'text'; text: string | SafeText } | { kind: 'markdown'; title: string; markdown: SafeText } | { kind: 'card'; card: Card };

export interface SendResult {
  messageId?: string;
}

/**
 * A card already sent, as the bot and the domain know it: who has it and its task id. Opaque otherwise:
 * what a platform needs to redraw it (WeCom's single-use response codes) stays inside its adapter.
 */
export interface CardRef {
  platformUserId: string;
  taskId: string;
}

export interface SendOptions {
  /**
   * A notice that needs no answer (the morning digest): a channel with a separate place for app notices
   * uses it (DingTalk work notifications, 工作通知); the others send it like any message.
   */
  notice?: boolean;
}

/** What every channel can do; the bot core and the domain ports use only this. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  send(platformUserId: string, message: OutboundMessage, opts?: SendOptions): Promise<SendResult>;
  /**
   * Redraws a card already sent (`card.taskId` is `ref.taskId`): true when redrawn, false when the platform
   * allows no redraw now (WeCom: no unused response code left), and the caller says what happened another way.
   */
  updateCard(ref: CardRef, card: Card): Promise<boolean>;
  /**
   * True when each redraw uses up a permission that only a send or the user's own tap renews (WeCom): callers
   * save redraws for the changes that matter. Absent: cards redraw freely (DingTalk, the sandbox).
   */
  readonly scarceRedraws?: boolean;
  /** How long a send to this user would wait for the platform's send budget now (0 = at once). */
  sendDelayMs?(platformUserId: string): number;
  /**
   * True when `err` from `send` says the platform already has this card (its task id was used: WeCom 42014):
   * a repeat of a send whose answer was lost (a worker killed inside it), so the card is out. Absent: never.
   */
  alreadySent?(err: unknown, message: OutboundMessage): boolean;
}
