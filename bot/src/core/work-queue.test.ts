import { WorkQueue } from './work-queue';

/** A job that runs until released, recording how many ran at once. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('WorkQueue: acknowledgements first', () => {
  function harness(opts = { concurrency: 4, busyConcurrency: 1, busyAcks: 3 }) {
    const q = new WorkQueue(opts);
    let running = 0;
    let peak = 0;
    const gates: Array<ReturnType<typeof gate>> = [];
    const push = (n: number) => {
      for (let i = 0; i < n; i++) {
        const g = gate();
        gates.push(g);
        q.push(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await g.done;
          running -= 1;
        });
      }
    };
    return { q, push, gates, running: () => running, peak: () => peak };
  }

  it('runs up to `concurrency` jobs when no acknowledgement is in progress', async () => {
    const h = harness();
    h.push(10);
    await settle();
    expect(h.running()).toBe(4);
    h.gates.forEach((g) => g.release());
    await h.q.drain();
    expect(h.q.size).toBe(0);
  });

  it('starts only `busyConcurrency` jobs while a burst of acknowledgements is in progress, and catches up after', async () => {
    const h = harness();
    const acks = [gate(), gate(), gate()];
    const acking = acks.map((a) => h.q.acknowledging(() => a.done));
    expect(h.q.busy).toBe(true);
    h.push(10);
    await settle();
    expect(h.running()).toBe(1);
    acks.forEach((a) => a.release());
    await Promise.all(acking);
    await settle();
    expect(h.q.busy).toBe(false);
    expect(h.running()).toBe(4);
    h.gates.forEach((g) => g.release());
    await h.q.drain();
  });

  it('below the burst threshold, acknowledgements do not hold work back', async () => {
    const h = harness();
    const a = gate();
    const acking = h.q.acknowledging(() => a.done);
    h.push(5);
    await settle();
    expect(h.running()).toBe(4);
    a.release();
    await acking;
    h.gates.forEach((g) => g.release());
    await h.q.drain();
  });

  it('drain waits for acknowledgements in progress (their work is queued only once stored)', async () => {
    const q = new WorkQueue();
    const a = gate();
    let handled = false;
    void q.acknowledging(async () => {
      await a.done;
      q.push(async () => {
        handled = true;
      });
    });
    const drained = q.drain();
    a.release();
    await drained;
    expect(handled).toBe(true);
  });

  it('a failing job is reported and does not stop the queue', async () => {
    const errors: unknown[] = [];
    const q = new WorkQueue({ concurrency: 1 }, (err) => errors.push(err));
    let after = false;
    q.push(() => Promise.reject(new Error('boom')));
    q.push(async () => {
      after = true;
    });
    await q.drain();
    expect(errors).toHaveLength(1);
    expect(after).toBe(true);
  });

  it('an acknowledgement that throws still leaves the burst count right', async () => {
    const q = new WorkQueue({ concurrency: 2, busyConcurrency: 1, busyAcks: 1 });
    await expect(q.acknowledging(() => Promise.reject(new Error('bad packet')))).rejects.toThrow('bad packet');
    expect(q.busy).toBe(false);
  });

  it('refuses a configuration that could stall the backlog', () => {
    expect(() => new WorkQueue({ busyConcurrency: 0 })).toThrow();
    expect(() => new WorkQueue({ concurrency: 1, busyConcurrency: 2 })).toThrow();
  });
});
