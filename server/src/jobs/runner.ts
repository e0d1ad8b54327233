import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, type JobLeasePort, type Metrics } from '@crm/api';

/** One background job: what it runs and how often. Defined in `<name>.job.ts`, scheduled by the JobRunner. */
export interface Job {
  /** Also its lease's id in `job_leases` and the `job` field of its log lines. */
  name: string;
  /** The wait between the end of one run and the start of the next. */
  everyMs: number;
  /** Run once right at start (default), or first after `everyMs`. */
  atStart?: boolean;
  /**
   * Take the job's lease in `job_leases` around each run, so that of several processes one runs it at a time
   * (the others skip that round). Leave it out for jobs that claim their own work item by item.
   */
  leaseMs?: number;
  /** One run. May answer the wait before the next run (a back-off), else `everyMs` applies. */
  run(): Promise<number | void>;
}

/** How one run ended: `skipped` when another process held the job's lease. */
export type JobOutcome = 'ok' | 'skipped' | 'db_unavailable' | 'failed';

export interface JobRunnerOptions {
  logger: Logger;
  /** The leases of jobs with `leaseMs`. */
  leases: JobLeasePort;
  now?: () => Date;
  /** This process's name on the leases (default a random worker id). */
  workerId?: string;
  /** Counts runs (`crm_job_runs_total{job,outcome}`) and their durations. */
  metrics?: Metrics;
}

/**
 * Runs every job on its own timer, one run at a time per job (the next starts `everyMs` after the last ended),
 * never one guard for all: a job that fails is logged with its name and runs again next round; the others go
 * on. A database outage is one short warning per round, not an error with a stack.
 */
export class JobRunner {
  readonly workerId: string;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  /** The jobs whose lease this process holds right now (a run in progress). */
  private readonly held = new Set<string>();
  private stopped = true;
  /** Each job's last run in this process, for /readyz. */
  private readonly lastRuns = new Map<string, { at: string; outcome: JobOutcome }>();

  constructor(
    readonly jobs: readonly Job[],
    private readonly opts: JobRunnerOptions,
  ) {
    this.workerId = opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    const names = new Set<string>();
    for (const j of jobs) {
      if (names.has(j.name)) throw new Error(`two jobs named ${j.name}`);
      names.add(j.name);
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const job of this.jobs) this.schedule(job, job.atStart === false ? job.everyMs : 0);
    this.opts.logger.info(
      { workerId: this.workerId, jobs: this.jobs.map((j) => ({ name: j.name, everyMs: j.everyMs })) },
      `jobs started: ${this.jobs.map((j) => `${j.name} every ${seconds(j.everyMs)}`).join(', ')}`,
    );
  }

  /** For /readyz: whether the jobs run in this process (a web-only process has them off) and each one's last run. */
  status(): { state: 'running' | 'off'; workerId: string; jobs: Array<{ name: string; lastRun: { at: string; outcome: JobOutcome } | null }> } {
    return {
      state: this.stopped ? 'off' : 'running',
      workerId: this.workerId,
      jobs: this.jobs.map((j) => ({ name: j.name, lastRun: this.lastRuns.get(j.name) ?? null })),
    };
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Gives back the leases of runs still in progress (a shutdown that cannot wait for them): another process
   * takes the job at its next round instead of after the lease runs out. The run itself is abandoned.
   */
  async releaseLeases(): Promise<void> {
    await Promise.all([...this.held].map((name) => this.opts.leases.release(name, this.workerId)));
  }

  /** One run of the job now (under its lease if it has one); never throws. Answers the wait before the next. */
  async runOnce(job: Job): Promise<number> {
    const log = this.opts.logger;
    const now = this.opts.now ?? (() => new Date());
    let wait: number | void = undefined;
    const start = performance.now();
    let outcome: JobOutcome = 'ok';
    try {
      if (job.leaseMs === undefined) wait = await job.run();
      else if (await this.opts.leases.acquire(job.name, this.workerId, job.leaseMs, now())) {
        this.held.add(job.name);
        try {
          wait = await job.run();
        } finally {
          this.held.delete(job.name);
          await this.opts.leases.release(job.name, this.workerId);
        }
      } else outcome = 'skipped';
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        outcome = 'db_unavailable';
        log.warn({ job: job.name }, `${job.name}: database unavailable, trying again next round`);
      } else {
        outcome = 'failed';
        log.error({ err, job: job.name }, `${job.name} failed`);
      }
    }
    this.lastRuns.set(job.name, { at: now().toISOString(), outcome });
    this.opts.metrics?.jobRuns.inc({ job: job.name, outcome });
    if (outcome !== 'skipped') this.opts.metrics?.jobDuration.observe({ job: job.name }, (performance.now() - start) / 1000);
    return typeof wait === 'number' ? wait : job.everyMs;
  }

  private schedule(job: Job, waitMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const run = this.runOnce(job).then((next) => {
        this.running.delete(job.name);
        this.schedule(job, next);
      });
      this.running.set(job.name, run);
    }, waitMs);
    timer.unref();
    this.timers.set(job.name, timer);
  }
}

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);
