import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { BudgetWindow } from './send-budget';

/**
 * The send log that every sender process shares, so that two processes together still send a WeCom
 * member at most 30 app messages a minute (WeCom drops the rest without telling anyone).
 */
export interface SendLedger {
  /** Records a send to `key` at `now` if every window has room; otherwise says how long to wait (0 = someone else wrote first: try again). */
  reserve(key: string, windows: BudgetWindow[], now: number): Promise<{ ok: true; id: string } | { ok: false; waitMs: number }>;
  /** Moves a recorded send to when the platform answered (never earlier). */
  settle(key: string, id: string, at: number): Promise<void>;
}

interface LedgerDoc {
  _id: string;
  /** Bumped by every write: writes are conditional on it (optimistic concurrency). */
  v: number;
  sends: Array<{ t: number; id: string }>;
}

/** How long a send must wait for room in every window, given the send times within the longest window. */
export function waitForRoom(times: number[], windows: BudgetWindow[], now: number): number {
  let wait = 0;
  for (const w of windows) {
    const inWindow = times.filter((t) => t > now - w.ms).sort((a, b) => a - b);
    if (inWindow.length >= w.limit) wait = Math.max(wait, inWindow[inWindow.length - w.limit]! + w.ms - now + 1);
  }
  return wait;
}

/** One document per recipient holding its sends within the longest window; every write is conditional on `v`. */
export class MongoSendLedger implements SendLedger {
  private readonly col: Collection<LedgerDoc>;

  constructor(conn: Connection, collection = 'bot_send_ledger') {
    this.col = conn.collection<LedgerDoc>(collection) as unknown as Collection<LedgerDoc>;
  }

  async reserve(key: string, windows: BudgetWindow[], now: number): Promise<{ ok: true; id: string } | { ok: false; waitMs: number }> {
    const longest = Math.max(...windows.map((w) => w.ms));
    const doc = await this.col.findOne({ _id: key });
    const sends = (doc?.sends ?? []).filter((s) => s.t > now - longest);
    const waitMs = waitForRoom(
      sends.map((s) => s.t),
      windows,
      now,
    );
    if (waitMs > 0) return { ok: false, waitMs };
    const id = randomBytes(6).toString('hex');
    const next = [...sends, { t: now, id }];
    if (!doc) {
      try {
        await this.col.insertOne({ _id: key, v: 1, sends: next });
        return { ok: true, id };
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return { ok: false, waitMs: 0 };
        throw err;
      }
    }
    const res = await this.col.updateOne({ _id: key, v: doc.v }, { $set: { sends: next, v: doc.v + 1 } });
    return res.matchedCount === 1 ? { ok: true, id } : { ok: false, waitMs: 0 };
  }

  async settle(key: string, id: string, at: number): Promise<void> {
    // one write; bumping `v` makes a reservation that read the earlier time try again
    await this.col.updateOne({ _id: key, 'sends.id': id }, { $max: { 'sends.$.t': at }, $inc: { v: 1 } });
  }
}
