/**
 * `npm start`: configuration → database → the system (buildSystem) → listen → jobs. The only place that
 * hands process.env to the configuration, and the only one that listens or handles signals.
 */
import http from 'node:http';
import { ConfigError, loadConfig, maskConfig } from '@crm/config';
import { connectMongoWaiting, createLogger } from '@crm/api';
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
  await system.prepare();
  const server = http.createServer(system.app.callback());
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
  await system.start();
  logger.info(
    `reminder scheduler ${system.reminders.workerId}: every ${config.reminders.scheduler.tickMs} ms, digest at ${clock(config.reminders.digestMinute)} (${config.businessTz})`,
  );
  const base = config.http.publicBaseUrl;
  logger.info(
    `ready: ${base}/ · API docs ${base}/api/docs${system.bot.sandbox ? ` · sandbox chat ${base}/sandbox` : ''} (dev login: ${config.auth.devLogin ? 'on' : 'off'})`,
  );

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    server.close();
    await system.stop();
    await connection.close().catch(() => undefined);
    await db.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
