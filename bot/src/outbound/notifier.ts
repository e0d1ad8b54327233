import type { Types } from 'mongoose';
import type { UserDoc, OrgService } from '@crm/api';
import type { BotApp } from '../core/bot-app';
import type { Card, ChannelName, OutboundMessage, SendOptions } from '../core/bot-event';

/** Where a message to a CRM user went: enough to redraw a card later. */
export interface Delivery {
  channel: ChannelName;
  platformUserId: string;
  messageId: string | null;
  /** WeCom: the code that lets this card be updated once (72 h). Refreshed by every click. */
  responseCode: string | null;
  sentAt: Date;
}

const RECIPIENT_CACHE_MS = 5_000;

/**
 * Proactive messages to CRM users (reminders, approval cards, digests): picks the user's channel and
 * platform id, sends, and tells the caller where it went. The domain stores the Delivery; the bot never does.
 */
export class Notifier {
  /** Recently looked-up recipients (a burst of sends to one person asks the database once). */
  private readonly recent = new Map<string, { at: number; to: { channel: ChannelName; platformUserId: string } | null }>();

  constructor(
    private readonly bot: BotApp,
    private readonly org: OrgService,
  ) {}

  /** The preferred configured channel on which this user has an identity, and their id there; null when none. */
  route(user: Pick<UserDoc, 'identities'>): { channel: ChannelName; platformUserId: string } | null {
    // each channel names the identity its users are known by (the sandbox speaks as the WeCom userid)
    for (const channel of this.bot.channels()) {
      const id = user.identities?.[channel.identity];
      if (id) return { channel: channel.name, platformUserId: id };
    }
    return null;
  }

  /** Where an active user is reached now; looked up at most every few seconds per user. */
  private async recipient(userId: Types.ObjectId | string): Promise<{ channel: ChannelName; platformUserId: string } | null> {
    const key = String(userId);
    const hit = this.recent.get(key);
    if (hit && Date.now() - hit.at < RECIPIENT_CACHE_MS) return hit.to;
    const user = await this.org.findActiveUserById(userId);
    const to = user ? this.route(user) : null;
    if (this.recent.size > 10_000) this.recent.clear();
    this.recent.set(key, { at: Date.now(), to });
    return to;
  }

  /** Sends to an active user; null when the user is gone or unreachable (the caller records why). */
  async send(userId: Types.ObjectId | string, message: OutboundMessage, opts?: SendOptions): Promise<Delivery | null> {
    const to = await this.recipient(userId);
    if (!to) return null;
    const result = await this.bot.adapter(to.channel)!.send(to.platformUserId, message, opts);
    return { ...to, messageId: result.messageId ?? null, responseCode: result.responseCode ?? null, sentAt: new Date() };
  }

  /** How long a message to this user would wait for the channel's send budget (0 = now; unreachable users 0 too). */
  async sendDelayMs(userId: Types.ObjectId | string): Promise<number> {
    const to = await this.recipient(userId);
    return to ? (this.bot.adapter(to.channel)!.sendDelayMs?.(to.platformUserId) ?? 0) : 0;
  }

  /** Redraws a card sent earlier. WeCom needs an unused response code; without one this throws. */
  async updateCard(delivery: Pick<Delivery, 'channel' | 'platformUserId'>, card: Card, responseCode: string | null): Promise<void> {
    const adapter = this.bot.adapter(delivery.channel);
    if (!adapter) throw new Error(`channel ${delivery.channel} is not configured`);
    await adapter.updateCard(delivery.platformUserId, card, { responseCode: responseCode ?? undefined });
  }

  /** True when a card on this channel can be redrawn without a fresh response code (sandbox, DingTalk). */
  static needsResponseCode(channel: ChannelName): boolean {
    return channel === 'wecom';
  }
}
