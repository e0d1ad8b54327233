import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * A sentence waiting for an answer before it is logged ("记到哪个客户？", 记为跟进 / 不用), or a follow-up to move
 * (换客户 / 不对，是XX的). The bot's own chat state; buttons carry the draft's id. Gone after an hour.
 */
export interface ChatDraft {
  userId: Types.ObjectId;
  text: string;
  /** The follow-up to move to the chosen customer (instead of logging `text`). */
  moveFrom: Types.ObjectId | null;
  /** The reminder the sentence answers, when it was a reply to one. */
  reminderId: Types.ObjectId | null;
  createdAt: Date;
  expiresAt: Date;
}

const schema = new Schema<ChatDraft>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    text: { type: String, default: '' },
    moveFrom: { type: Schema.Types.ObjectId, default: null },
    reminderId: { type: Schema.Types.ObjectId, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'bot_chat_drafts', versionKey: false },
);
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function chatDraftModel(conn: Connection): Model<ChatDraft> {
  return (conn.models.ChatDraft as Model<ChatDraft> | undefined) ?? conn.model<ChatDraft>('ChatDraft', schema);
}
