/** `npm run seed`: adds the demo company to the configured database (idempotent). */
import { loadConfig } from '@crm/config';
import { assertSeedAllowed, buildServices, connectMongo, ensureIndexes, seedDemoData } from '@crm/api';
import { openDatabase } from '@crm/server';

async function main(): Promise<void> {
  const config = loadConfig(process.env); // eslint-disable-line no-restricted-properties -- entry point hands env to config
  assertSeedAllowed(config.env);
  const log = (msg: string) => console.log(`[seed] ${msg}`);
  const db = await openDatabase(config, log);
  log(`database: ${db.description}`);
  const conn = await connectMongo(db.uri);
  try {
    const services = buildServices(conn, config);
    await ensureIndexes(conn);
    await seedDemoData(services, log);
    // the seed writes around the services' listeners: count it into the report roll-ups
    await services.reports.rollups.rebuild(log);
  } finally {
    await conn.close();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
