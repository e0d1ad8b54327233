import { Types, type Connection, type Model } from 'mongoose';
import { markdownToHtml, safeTextSource, textToHtml } from '@crm/shared';
import type { Card, CardRef, ChannelAdapter, OutboundMessage, SendResult } from '../../core/bot-event';
import { sandboxModel, type SandboxMessage, type StoredSandboxMessage } from './sandbox.model';

/** The message as stored, and the HTML the page shows (user text escaped, only our markdown rendered). */
function toStored(message: OutboundMessage): { message: StoredSandboxMessage; html: string | null } {
  if (message.kind === 'text') return { message: { kind: 'text', text: safeTextSource(message.text) }, html: textToHtml(message.text) };
  if (message.kind === 'markdown')
    return { message: { kind: 'markdown', title: message.title, markdown: safeTextSource(message.markdown) }, html: markdownToHtml(message.markdown) };
  return { message, html: null };
}

/** The local web chat: "sending" stores the message in MongoDB, where the sandbox page reads it. */
export class SandboxAdapter implements ChannelAdapter {
  readonly name = 'sandbox' as const;
  readonly messages: Model<SandboxMessage>;

  constructor(conn: Connection) {
    this.messages = sandboxModel(conn);
  }

  async send(platformUserId: string, message: OutboundMessage): Promise<SendResult> {
    const doc = await this.messages.create({
      platformUserId,
      direction: 'out',
      ...toStored(message),
      taskId: message.kind === 'card' ? message.card.taskId : null,
      at: new Date(),
    });
    return { messageId: String(doc._id) };
  }

  /** Redraws the card in place in the conversation. */
  async updateCard(ref: CardRef, card: Card): Promise<boolean> {
    await this.messages.updateOne({ platformUserId: ref.platformUserId, taskId: ref.taskId }, { $set: { message: { kind: 'card', card } } }).exec();
    return true;
  }

  async recordInbound(platformUserId: string, text: string): Promise<void> {
    await this.messages.create({ platformUserId, direction: 'in', message: { kind: 'text', text }, html: textToHtml(text), taskId: null, at: new Date() });
  }

  /** A tap on a card button: a system line in the conversation, not a bubble. */
  async recordTap(platformUserId: string, label: string): Promise<void> {
    await this.messages.create({ platformUserId, direction: 'in', message: { kind: 'tap', label }, html: null, taskId: null, at: new Date() });
  }

  /** The conversation after a message id (for polling), oldest first. */
  async conversation(platformUserId: string, afterId?: string): Promise<Array<SandboxMessage & { _id: Types.ObjectId }>> {
    const filter: Record<string, unknown> = { platformUserId };
    if (afterId && Types.ObjectId.isValid(afterId)) filter._id = { $gt: new Types.ObjectId(afterId) };
    return this.messages.find(filter).sort({ _id: 1 }).limit(200).lean().exec() as Promise<Array<SandboxMessage & { _id: Types.ObjectId }>>;
  }
}
