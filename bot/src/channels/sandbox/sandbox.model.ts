import { Schema, type Connection, type Model } from 'mongoose';
import type { Card } from '../../core/bot-event';

/** A message as the sandbox keeps it: the text as written (user text unescaped), for reading and tests. */
export type StoredSandboxMessage =
  | { kind: 'text'; text: string }
  | { kind: 'markdown'; title: string; markdown: string }
  | { kind: 'card'; card: Card }
  /** A tap on a card button (shown as a small system line). */
  | { kind: 'tap'; label: string };

/** One line of a sandbox conversation: what the user typed or tapped, or what the bot sent. */
export interface SandboxMessage {
  platformUserId: string;
  direction: 'in' | 'out';
  /** For `in`: { kind: 'text', text } or { kind: 'tap', label }; for `out`: the bot's message. */
  message: StoredSandboxMessage;
  /** Text and markdown as the page shows them, rendered here with user text escaped as HTML (cards: null). */
  html: string | null;
  /** Cards: their task id, so an update redraws the same card. */
  taskId: string | null;
  at: Date;
}

const sandboxSchema = new Schema<SandboxMessage>(
  {
    platformUserId: { type: String, required: true },
    direction: { type: String, enum: ['in', 'out'], required: true },
    message: { type: Schema.Types.Mixed, required: true },
    html: { type: String, default: null },
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
