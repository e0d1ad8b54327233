/** `npm run seed`: adds the demo company to the configured database (idempotent). */
import { loadConfig } from '@crm/config';
import { connectMongo, ensureIndexes } from '../api/src/db/connect';
import { resolveDatabase, resolveOptionsFrom } from '../api/src/db/embedded-mongo';
import { assertSeedAllowed, seedDemoData } from '../api/src/seed/seed';
import { buildServices } from '../api/src/services';

async function main(): Promise<void> {
  const config = loadConfig(process.env); // eslint-disable-line no-restricted-properties -- entry point hands env to config
  assertSeedAllowed(config.env);
  const log = (msg: string) => console.log(`[seed] ${msg}`);
  const db = await resolveDatabase(resolveOptionsFrom(config, log));
  log(`database: ${db.description}`);
  const conn = await connectMongo(db.uri);
  try {
    const services = buildServices(conn, config);
    await ensureIndexes(conn);
    await seedDemoData(services, log);
  } finally {
    await conn.close();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
