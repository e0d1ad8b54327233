import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@crm/config';
import { resolveDatabase, type ResolvedDatabase } from '../../server/src/dev-db';

declare global {
  var __CRM_TEST_DB__: ResolvedDatabase | undefined;
}

/**
 * One database server for the whole run (TEST_MONGODB_URI if given, else the embedded chain);
 * every test file opens its own database on it (see test-db.ts).
 */
export default async function globalSetup(): Promise<void> {
  const db = await resolveDatabase({
    mongodbUri: process.env.TEST_MONGODB_URI || undefined,
    persistent: false,
    dataDir: path.join(os.tmpdir(), `crm-test-${process.pid}`),
    cacheDir: path.join(REPO_ROOT, '.cache'),
    dbName: 'crm_test',
    systemBinary: process.env.MONGOMS_SYSTEM_BINARY || undefined,
    pathEnv: process.env.PATH,
    log: (msg) => process.stderr.write(`[test db] ${msg}\n`),
  });
  process.stderr.write(`\n[test db] ${db.description}\n`);
  globalThis.__CRM_TEST_DB__ = db;
  process.env.CRM_TEST_MONGODB_URI = db.uri;
  process.env.CRM_TEST_DB_KIND = db.kind;
}
