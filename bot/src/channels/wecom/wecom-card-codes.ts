import { Schema, type Connection, type Model } from 'mongoose';

/** How many unused codes a card keeps (newest last), and how many used ones it remembers (a retried tap is not reused). */
const KEEP_UNUSED = 5;
const KEEP_USED = 10;
/** The owner of a record made by a tap that arrived before the send's answer (filled in by `sent`). */
const PENDING = '';

/**
 * WeCom's single-use `response_code`s, per template card (`task_id`): the send's own code and each tap's
 * fresh one. A code lets the card be redrawn once, within 72 h. Only the WeCom adapter reads this
 * collection: the bot core, the listeners and the domain know a card only by its reference.
 */
export interface WeComCardCodes {
  taskId: string;
  /** The member the card was sent to: only their taps add codes (a tap on someone else's task id changes nothing). */
  userId: string;
  /** Unused codes, newest last, each with the member whose tap (or send) brought it. */
  codes: Array<{ code: string; at: Date; by?: string }>;
  /** Codes already spent (the latest few): a retried callback does not bring one back. */
  used: string[];
  sentAt: Date;
}

const schema = new Schema<WeComCardCodes>(
  {
    taskId: { type: String, required: true },
    userId: { type: String, default: PENDING },
    codes: { type: [{ _id: false, code: { type: String, required: true }, at: { type: Date, required: true }, by: { type: String } }], default: [] },
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

  /**
   * A card went out to `userId`; WeCom answered with its first code. The member may have tapped the card
   * before that answer reached us (a slow API answer, a delivered card): codes their taps left are kept,
   * codes anyone else left on the task id are dropped.
   */
  async sent(taskId: string, userId: string, code: string | null, at: Date = new Date()): Promise<void> {
    await this.#cards
      .updateOne(
        { taskId },
        { $set: { userId, sentAt: at }, $setOnInsert: { used: [] }, $push: { codes: { $each: code ? [{ code, at, by: userId }] : [], $slice: -KEEP_UNUSED } } },
        { upsert: true },
      )
      .exec();
    await this.#cards.updateOne({ taskId }, { $pull: { codes: { by: { $ne: userId } } } }).exec();
  }

  /**
   * A verified tap by `userId` on card `taskId` brought a fresh code: kept, unless the card is not theirs or
   * the code was spent. A tap that arrives before the send's answer is kept aside until `sent` says whose card it is.
   */
  async tapped(taskId: string, userId: string, code: string, at: Date = new Date()): Promise<boolean> {
    const entry = { code, at, by: userId };
    const res = await this.#cards
      .updateOne({ taskId, userId, used: { $ne: code }, 'codes.code': { $ne: code } }, { $push: { codes: { $each: [entry], $slice: -KEEP_UNUSED } } })
      .exec();
    if (res.modifiedCount === 1) return true;
    if (await this.#cards.exists({ taskId })) return false; // someone else's card, or a spent / known code
    try {
      // not sent yet as far as we know: an unowned record that `sent` completes (and cleans of others' codes)
      await this.#cards
        .updateOne(
          { taskId, userId: PENDING },
          { $setOnInsert: { sentAt: new Date(0), used: [] }, $push: { codes: { $each: [entry], $slice: -KEEP_UNUSED } } },
          { upsert: true },
        )
        .exec();
      return true;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      return this.tapped(taskId, userId, code, at); // `sent` created it meanwhile
    }
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
