/**
 * Work that continues after a platform was acknowledged. Acknowledgements come first: while many
 * callbacks are being acknowledged at once (a burst), the queue runs only `busyConcurrency` jobs, so the
 * platforms' deadlines (WeCom 5 s, DingTalk 1.5 s) are met and the backlog is worked off as soon as the
 * burst eases. Every item was stored before it was queued (BotApp.accept), so a crash loses nothing:
 * BotApp.recoverPending picks it up again.
 */
export interface WorkQueueOptions {
  /** Jobs at once when platforms are quiet. */
  concurrency: number;
  /** Jobs at once during a burst of acknowledgements (at least 1, so the backlog always moves). */
  busyConcurrency: number;
  /** A burst: this many acknowledgements in progress at once. */
  busyAcks: number;
}

export class WorkQueue {
  private readonly waiting: Array<() => Promise<unknown>> = [];
  private running = 0;
  private acking = 0;
  private idle: Array<() => void> = [];
  private readonly opts: WorkQueueOptions;

  constructor(
    opts: Partial<WorkQueueOptions> = {},
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.opts = { concurrency: 8, busyConcurrency: 1, busyAcks: 8, ...opts };
    if (this.opts.busyConcurrency < 1 || this.opts.concurrency < this.opts.busyConcurrency)
      throw new Error('WorkQueue: need 1 <= busyConcurrency <= concurrency');
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  /** True while a burst of acknowledgements is in progress. */
  get busy(): boolean {
    return this.acking >= this.opts.busyAcks;
  }

  /** Wraps one acknowledgement (verify, store, answer) so that queued work yields to it. */
  async acknowledging<T>(ack: () => Promise<T>): Promise<T> {
    this.acking += 1;
    try {
      return await ack();
    } finally {
      this.acking -= 1;
      this.pump();
      this.settle();
    }
  }

  push(job: () => Promise<unknown>): void {
    this.waiting.push(job);
    this.pump();
  }

  /** Resolves when nothing is being acknowledged, queued or running. */
  drain(): Promise<void> {
    if (this.size + this.acking === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private settle(): void {
    if (this.size + this.acking === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private pump(): void {
    const limit = this.busy ? this.opts.busyConcurrency : this.opts.concurrency;
    while (this.running < limit && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running += 1;
      void job()
        .catch(this.onError)
        .finally(() => {
          this.running -= 1;
          this.pump();
          this.settle();
        });
    }
  }
}
