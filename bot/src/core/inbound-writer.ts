import type { Collection, Document, MongoBulkWriteError } from 'mongodb';

/**
 * Group commit for inbound deliveries: accepts arriving within a few milliseconds of each other are
 * written with one unordered insertMany instead of one round trip each. Each caller still learns
 * whether its own document was new or a duplicate (E11000 on the unique key).
 */
export class InboundWriter {
  private batch: Array<{ doc: Document; resolve: (fresh: boolean) => void; reject: (err: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly collection: () => Collection,
    private readonly opts: { maxBatch: number; maxWaitMs: number } = { maxBatch: 200, maxWaitMs: 2 },
  ) {}

  /** Resolves true when the document was inserted, false when its unique key already existed. */
  insert(doc: Document): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.batch.push({ doc, resolve, reject });
      if (this.batch.length >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.batch;
    this.batch = [];
    if (!batch.length) return;
    this.collection()
      .insertMany(
        batch.map((b) => b.doc),
        { ordered: false },
      )
      .then(() => batch.forEach((b) => b.resolve(true)))
      .catch((err: MongoBulkWriteError) => {
        const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : null;
        if (!writeErrors) return batch.forEach((b) => b.reject(err));
        const failed = new Map(writeErrors.map((e) => [e.index, e.code]));
        batch.forEach((b, i) => {
          const code = failed.get(i);
          if (code === undefined) b.resolve(true);
          else if (code === 11000) b.resolve(false);
          else b.reject(err);
        });
      });
  }
}
