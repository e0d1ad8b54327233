/**
 * Work that continues after a platform was acknowledged, run at most `concurrency` at a time so that a
 * burst of callbacks cannot starve the acknowledgements themselves. Every item was stored before it was
 * queued (BotApp.accept), so a crash loses nothing: BotApp.recoverPending picks it up again.
 */
export class WorkQueue {
  private readonly waiting: Array<() => Promise<unknown>> = [];
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly concurrency = 8,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  get size(): number {
    return this.waiting.length + this.running;
  }

  push(job: () => Promise<unknown>): void {
    this.waiting.push(job);
    this.pump();
  }

  /** Resolves when nothing is queued or running. */
  drain(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running += 1;
      void job()
        .catch(this.onError)
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.size === 0) for (const resolve of this.idle.splice(0)) resolve();
        });
    }
  }
}
