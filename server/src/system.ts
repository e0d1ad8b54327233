/**
 * The composition root: the one place that builds the object graph (services → bot → HTTP app → jobs),
 * in dependency order. `npm start` (main.ts) and the tests' app (tests/helpers/test-app.ts) both build it
 * here; tests pass their fakes in through `SystemOptions` (clock, logger, send budget), and the fake
 * platform servers through the configuration.
 */
import type Koa from 'koa';
import type { Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import type { Config } from '@crm/config';
import {
  buildServices,
  createApp,
  createLogger,
  createMetrics,
  instrumentMongo,
  ensureIndexes,
  isEmpty,
  type Metrics,
  MongoJobLeases,
  ReminderScheduler,
  seedDemoData,
  type AssignmentEvents,
  type PoolEvents,
  type ApprovalEvents,
  type ImportNotifier,
  type DirectoryEvents,
  type HandoverEvents,
  type HandoverPlatform,
  type AppState,
  type Services,
} from '@crm/api';
import { createBot, createDirectorySource, ReportPush, type Bot } from '@crm/bot';
import { DailyBackup } from './backup';
import { createJobRunner, REPORT_REBUILD_JOB, runOnceADay, type JobRunner } from './jobs';
import { runMigrations } from './migrations';

export interface SystemOptions {
  /** An open connection (main.ts resolves the database and connects; tests open a fresh database). */
  connection: Connection;
  /** Which database is in use, for /readyz and the front door. */
  databaseKind: string;
  /** Default: a logger from the configuration. */
  logger?: Logger;
  /** The HTTP app's request log (default `logger`); tests read it. */
  requestLogger?: Logger;
  /** The clock of the services, the bot and the jobs (tests pin it). */
  now?: () => Date;
  /** Options of the bot (tests shrink WeCom's send budget or the work concurrency). */
  bot?: Pick<Parameters<typeof createBot>[0], 'wecomBudget' | 'workConcurrency'>;
  /** The name of this process on job leases (default a random worker id). */
  workerId?: string;
  /** This process's metrics registry (default a new one: one registry per system, never prom-client's global). */
  metrics?: Metrics;
}

export interface System {
  config: Config;
  logger: Logger;
  /** Served at GET /metrics (see docs/operations.md). */
  metrics: Metrics;
  connection: Connection;
  services: Services;
  bot: Bot;
  app: Koa<AppState>;
  /** The reminder delivery passes, digest and policies (the jobs run it; tests call tick()). */
  reminders: ReminderScheduler;
  /** Every background job, not started (`start()` starts them). */
  jobs: JobRunner;
  /**
   * What a start does before serving: indexes and pending migrations (`schema`, default on: `worker`/`all`, never
   * `web`), the demo company on an empty database when configured. Idempotent.
   */
  prepare(opts?: { seed?: boolean; schema?: boolean }): Promise<void>;
  /** Indexes, then the pending migrations under their lease; answers the migrations applied. */
  migrate(): Promise<string[]>;
  /**
   * Starts the jobs (`jobs`, default on: `worker`/`all`) and the receivers that connect out, the DingTalk stream
   * (`receivers`, default on: `web`/`all`). Call after listening.
   */
  start(opts?: { jobs?: boolean; receivers?: boolean }): Promise<void>;
  /** Stops the jobs and receivers and waits for chat work in progress; leaves the connection open. */
  stop(): Promise<void>;
}

export function buildSystem(config: Config, opts: SystemOptions): System {
  const logger = opts.logger ?? createLogger(config);
  const now = opts.now ?? (() => new Date());
  const connection = opts.connection;
  const metrics = opts.metrics ?? createMetrics();
  instrumentMongo(connection, metrics);
  // "Approval changed" goes to the bot's cards, and the cards read approvals back through the service: a cycle,
  // tied here and only here. The services get, at construction, a port that forwards to the cards; the cards
  // exist before anything can change (nothing is emitted while the graph is built). No object has a setter.
  const chat: { approvalCards?: ApprovalEvents; handover?: Bot['handover'] } = {};
  const approvalEvents: ApprovalEvents = { changed: (change) => chat.approvalCards!.changed(change) };
  // hand-overs reach WeCom's transfer APIs and chat through the bot, the same way (forwarded, tied below)
  const handoverPlatform: HandoverPlatform = {
    enabled: () => chat.handover!.platform.enabled(),
    externalContactsOf: (u, k) => chat.handover!.platform.externalContactsOf(u, k),
    groupChatsOf: (u) => chat.handover!.platform.groupChatsOf(u),
    transferCustomers: (...a) => chat.handover!.platform.transferCustomers(...a),
    transferResults: (...a) => chat.handover!.platform.transferResults(...a),
    transferGroupChats: (...a) => chat.handover!.platform.transferGroupChats(...a),
  };
  // an import's start and end reach the importer in chat through the bot's notifier (forwarded the same way)
  const importChat: { notifier?: Bot['notifier'] } = {};
  const importNotifier: ImportNotifier = { notify: async (userId, text) => void (await importChat.notifier!.send(userId, { kind: 'text', text })) };
  const handoverEvents: HandoverEvents = { progress: (n) => chat.handover!.chat.progress(n), finished: (n) => chat.handover!.chat.finished(n) };
  const directoryEvents: DirectoryEvents = { leaverDeactivated: (n) => chat.handover!.chat.leaverDeactivated(n) };
  // pool warnings, returns and new-lead cards reach chat through the bot (forwarded, tied below)
  const poolChat: { pool?: Bot['pool'] } = {};
  const poolEvents: PoolEvents = {
    reclaimWarning: (w) => poolChat.pool!.reclaimWarning(w),
    reclaimed: (r) => poolChat.pool!.reclaimed(r),
  };
  const assignmentEvents: AssignmentEvents = { assigned: (a) => poolChat.pool!.assigned(a) };
  const services = buildServices(connection, config, {
    now,
    poolEvents,
    assignmentEvents,
    approvalEvents,
    metrics,
    handoverPlatform,
    handoverEvents,
    importNotifier,
    directorySource: createDirectorySource(config, logger),
    directoryEvents,
  });
  const bot = createBot({ conn: connection, services, logger, config, now, metrics, ...opts.bot });
  chat.approvalCards = bot.approvals;
  importChat.notifier = bot.notifier;
  chat.handover = bot.handover;
  poolChat.pool = bot.pool;
  const app = createApp({
    config,
    logger: opts.requestLogger ?? logger,
    connection,
    databaseKind: opts.databaseKind,
    services,
    extraRouters: bot.routers,
    metrics,
    // read at each probe (the runner exists by then): whether this process runs the jobs, and their last runs
    readiness: [...bot.readiness, { name: 'jobs', state: () => jobs.status() }],
  });
  const reminders = new ReminderScheduler(services.reminders, bot.reminderSender, {
    policy: config.reminders,
    businessTz: config.businessTz,
    logger: logger.child({ component: 'scheduler' }),
    now,
    workerId: opts.workerId,
  });
  const leases = new MongoJobLeases(connection);
  const jobs = createJobRunner({
    config,
    logger: logger.child({ component: 'jobs' }),
    leases,
    now,
    workerId: reminders.workerId,
    reminders,
    // the domain's sweep, then the bot's card refresh (re-issues WeCom cards before their 72 h code runs out)
    approvals: { sweep: async () => ({ ...(await services.approvalSweep.run()), refreshed: await bot.approvals.refreshCards(now()) }) },
    chat: bot.app,
    reportPush: new ReportPush(connection, {
      services,
      notifier: bot.notifier,
      policy: config.reminders,
      businessTz: config.businessTz,
      logger: logger.child({ component: 'report-push' }),
      now,
    }),
    // REPORTS_REBUILD_AT (02:30): the roll-ups rebuilt from the records once a night, by one worker
    reportRebuild: {
      runDue: () =>
        runOnceADay(
          {
            lease: REPORT_REBUILD_JOB,
            dailyAt: config.reportRollups.nightlyRebuildAt,
            businessTz: config.businessTz,
            leases,
            holder: reminders.workerId,
            leaseMs: config.reportRollups.leaseMs,
            now,
          },
          async (renew) => {
            const r = await services.reports.rollups.rebuild(() => void renew().catch(() => undefined));
            logger.info({ job: REPORT_REBUILD_JOB, documents: r.documents, tookMs: r.tookMs, counted: r.counted }, 'report roll-ups rebuilt');
            return r;
          },
        ),
    },
    records: [services.customers, services.followUps],
    // BACKUP_DAILY_AT (off by default): the job checks every 5 minutes; the body takes the `backup` lease itself
    backups: new DailyBackup({
      db: () => connection.db!,
      leases,
      holder: reminders.workerId,
      settings: config.backup,
      businessTz: config.businessTz,
      now,
      logger: logger.child({ component: 'backup' }),
    }),
    imports: { work: () => services.imports.work(reminders.workerId) },
    handovers: { runDue: () => services.handovers.runDue(reminders.workerId) },
    pools: { run: () => services.pools.run(), everyMs: config.pools.reclaimEveryMinutes * 60_000 },
    assignments: services.assignments,
    webhooks: services.webhooks,
    directory: services.directory.configured
      ? { sync: () => services.directory.syncOnce({ requestId: 'directory-sync', channel: 'system', actorId: null }, 'schedule') }
      : undefined,
    directoryEveryMs: config.directory.everyMinutes * 60_000,
    metrics,
  });
  let started = false;
  const migrate = async () => {
    await ensureIndexes(connection);
    return runMigrations({ connection, leases, holder: reminders.workerId, context: { services, logger }, logger: logger.child({ component: 'migrations' }) });
  };

  return {
    config,
    logger,
    metrics,
    connection,
    services,
    bot,
    app,
    reminders,
    jobs,
    migrate,
    async prepare(p = {}) {
      if (p.schema ?? true) await migrate();
      const seed = p.seed ?? (config.database.seedOnEmpty && config.env !== 'production');
      if (seed && (await isEmpty(services))) {
        logger.info('empty database: seeding the demo company (npm run seed does the same)');
        await seedDemoData(services, (msg) => logger.info(msg));
        // the seed writes around the services' listeners: count it into the report roll-ups once
        const r = await services.reports.rollups.rebuild((msg) => logger.debug(msg));
        logger.info(`report roll-ups built from the demo data (${r.documents} documents)`);
      }
    },
    async start(s = {}) {
      if (started) return;
      started = true;
      if (s.jobs ?? true) jobs.start();
      if (!(s.receivers ?? true)) return;
      // receivers that connect out (the DingTalk stream); HTTP receivers are routes, already mounted
      for (const r of bot.receivers)
        await r.start().catch((err: unknown) => logger.error({ err, channel: r.channel }, `${r.channel} receiver could not start; retrying in the background`));
    },
    async stop() {
      await jobs.stop();
      await Promise.all(bot.receivers.map((r) => r.stop()));
      await bot.inFlight.drain();
      await services.approvals.settled(); // approval cards and notices run in the background
      await bot.inFlight.drain();
    },
  };
}

/** A logger that writes nothing (tests, scripts). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
