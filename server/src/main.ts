/**
 * `npm start`: configuration → database → the system (buildSystem) → listen → jobs. The only place that
 * hands process.env to the configuration, and the only one that listens or handles signals.
 *
 * PROCESS_ROLE chooses what runs: `web` the HTTP API, callbacks and pages (no jobs, no index builds, no
 * migrations); `worker` indexes, migrations and the jobs, with HTTP answering only health; `all` both.
 * `main.ts migrate` (npm run migrate) builds the indexes, runs the pending migrations and exits.
 */
import http from 'node:http';
import { ConfigError, loadConfig, maskConfig } from '@crm/config';
import { connectMongoWaiting, createLogger, metricsListener } from '@crm/api';
import { isNoDatabaseError, openDatabase } from './database';
import { buildSystem } from './system';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env); // eslint-disable-line no-restricted-properties -- the one place env is handed to config
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config, Boolean(process.stdout.isTTY));
  logger.debug({ config: maskConfig(config) }, 'configuration');
  if (config.auth.jwtSecretIsDevDefault)
    logger.warn('JWT_SECRET is not set: using the development secret (fine for the embedded database, never for production)');

  const db = await openDatabase(config, (msg) => logger.info(msg)).catch((err: unknown) => {
    if (isNoDatabaseError(err)) {
      logger.fatal(err.message);
      process.exit(1);
    }
    throw err;
  });
  logger.info({ database: db.kind, dataLocation: db.dataLocation }, `database: ${db.description}`);

  // An external database may come up after us: wait for it a while (the driver reconnects on its own later).
  const connection = await connectMongoWaiting(db.uri, {
    requestTimeoutMs: config.database.requestTimeoutMs,
    operationTimeoutMs: config.database.operationTimeoutMs,
    waitMs: db.kind === 'uri' ? 60_000 : 10_000,
    log: (msg) => logger.warn(msg),
  });
  let stopping = false;
  connection.on('disconnected', () => {
    if (!stopping) logger.warn('database connection lost: API calls answer 503 DATABASE_UNAVAILABLE until it is back');
  });
  connection.on('reconnected', () => logger.info('database connection back'));

  const system = buildSystem(config, { connection, databaseKind: db.kind, logger });
  if (process.argv.includes('migrate')) {
    const applied = await system.migrate();
    logger.info(`migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'none pending'}`);
    stopping = true;
    await connection.close().catch(() => undefined);
    await db.stop().catch(() => undefined);
    process.exit(0);
  }
  const role = config.process.role;
  const web = role !== 'worker';
  const worker = role !== 'web';
  await system.prepare({ schema: worker, seed: worker ? undefined : false });
  const callback = system.app.callback();
  const server = http.createServer(
    web ? callback : (req, res) => (HEALTH_PATHS.has(new URL(req.url ?? '/', 'http://x').pathname) ? callback(req, res) : notHere(res)),
  );
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
  // METRICS_PORT: /metrics on a listener of its own (the public port then has none)
  const metricsPort = config.metrics.port;
  const metricsServer = metricsPort === undefined ? null : http.createServer(metricsListener(system.metrics, { token: config.metrics.token }));
  if (metricsServer) {
    await new Promise<void>((resolve) => metricsServer.listen(metricsPort, config.http.host, resolve));
    logger.info(`metrics: http://${config.http.host}:${metricsPort}/metrics (not on the public port)`);
  }
  await system.start({ jobs: worker, receivers: web });
  if (worker)
    logger.info(
      `reminder scheduler ${system.reminders.workerId}: every ${config.reminders.scheduler.tickMs} ms, digest at ${clock(config.reminders.digestMinute)} (${config.businessTz})`,
    );
  const base = config.http.publicBaseUrl;
  logger.info(
    web
      ? `ready (${role}): ${base}/ · API docs ${base}/api/docs${system.bot.sandbox ? ` · sandbox chat ${base}/sandbox` : ''} (dev login: ${config.auth.devLogin ? 'on' : 'off'})`
      : `ready (worker ${system.reminders.workerId}): health at ${base}/healthz`,
  );

  // SIGTERM/SIGINT: stop accepting, let in-flight requests, chat work and job runs finish (bounded by
  // SHUTDOWN_TIMEOUT_MS), release this process's leases, close the database, exit 0. A second signal exits at once.
  const stop = async (signal: string) => {
    stopping = true;
    logger.info(`${signal}: shutting down (at most ${config.process.shutdownTimeoutMs} ms)`);
    const timer = setTimeout(() => {
      logger.warn(`shutdown took longer than ${config.process.shutdownTimeoutMs} ms: exiting with work in progress`);
      void system.jobs
        .releaseLeases()
        .catch(() => undefined)
        .finally(() => process.exit(1));
    }, config.process.shutdownTimeoutMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // keep-alive connections go as soon as their request is answered (not after the keep-alive timeout)
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    server.closeIdleConnections();
    void closed.then(() => clearInterval(idle));
    // the metrics listener stays until the end (a scrape during the drain still sees the counters); then it goes too
    await Promise.all([closed, system.jobs.stop()]);
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    await system.stop(); // receivers, then the chat work the last requests started
    await system.jobs.releaseLeases().catch(() => undefined);
    clearTimeout(timer);
    await connection.close().catch(() => undefined);
    await db.stop().catch(() => undefined);
    logger.info('stopped');
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    void stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** What a `worker` answers over HTTP: health (for the orchestrator) and metrics; the API lives on `web`. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function notHere(res: http.ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(
    JSON.stringify({
      error: { code: 'NOT_FOUND', message: '此进程只运行后台任务（PROCESS_ROLE=worker），接口请访问 web 进程', details: null, requestId: null },
    }),
  );
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
