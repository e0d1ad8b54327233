import { Schema, type Connection, type Model } from 'mongoose';

/**
 * "The next message from this user answers a question" (a rejection's reason, a follow-up to log).
 * One per user and channel: a new question replaces the old. Taken with one findOneAndDelete, so a
 * duplicate delivery can never answer it twice.
 */
export interface PendingPrompt {
  /** `${channel}:${platformUserId}` */
  key: string;
  kind: string;
  args: string[];
  expiresAt: Date;
  createdAt: Date;
}

const pendingPromptSchema = new Schema<PendingPrompt>(
  {
    key: { type: String, required: true },
    kind: { type: String, required: true },
    args: { type: [String], default: [] },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
pendingPromptSchema.index({ key: 1 }, { unique: true });

export function pendingPromptModel(conn: Connection): Model<PendingPrompt> {
  return conn.models.BotPendingPrompt ?? conn.model<PendingPrompt>('BotPendingPrompt', pendingPromptSchema, 'bot_pending_prompts');
}
