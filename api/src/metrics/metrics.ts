import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's metrics, in one registry of its own (never prom-client's global one, so tests can build several
 * systems in one process). Built by the composition root and handed to what records; docs/operations.md says
 * what each one means and which to alert on.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'crm_http_requests_total',
    help: 'HTTP requests by route (the router path, not the URL), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'crm_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['method', 'route'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly callbackAcks = new Histogram({
    name: 'crm_callback_ack_duration_seconds',
    help: 'Time to acknowledge a platform callback, by channel and status',
    labelNames: ['channel', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly inboundEvents = new Counter({
    name: 'crm_inbound_events_total',
    help: 'Inbound chat events by channel and outcome (stored, handled, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly reminders = new Counter({
    name: 'crm_reminders_total',
    help: 'Reminder deliveries by outcome (due, sent, deferred, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly platformCalls = new Counter({
    name: 'crm_platform_api_calls_total',
    help: 'WeCom / DingTalk API calls by channel, endpoint and errcode',
    labelNames: ['channel', 'endpoint', 'errcode'] as const,
    registers: [this.registry],
  });
  readonly sendBudgetWaits = new Histogram({
    name: 'crm_send_budget_wait_seconds',
    help: 'Time a message waited for the platform send budget',
    labelNames: ['channel'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly jobRuns = new Counter({
    name: 'crm_job_runs_total',
    help: 'Background job runs by job and outcome (ok, skipped: another process held the lease, db_unavailable, failed)',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'crm_job_duration_seconds',
    help: 'Background job run duration by job',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly dbCommands = new Histogram({
    name: 'crm_db_command_duration_seconds',
    help: 'MongoDB command latency by command and outcome (the driver command monitoring events)',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  /** Read at each scrape from the pools registered with `readPool` (instrumentMongo). */
  private readonly poolReaders: Array<() => { checkedOut: number; open: number }> = [];
  readonly dbPool = new Gauge({
    name: 'crm_db_pool_connections',
    help: 'MongoDB pool connections: checked out (in use) and open',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      let checkedOut = 0;
      let open = 0;
      for (const read of this.poolReaders) {
        const p = read();
        checkedOut += p.checkedOut;
        open += p.open;
      }
      this.dbPool.set({ state: 'checked_out' }, checkedOut);
      this.dbPool.set({ state: 'open' }, open);
    },
  });
  readonly importRows = new Counter({
    name: 'crm_import_rows_total',
    help: 'Rows imported (rate() gives rows/s); zero until imports exist',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    // process CPU, memory, event loop lag, under this registry only
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'crm_' });
  }

  /** Adds a database pool to `crm_db_pool_connections` (read at each scrape). */
  readPool(read: () => { checkedOut: number; open: number }): void {
    this.poolReaders.push(read);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

export const createMetrics = (opts?: { processMetrics?: boolean }): Metrics => new Metrics(opts);

/** Seconds since `start` (a `performance.now()` reading). */
export const secondsSince = (start: number): number => (performance.now() - start) / 1000;
