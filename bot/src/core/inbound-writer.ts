import type { Collection, Document, MongoBulkWriteError } from 'mongodb';

interface Pending {
  doc: Document;
  resolve: (fresh: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for inbound deliveries, without a timer: when no write is outstanding, a delivery is
 * written at once (a quiet day pays one round trip, no waiting); while writes are outstanding, arrivals
 * queue and go out together in one unordered insertMany as soon as a write slot frees. So the batch
 * size follows the load by itself. Each caller still learns whether its own document was new or a
 * duplicate (E11000 on the unique key).
 */
export class InboundWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly collection: () => Collection,
    private readonly opts: { maxBatch: number; maxInFlight: number } = { maxBatch: 500, maxInFlight: 2 },
  ) {}

  /** Resolves true when the document was inserted, false when its unique key already existed. */
  insert(doc: Document): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      // flush after the current tick, so deliveries parsed in the same tick share one write
      if (!this.scheduled && this.inFlight < this.opts.maxInFlight) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Documents waiting for a write slot plus writes outstanding (for tests and metrics). */
  get backlog(): number {
    return this.queue.length + this.inFlight;
  }

  private flush(): void {
    while (this.queue.length && this.inFlight < this.opts.maxInFlight) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.collection().insertMany(
        batch.map((b) => b.doc),
        { ordered: false },
      );
      batch.forEach((b) => b.resolve(true));
    } catch (e) {
      const err = e as MongoBulkWriteError;
      const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : null;
      if (!writeErrors) return batch.forEach((b) => b.reject(err));
      const failed = new Map(writeErrors.map((w) => [w.index, w.code]));
      batch.forEach((b, i) => {
        const code = failed.get(i);
        if (code === undefined) b.resolve(true);
        else if (code === 11000) b.resolve(false);
        else b.reject(err);
      });
    }
  }
}
