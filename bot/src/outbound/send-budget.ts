import type { SendLedger } from './send-ledger';
import { waitForRoom } from './send-ledger';

/**
 * Per-recipient send budget as sliding windows (WeCom drops, silently, a member's app messages beyond
 * 30 a minute and 1,000 an hour). `acquire` waits until a slot is free: messages are delayed, never
 * dropped. With a `SendLedger` (MongoDB) the windows are shared by every sender process; without one they
 * hold for this process only.
 */
export interface BudgetWindow {
  limit: number;
  ms: number;
}

export const WECOM_MEMBER_WINDOWS: BudgetWindow[] = [
  { limit: 30, ms: 60_000 },
  { limit: 1000, ms: 3_600_000 },
];

export class SendBudget {
  private readonly sent = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly windows: BudgetWindow[],
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> } = {
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    },
    private readonly ledger: SendLedger | null = null,
    /** Told how long a send waited for its slot (ms, counted from the call; only sends that waited). */
    private readonly onWait?: (ms: number) => void,
  ) {}

  /** How long a send to `key` would have to wait now as far as this process knows (0 = go); acquire is what enforces. */
  waitMs(key: string): number {
    return waitForRoom(this.sent.get(key) ?? [], this.windows, this.clock.now());
  }

  /**
   * Resolves when a send to `key` fits in every window, and records it. Sends to one key keep their
   * order. Call the returned `done()` when the platform has answered: the send is then counted from that
   * moment, because the platform counts from when the request reached it, which is somewhere between the
   * two (counting from the start would let the 31st message of a minute arrive a little early and vanish).
   */
  acquire(key: string): Promise<() => Promise<void>> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const calledAt = this.clock.now();
    const next = prev.then(async () => {
      for (let wait = this.waitMs(key); wait > 0; wait = this.waitMs(key)) await this.clock.sleep(wait);
      let shared: string | null = null;
      while (this.ledger) {
        const r = await this.ledger.reserve(key, this.windows, this.clock.now());
        if (r.ok) {
          shared = r.id;
          break;
        }
        if (r.waitMs > 0) await this.clock.sleep(r.waitMs); // another process used the room
      }
      const longest = Math.max(...this.windows.map((w) => w.ms));
      const now = this.clock.now();
      const times = (this.sent.get(key) ?? []).filter((t) => t > now - longest);
      if (now > calledAt) this.onWait?.(now - calledAt);
      const entry = { at: now };
      times.push(now);
      this.sent.set(key, times);
      return async () => {
        const answeredAt = this.clock.now();
        const list = this.sent.get(key);
        const i = list?.lastIndexOf(entry.at) ?? -1;
        if (list && i >= 0) list[i] = Math.max(entry.at, answeredAt);
        if (this.ledger && shared) await this.ledger.settle(key, shared, answeredAt);
      };
    });
    this.queues.set(
      key,
      next.then(
        () => undefined,
        () => undefined,
      ),
    );
    return next;
  }
}
