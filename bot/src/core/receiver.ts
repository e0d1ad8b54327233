import type Router from '@koa/router';
import type { AppState } from '@crm/api';
import type { BotApp } from './bot-app';
import type { BotEvent, ChannelName } from './bot-event';
import type { WorkQueue } from './work-queue';

/**
 * One way in for one channel (WeCom HTTP, DingTalk HTTP, DingTalk stream, the sandbox). A receiver only
 * verifies and parses; what happens to a parsed event (store, acknowledge, queue) is `Inbound.receive`,
 * the same for every receiver.
 */
export interface Receiver {
  readonly channel: ChannelName;
  /** HTTP receivers: the routes the platform calls (mounted by the app); empty for a socket. */
  readonly routers: Array<Router<AppState>>;
  /** Checks what it needs before the first delivery (nothing to check for most). */
  init(): Promise<void>;
  /** Starts listening: a socket connects; routes are already mounted, so HTTP receivers do nothing. */
  start(): Promise<void>;
  /** Stops taking deliveries (work already accepted is drained by the caller through the WorkQueue). */
  stop(): Promise<void>;
}

export type Outcome = 'accepted' | 'duplicate' | 'ignored';

/** A receiver that needs no start or stop (routes mounted by the app). */
export function httpReceiver(channel: ChannelName, routers: Array<Router<AppState>>): Receiver {
  return { channel, routers, init: async () => undefined, start: async () => undefined, stop: async () => undefined };
}

/**
 * The one inbound path: parse → accept (stored under the unique key `channel:dedupeKey`; a repeat stops
 * here) → acknowledge → queue the handling. Nothing is acknowledged before it is stored: when the store
 * fails, `receive` throws and `ack` is never called, so the platform delivers it again.
 */
export class Inbound {
  constructor(
    private readonly bot: BotApp,
    private readonly work: WorkQueue,
  ) {}

  /** Wraps one acknowledgement in progress (verify, store, answer): queued bot work yields to them during bursts. */
  acknowledging<T>(ack: () => Promise<T>): Promise<T> {
    return this.work.acknowledging(ack);
  }

  /**
   * Stores the event (null: nothing the bot handles, acknowledged all the same), acknowledges with `ack`,
   * then queues the handling. `handled` settles when the queued handling is done (the sandbox answers
   * with it); nobody has to await it.
   */
  async receive<A>(
    event: BotEvent | null,
    ack: (outcome: Outcome) => A | Promise<A>,
  ): Promise<{ outcome: Outcome; ack: A; handled: Promise<'handled' | 'unknown-user'> | null }> {
    const outcome: Outcome = event ? await this.bot.accept(event) : 'ignored';
    const acked = await ack(outcome);
    if (outcome !== 'accepted' || !event) return { outcome, ack: acked, handled: null };
    let settle!: { resolve: (r: 'handled' | 'unknown-user') => void; reject: (e: unknown) => void };
    const handled = new Promise<'handled' | 'unknown-user'>((resolve, reject) => (settle = { resolve, reject }));
    handled.catch(() => undefined); // the WorkQueue logs failures; an unawaited promise must not crash the process
    this.work.push(() =>
      this.bot.process(event).then(
        (r) => settle.resolve(r),
        (err: unknown) => {
          settle.reject(err);
          throw err;
        },
      ),
    );
    return { outcome, ack: acked, handled };
  }
}
