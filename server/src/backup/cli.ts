/**
 * `npm run backup [-- --out <folder or file>]` and `npm run restore -- <archive> [--force]`, against the
 * configured database: MONGODB_URI, else the embedded development database (its data file under DATA_DIR:
 * stop `npm start` first, one process at a time opens it).
 */
import { loadConfig } from '@crm/config';
import { connectMongo } from '@crm/api';
import { openDatabase } from '../database';
import { BackupError, backupDatabase, readHeader, restoreDatabase } from './archive';
import { resolveArchivePath } from './daily';

const USAGE = 'usage: npm run backup [-- --out <folder or file>]\n       npm run restore -- <archive.ejson.gz> [--force]';

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const config = loadConfig(process.env); // eslint-disable-line no-restricted-properties -- entry point hands env to config
  const log = (msg: string) => console.error(`[${command ?? 'backup'}] ${msg}`);
  if (command !== 'backup' && command !== 'restore') {
    console.error(USAGE);
    return 2;
  }
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  if (outAt >= 0 && !out) {
    console.error(USAGE);
    return 2;
  }
  const archive = command === 'restore' ? args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out') : undefined;
  if (command === 'restore' && !archive) {
    console.error(USAGE);
    return 2;
  }
  if (archive) await readHeader(archive); // a wrong file is refused before any database is opened

  const db = await openDatabase(config, log);
  log(`database: ${db.description}`);
  // a long copy on a busy server: patient heartbeats and sockets (the app's defaults give up after seconds)
  const conn = await connectMongo(db.uri, { requestTimeoutMs: 30_000, operationTimeoutMs: 30 * 60_000 });
  try {
    const mongoDb = conn.db!;
    if (command === 'backup') {
      const file = await resolveArchivePath(out, config.backup.dir, new Date());
      const r = await backupDatabase(mongoDb, file, { onProgress: (n) => log(`${n} documents…`) });
      log(`consistency: ${r.consistency.mode} — ${r.consistency.note}`);
      for (const c of r.collections) log(`  ${c.name}: ${c.count} documents, ${c.indexes} indexes`);
      log(`wrote ${r.documents} documents of ${r.collections.length} collections, ${(r.bytes / 1024).toFixed(1)} KB`);
      console.log(file);
    } else {
      const header = await readHeader(archive!);
      log(`archive of ${header.createdAt} (chat-crm ${header.app.version}, format ${header.version}, ${header.consistency.mode})`);
      const r = await restoreDatabase(mongoDb, archive!, { force: args.includes('--force') });
      if (r.dropped.length) log(`replaced: ${r.dropped.join(', ')}`);
      for (const c of r.collections) log(`  ${c.name}: ${c.count} documents, ${c.indexes} indexes`);
      log(`restored ${r.documents} documents of ${r.collections.length} collections into "${mongoDb.databaseName}"`);
    }
    return 0;
  } finally {
    await conn.close();
    await db.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof BackupError ? `refused: ${err.message}` : err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
