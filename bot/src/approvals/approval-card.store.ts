import type { Connection, Model, Types } from 'mongoose';
import { approvalCardModel, type ApprovalCard, type ApprovalCardRow } from './approval-card.model';

/** The bot's approval cards: every write is conditional, so concurrent changes and processes act once. */
export class ApprovalCardStore {
  readonly #cards: Model<ApprovalCard>;

  constructor(conn: Connection) {
    this.#cards = approvalCardModel(conn);
  }

  /** The cards of an approval that were not replaced by a newer one. */
  live(approvalId: Types.ObjectId): Promise<ApprovalCardRow[]> {
    return this.#cards.find({ approvalId, replaced: false }).lean<ApprovalCardRow[]>().exec();
  }

  /** Claims a card's slot before it is sent: false when another change is sending it. */
  async reserve(card: Omit<ApprovalCard, 'stale' | 'replaced'>): Promise<boolean> {
    try {
      await this.#cards.create(card);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** A reserved card that could not be sent. */
  async forget(slot: string): Promise<void> {
    await this.#cards.deleteOne({ slot }).exec();
  }

  /** Claims a redraw: only the change that moves the card from `from` to `to` draws it. */
  async claimRedraw(id: Types.ObjectId, from: string, to: string): Promise<boolean> {
    const res = await this.#cards.updateOne({ _id: id, drawn: from }, { $set: { drawn: to } }).exec();
    return res.modifiedCount === 1;
  }

  async markStale(id: Types.ObjectId, stale: boolean): Promise<void> {
    await this.#cards.updateOne({ _id: id }, { $set: { stale } }).exec();
  }

  /** Cards on `channels` still showing buttons (phase `act:<step>`) that were sent before `before`. */
  dueForRefresh(channels: string[], before: Date): Promise<ApprovalCardRow[]> {
    return this.#cards
      .find({ channel: { $in: channels }, replaced: false, drawn: /^act:/, sentAt: { $lte: before } })
      .lean<ApprovalCardRow[]>()
      .exec();
  }

  /** Claims replacing a card: only one process issues its successor. */
  async claimReplacement(id: Types.ObjectId): Promise<boolean> {
    const res = await this.#cards.updateOne({ _id: id, replaced: false }, { $set: { replaced: true } }).exec();
    return res.modifiedCount === 1;
  }

  /** For benchmarks and tests: one approver's card of an approval, and how many cards are stale. */
  find(approvalId: Types.ObjectId, userId: Types.ObjectId): Promise<ApprovalCardRow | null> {
    return this.#cards.findOne({ approvalId, userId }).lean<ApprovalCardRow>().exec();
  }

  countStale(): Promise<number> {
    return this.#cards.countDocuments({ stale: true }).exec();
  }
}
