import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One reminder card the bot sent (a single reminder or a summary of several): its reference (channel,
 * platform user, task id). The bot's own chat state: the reminder module stores only the card's `taskId`
 * with each reminder it carried. What a platform needs to redraw it stays inside that channel's adapter.
 */
export interface ReminderCardRecord {
  taskId: string;
  userId: Types.ObjectId;
  channel: string;
  platformUserId: string;
  sentAt: Date;
}

const schema = new Schema<ReminderCardRecord>(
  {
    taskId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    platformUserId: { type: String, required: true },
    sentAt: { type: Date, required: true },
  },
  { strict: 'throw' },
);
schema.index({ taskId: 1 }, { unique: true });

export function reminderCardModel(conn: Connection): Model<ReminderCardRecord> {
  return (
    (conn.models.BotReminderCard as Model<ReminderCardRecord> | undefined) ?? conn.model<ReminderCardRecord>('BotReminderCard', schema, 'bot_reminder_cards')
  );
}

/** The bot's reminder cards (where each went). */
export class ReminderCardStore {
  readonly #cards: Model<ReminderCardRecord>;

  constructor(conn: Connection) {
    this.#cards = reminderCardModel(conn);
  }

  /** A card went out: where. */
  async sent(card: ReminderCardRecord): Promise<void> {
    await this.#cards.updateOne({ taskId: card.taskId }, { $set: card }, { upsert: true }).exec();
  }

  /** The card sent as `taskId`, if the bot sent it. */
  find(taskId: string): Promise<ReminderCardRecord | null> {
    return this.#cards.findOne({ taskId }).lean<ReminderCardRecord>().exec();
  }
}
