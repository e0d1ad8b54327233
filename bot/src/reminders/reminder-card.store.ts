import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One reminder card the bot sent (a single reminder or a summary of several): where it went and the
 * latest unused WeCom response code to redraw it (single use, 72 h). The bot's own chat state: the
 * reminder module stores only the card's `taskId` with each reminder it carried.
 */
export interface ReminderCardRecord {
  taskId: string;
  userId: Types.ObjectId;
  channel: string;
  platformUserId: string;
  responseCode: string | null;
  sentAt: Date;
}

const schema = new Schema<ReminderCardRecord>(
  {
    taskId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    platformUserId: { type: String, required: true },
    responseCode: { type: String, default: null },
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

/** The bot's reminder cards: codes kept per card, each used once (a conditional update takes it). */
export class ReminderCardStore {
  readonly #cards: Model<ReminderCardRecord>;

  constructor(conn: Connection) {
    this.#cards = reminderCardModel(conn);
  }

  /** A card went out: where, and its first response code (WeCom). */
  async sent(card: ReminderCardRecord): Promise<void> {
    await this.#cards.updateOne({ taskId: card.taskId }, { $set: card }, { upsert: true }).exec();
  }

  /** A checked tap's fresh code replaces the stored one (only on the tapper's own card: a forged tap changes nothing). */
  async rememberTap(taskId: string, userId: Types.ObjectId, responseCode: string): Promise<void> {
    await this.#cards.updateOne({ taskId, userId }, { $set: { responseCode } }).exec();
  }

  /** The card's stored code (null when none is left or the channel has none). */
  async codeOf(taskId: string): Promise<string | null> {
    return (await this.#cards.findOne({ taskId }, { responseCode: 1 }).lean().exec())?.responseCode ?? null;
  }

  /** The code was used for a redraw: forgotten, unless a newer tap replaced it meanwhile. */
  async codeUsed(taskId: string, responseCode: string | null): Promise<void> {
    await this.#cards.updateOne({ taskId, responseCode }, { $set: { responseCode: null } }).exec();
  }
}
