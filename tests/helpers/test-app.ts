import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig, type Config } from '@crm/config';
import { ReminderScheduler, seedDemoData, type SeedResult, type Services } from '@crm/api';
import type { Bot } from '@crm/bot';
import { buildSystem, silentLogger, type System } from '@crm/server';
import { closeTestConnection, openTestConnection, TEST_DB_KIND } from './test-db';

export interface TestApp {
  config: Config;
  conn: Connection;
  services: Services;
  /** The graph `npm start` runs (services, bot, app, jobs), built by the same buildSystem. */
  system: System;
  seeded: SeedResult;
  bot: Bot;
  http: ReturnType<typeof supertest>;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Listens on 127.0.0.1 (for a real browser); returns the base URL. Closed by close(). */
  listen(): Promise<string>;
  /** A reminder scheduler on this app's clock (not started: tests call tick()). */
  scheduler(workerId?: string): ReminderScheduler;
  /** Dev-login as a demo user (WeCom userid) and return the bearer header value. */
  login(login: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real app on a fresh database with the demo org seeded (demo customers too with `{ crm: true }`);
 * only the listening socket is left out. `now` pins the clock of the services, the bot and the scheduler.
 */
export async function startTestApp(env: Record<string, string> = {}, seed: { crm?: boolean; now?: () => Date } = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', ...env });
  const conn = await openTestConnection();
  const now = seed.now ?? (() => new Date());
  const logs: Array<Record<string, unknown>> = [];
  const requestLogger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const system = buildSystem(config, { connection: conn, databaseKind: TEST_DB_KIND, logger: silentLogger(), requestLogger, now });
  const { services, bot, app } = system;
  await system.prepare({ seed: false });
  const seeded = await seedDemoData(services, () => undefined, { crm: seed.crm ?? false });
  await services.customers.backfillIdentityClaims();
  const request = supertest(app.callback() as unknown as Server);
  const tokens = new Map<string, string>();
  let server: Server | null = null;
  return {
    config,
    conn,
    services,
    system,
    seeded,
    bot,
    http: request,
    logs,
    scheduler(workerId?: string) {
      return new ReminderScheduler(services.reminders, bot.reminderSender, {
        policy: config.reminders,
        businessTz: config.businessTz,
        logger: pino({ level: 'silent' }),
        now,
        workerId,
      });
    },
    async login(login: string) {
      const cached = tokens.get(login);
      if (cached) return cached;
      const res = await request.post('/api/v1/auth/dev-login').send({ login });
      if (res.status !== 200) throw new Error(`dev-login ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
      const header = `Bearer ${res.body.token as string}`;
      tokens.set(login, header);
      return header;
    },
    async listen() {
      server = http.createServer(app.callback());
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await system.stop(); // jobs (never started here), chat work, approval cards and notices in the background
      await closeTestConnection(conn);
    },
  };
}
