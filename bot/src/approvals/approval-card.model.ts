import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One card sent to one approver for one approval: its reference (channel, platform user, task id) and
 * what it shows. The bot's own chat state: the domain never reads it. `drawn` is what the card shows now
 * (the bot's phase strings); `stale` marks a card that could not be redrawn. What a platform needs to
 * redraw it (WeCom's response codes) stays inside that channel's adapter.
 */
export interface ApprovalCard {
  /** `approvalId:userId:n`: unique, so two processes never send the same approver the same card twice. */
  slot: string;
  approvalId: Types.ObjectId;
  userId: Types.ObjectId;
  channel: string;
  platformUserId: string;
  taskId: string;
  stale: boolean;
  /** A newer card replaced this one (refresh before the code runs out). */
  replaced: boolean;
  /** What the card shows now (a digest), to skip redraws that would change nothing. */
  drawn: string;
  sentAt: Date;
}

export type ApprovalCardRow = ApprovalCard & { _id: Types.ObjectId };

const cardSchema = new Schema<ApprovalCard>(
  {
    slot: { type: String, required: true },
    approvalId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    platformUserId: { type: String, required: true },
    taskId: { type: String, required: true },
    stale: { type: Boolean, default: false },
    replaced: { type: Boolean, default: false },
    drawn: { type: String, default: '' },
    sentAt: { type: Date, required: true },
  },
  { strict: 'throw' },
);
cardSchema.index({ taskId: 1 }, { unique: true });
cardSchema.index({ slot: 1 }, { unique: true });
cardSchema.index({ approvalId: 1, userId: 1 });
cardSchema.index({ sentAt: 1 });

/** The `approvalcards` collection (its name unchanged since the cards lived in the approval module). */
export function approvalCardModel(conn: Connection): Model<ApprovalCard> {
  return conn.models.ApprovalCard ?? conn.model<ApprovalCard>('ApprovalCard', cardSchema, 'approvalcards');
}
