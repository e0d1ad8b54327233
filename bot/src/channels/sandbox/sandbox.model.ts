import { Schema, type Connection, type Model } from 'mongoose';
import type { OutboundMessage } from '../../core/bot-event';

/** One line of a sandbox conversation: what the user typed or tapped, or what the bot sent. */
export interface SandboxMessage {
  platformUserId: string;
  direction: 'in' | 'out';
  /** For `in`: { kind: 'text', text } or a tap rendered as text; for `out`: the bot's message. */
  message: OutboundMessage;
  /** Cards: their task id, so an update redraws the same card. */
  taskId: string | null;
  at: Date;
}

const sandboxSchema = new Schema<SandboxMessage>(
  {
    platformUserId: { type: String, required: true },
    direction: { type: String, enum: ['in', 'out'], required: true },
    message: { type: Schema.Types.Mixed, required: true },
    taskId: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
sandboxSchema.index({ platformUserId: 1, _id: 1 });
sandboxSchema.index({ platformUserId: 1, taskId: 1 });

export function sandboxModel(conn: Connection): Model<SandboxMessage> {
  return conn.models.SandboxMessage ?? conn.model<SandboxMessage>('SandboxMessage', sandboxSchema, 'sandbox_messages');
}
