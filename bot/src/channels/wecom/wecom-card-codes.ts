import { Schema, type Connection, type Model } from 'mongoose';

/** How many unused codes a card keeps (newest last), and how many used ones it remembers (a retried tap is not reused). */
const KEEP_UNUSED = 5;
const KEEP_USED = 10;

/**
 * WeCom's single-use `response_code`s, per template card (`task_id`): the send's own code and each tap's
 * fresh one. A code lets the card be redrawn once, within 72 h. Only the WeCom adapter reads this
 * collection: the bot core, the listeners and the domain know a card only by its reference.
 */
export interface WeComCardCodes {
  taskId: string;
  /** The member the card was sent to: only their taps add codes (a tap on someone else's task id changes nothing). */
  userId: string;
  /** Unused codes, newest last. */
  codes: Array<{ code: string; at: Date }>;
  /** Codes already spent (the latest few): a retried callback does not bring one back. */
  used: string[];
  sentAt: Date;
}

const schema = new Schema<WeComCardCodes>(
  {
    taskId: { type: String, required: true },
    userId: { type: String, required: true },
    codes: { type: [{ _id: false, code: { type: String, required: true }, at: { type: Date, required: true } }], default: [] },
    used: { type: [String], default: [] },
    sentAt: { type: Date, required: true },
  },
  { strict: 'throw' },
);
schema.index({ taskId: 1 }, { unique: true });

/** The adapter's `wecom_card_codes`: every write is conditional, so each code is used once across processes. */
export class WeComCardCodeStore {
  readonly #cards: Model<WeComCardCodes>;

  constructor(conn: Connection) {
    this.#cards = (conn.models.WeComCardCodes as Model<WeComCardCodes> | undefined) ?? conn.model<WeComCardCodes>('WeComCardCodes', schema, 'wecom_card_codes');
  }

  /** A card went out to `userId`; WeCom answered with its first code. */
  async sent(taskId: string, userId: string, code: string | null, at: Date = new Date()): Promise<void> {
    await this.#cards.updateOne({ taskId }, { $set: { userId, sentAt: at, codes: code ? [{ code, at }] : [], used: [] } }, { upsert: true }).exec();
  }

  /** A verified tap by `userId` on card `taskId` brought a fresh code: kept, unless the card is not theirs or the code was spent. */
  async tapped(taskId: string, userId: string, code: string, at: Date = new Date()): Promise<boolean> {
    const res = await this.#cards
      .updateOne({ taskId, userId, used: { $ne: code }, 'codes.code': { $ne: code } }, { $push: { codes: { $each: [{ code, at }], $slice: -KEEP_UNUSED } } })
      .exec();
    return res.modifiedCount === 1;
  }

  /** Takes the card's newest unused code (single use): the code when this caller got it, else null. */
  async take(taskId: string): Promise<string | null> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const doc = await this.#cards.findOne({ taskId }, { codes: 1 }).lean().exec();
      const code = doc?.codes.at(-1)?.code;
      if (!code) return null;
      const res = await this.#cards
        .updateOne({ taskId, 'codes.code': code }, { $pull: { codes: { code } }, $push: { used: { $each: [code], $slice: -KEEP_USED } } })
        .exec();
      if (res.modifiedCount === 1) return code;
      // another process took it: try the next one
    }
    return null;
  }

  /** For tests: the card's unused codes, newest last. */
  async unused(taskId: string): Promise<string[]> {
    return ((await this.#cards.findOne({ taskId }, { codes: 1 }).lean().exec())?.codes ?? []).map((c) => c.code);
  }
}
