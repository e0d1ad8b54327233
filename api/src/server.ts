/**
 * The composition root: config → logger → database → services → HTTP app → listen.
 * `npm start` runs this file; it is the only place that reads process.env (through loadConfig).
 */
import http from 'node:http';
import { ConfigError, loadConfig, maskConfig } from '@crm/config';
import { createApp } from './app';
import { connectMongoWaiting, ensureIndexes } from './db/connect';
import { isDatabaseUnavailable } from './db/unavailable';
import { NoDatabaseError, resolveDatabase, resolveOptionsFrom } from './db/embedded-mongo';
import { createLogger } from './logger';
import { isEmpty, seedDemoData } from './seed/seed';
import { buildServices } from './services';
import { createBot } from '../../bot/src';
import { ReminderScheduler } from './modules/reminder/reminder.scheduler';

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

  const db = await resolveDatabase(resolveOptionsFrom(config, (msg) => logger.info(msg))).catch((err: unknown) => {
    if (err instanceof NoDatabaseError) {
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
  // periodic work during an outage: one short warn per round (it runs again next round), not an error with a stack
  const backgroundFailure = (what: string) => (err: unknown) => {
    if (isDatabaseUnavailable(err)) logger.warn(`${what}: database unavailable, trying again next round`);
    else logger.error({ err }, what);
  };
  const services = buildServices(connection, config);
  const bot = createBot({ conn: connection, services, logger, config });
  await ensureIndexes(connection);
  if (config.database.seedOnEmpty && config.env !== 'production' && (await isEmpty(services))) {
    logger.info('empty database: seeding the demo company (npm run seed does the same)');
    await seedDemoData(services, (msg) => logger.info(msg));
  }
  // Customers written before identity claims existed get theirs (idempotent; oldest customer wins).
  const backfill = await services.customers.backfillIdentityClaims();
  if (backfill.claimed) logger.info(backfill, 'customer identity claims backfilled');

  const app = createApp({ config, logger, connection, databaseKind: db.kind, services, extraRouters: bot.routers });
  const server = http.createServer(app.callback());
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
  // Events acknowledged by a process that stopped before handling them: picked up at start and every minute.
  const recover = () => void bot.app.recoverPending().catch(backgroundFailure('recovering unhandled chat events failed'));
  // Creates whose side effects (contacts, audit entry, customer times, reminder) a stopped process left pending.
  const finishRecords = () =>
    void Promise.all([services.customers.recoverPending(), services.followUps.recoverPending()]).catch(
      backgroundFailure('finishing pending record effects failed'),
    );
  recover();
  finishRecords();
  const recovery = setInterval(() => (recover(), finishRecords()), 60_000);
  recovery.unref();
  const scheduler = new ReminderScheduler(services.reminders, bot.reminderSender, {
    policy: config.reminders,
    businessTz: config.businessTz,
    logger: logger.child({ component: 'scheduler' }),
    now: () => new Date(),
  });
  scheduler.start();
  logger.info(
    `reminder scheduler ${scheduler.workerId}: every ${config.reminders.scheduler.tickMs} ms, digest at ${clock(config.reminders.digestMinute)} (${config.businessTz})`,
  );
  // Approval reminders, escalations and card refreshes: idempotent, safe with several processes.
  const sweepApprovals = () =>
    void services.approvals
      .sweep()
      .then((r) => (r.failed ? logger.warn(r, 'approval sweep: some approvals failed, retried next time') : undefined))
      .catch(backgroundFailure('approval sweep failed'));
  const approvalSweep = setInterval(sweepApprovals, config.approvals.sweepIntervalSeconds * 1000);
  approvalSweep.unref();
  if (bot.dingtalkStream)
    await bot.dingtalkStream.start().catch((err: unknown) => logger.error({ err }, 'DingTalk stream could not connect; retrying in the background'));
  const base = config.http.publicBaseUrl;
  logger.info(
    `ready: ${base}/ · API docs ${base}/api/docs${bot.sandbox ? ` · sandbox chat ${base}/sandbox` : ''} (dev login: ${config.auth.devLogin ? 'on' : 'off'})`,
  );

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    server.close();
    clearInterval(recovery);
    await scheduler.stop();
    clearInterval(approvalSweep);
    bot.dingtalkStream?.stop();
    await bot.inFlight.drain();
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
