/**
 * `npm run reports:rebuild`: recomputes every report roll-up from the records into a new generation and switches
 * the reports to it (api/src/modules/report/report.rollups.ts). Safe to run at any time (reports keep answering
 * from the old generation meanwhile); changes made while it runs may be off until the next run, so prefer a quiet hour.
 */
import { loadConfig } from '@crm/config';
import { buildServices, connectMongo, ensureIndexes } from '@crm/api';
import { openDatabase } from '@crm/server';

async function main(): Promise<void> {
  const config = loadConfig(process.env); // eslint-disable-line no-restricted-properties -- entry point hands env to config
  const log = (msg: string) => console.log(`[reports:rebuild] ${msg}`);
  const db = await openDatabase(config, log);
  log(`database: ${db.description}`);
  // a rebuild reads every record: no per-operation limit
  const conn = await connectMongo(db.uri, { operationTimeoutMs: 3_600_000 });
  try {
    const services = buildServices(conn, config);
    await ensureIndexes(conn);
    const r = await services.reports.rollups.rebuild(log);
    log(`done: generation ${r.gen}, ${r.documents} documents from ${JSON.stringify(r.counted)} in ${(r.tookMs / 1000).toFixed(1)} s`);
  } finally {
    await conn.close();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
