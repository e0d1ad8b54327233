import type { Types } from 'mongoose';
import type { UserDoc, OrgService } from '@crm/api';
import type { BotApp } from '../core/bot-app';
import type { Card, ChannelName, OutboundMessage, SendOptions } from '../core/bot-event';

/** Where a message to a CRM user went: enough to redraw a card later. */
export interface Delivery {
  channel: ChannelName;
  platformUserId: string;
  messageId: string | null;
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
    const adapter = this.bot.adapter(to.channel)!;
    try {
      const result = await adapter.send(to.platformUserId, message, opts);
      return { ...to, messageId: result.messageId ?? null, sentAt: new Date() };
    } catch (err) {
      // a card with a task id the platform has seen: an earlier send of it went out (its answer was lost)
      if (adapter.alreadySent?.(err, message)) return { ...to, messageId: null, sentAt: new Date() };
      throw err;
    }
  }

  /** How long a message to this user would wait for the channel's send budget (0 = now; unreachable users 0 too). */
  async sendDelayMs(userId: Types.ObjectId | string): Promise<number> {
    const to = await this.recipient(userId);
    return to ? (this.bot.adapter(to.channel)!.sendDelayMs?.(to.platformUserId) ?? 0) : 0;
  }

  /**
   * Redraws a card sent earlier (`ref` = where it went and its task id): false when its channel allows no
   * redraw now (the caller says what happened another way); throws when the platform refused.
   */
  async updateCard(ref: { channel: ChannelName; platformUserId: string; taskId: string }, card: Card): Promise<boolean> {
    const adapter = this.bot.adapter(ref.channel);
    if (!adapter) throw new Error(`channel ${ref.channel} is not configured`);
    return adapter.updateCard({ platformUserId: ref.platformUserId, taskId: ref.taskId }, card);
  }

  /** True when redraws on this channel are scarce (each uses up a permission a send or a tap renews): save them. */
  scarceRedraws(channel: ChannelName): boolean {
    return this.bot.adapter(channel)?.scarceRedraws === true;
  }

  /** The configured channels whose redraws are scarce (their cards are re-sent before the permission runs out). */
  scarceChannels(): ChannelName[] {
    return this.bot
      .channels()
      .filter((c) => c.adapter.scarceRedraws === true)
      .map((c) => c.name);
  }
}
