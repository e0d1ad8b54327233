import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import mongoose from 'mongoose';
import serverPackage from '../../package.json';

/**
 * The backup archive: one gzip file of EJSON lines (canonical Extended JSON, so ObjectIds, dates, Decimal128,
 * Int64 and binary come back as they were).
 *
 *   {"$backup":"header", format, version, app, createdAt, database, consistency, collections: [{ name, options, indexes }]}
 *   {"$backup":"collection","name":"customers"}
 *   <one document per line>
 *   {"$backup":"end","name":"customers","count":1234}
 *   …
 *   {"$backup":"manifest","collections":[{ name, count }],"documents":N}
 *
 * A line holding a document never has a top-level `$backup` field (MongoDB field names do not start with `$`).
 * The manifest is last: an archive without it was cut short and is refused.
 */
export const ARCHIVE_FORMAT = 'chat-crm-backup';
/** Raised when the layout changes; restore reads every version up to its own and refuses newer ones. */
export const ARCHIVE_VERSION = 1;
export const APP_VERSION: string = serverPackage.version;

const { EJSON } = mongoose.mongo.BSON;
type Db = mongoose.mongo.Db;
type Document = mongoose.mongo.Document;
type ClientSession = mongoose.mongo.ClientSession;

export interface IndexSpec {
  name: string;
  key: Document;
  [option: string]: unknown;
}

export interface CollectionHeader {
  name: string;
  options: Document;
  indexes: IndexSpec[];
}

/** How consistent the copy is: one snapshot of the whole database, or collection by collection (stated). */
export type Consistency =
  { mode: 'snapshot'; atClusterTime: string | null; note: string } | { mode: 'per-collection'; clusterTimeAtStart: string | null; note: string };

export interface ArchiveHeader {
  $backup: 'header';
  format: typeof ARCHIVE_FORMAT;
  version: number;
  app: { name: string; version: string };
  createdAt: string;
  database: string;
  consistency: Consistency;
  collections: CollectionHeader[];
}

export interface BackupResult {
  path: string;
  bytes: number;
  documents: number;
  collections: Array<{ name: string; count: number; indexes: number }>;
  consistency: Consistency;
}

export interface RestoreResult {
  header: ArchiveHeader;
  documents: number;
  collections: Array<{ name: string; count: number; indexes: number }>;
  dropped: string[];
}

export class BackupError extends Error {
  override name = 'BackupError';
}

/** Collections a backup copies: every one of the database but MongoDB's own (`system.*`) and views. */
async function collectionsOf(db: Db): Promise<Array<{ name: string; options: Document }>> {
  const all = (await db.listCollections({}, { nameOnly: false }).toArray()) as Array<{ name: string; type?: string; options?: Document }>;
  return all
    .filter((c) => !c.name.startsWith('system.') && (c.type ?? 'collection') === 'collection')
    .map((c) => ({ name: c.name, options: c.options ?? {} }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Index specs without what the server fills in (`v`, `ns`); `_id_` is made with the collection. */
async function indexesOf(db: Db, name: string): Promise<IndexSpec[]> {
  const specs = (await db.collection(name).listIndexes().toArray()) as Array<Document & { name: string; key: Document }>;
  return specs.filter((s) => s.name !== '_id_').map(({ v: _v, ns: _ns, ...spec }) => spec as IndexSpec);
}

/**
 * A read session for the whole backup: `snapshot: true` (MongoDB 5.0+ replica sets and sharded clusters:
 * every read sees one point in time) where the server allows it; otherwise none, and the header says the
 * copy is consistent per collection only (a standalone mongod, the offline stand-in) with the cluster time
 * at the start where the server reports one.
 */
async function openReadSession(db: Db, first: string | undefined): Promise<{ session: ClientSession | null; consistency: Consistency }> {
  const client = (db as unknown as { client: mongoose.mongo.MongoClient }).client;
  if (first) {
    const session = client.startSession({ snapshot: true });
    try {
      await db.collection(first).find({}, { session }).limit(1).toArray();
      const at = (session as unknown as { snapshotTime?: { toString(): string } }).snapshotTime;
      if (!at) throw new Error('no snapshot time: the server ignored readConcern snapshot');
      return {
        session,
        consistency: {
          mode: 'snapshot',
          atClusterTime: String(at),
          note: 'one snapshot of the whole database (readConcern snapshot); must finish within minSnapshotHistoryWindowInSeconds (300 s by default)',
        },
      };
    } catch {
      await session.endSession().catch(() => undefined);
    }
  }
  let clusterTime: string | null = null;
  try {
    const hello = (await db.command({ hello: 1 })) as { $clusterTime?: { clusterTime?: unknown }; operationTime?: unknown };
    const t = hello.operationTime ?? hello.$clusterTime?.clusterTime;
    clusterTime = t ? String(t) : null;
  } catch {
    // the stand-in answers without cluster times
  }
  return {
    session: null,
    consistency: {
      mode: 'per-collection',
      clusterTimeAtStart: clusterTime,
      note: 'this database offers no snapshot reads (standalone or the offline stand-in): each collection is read as it is while the backup runs; stop the web and worker processes for a point-in-time copy',
    },
  };
}

/** Writes `line` to the gzip stream, waiting while it is full. */
async function put(gzip: NodeJS.WritableStream, line: string): Promise<void> {
  if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
}

/**
 * Backs up every collection (documents and indexes) to `path` (written as `path.partial`, renamed when
 * complete, so a file without `.partial` is always whole). `onProgress` is called every 10,000 documents.
 */
export async function backupDatabase(
  db: Db,
  path: string,
  opts: { now?: () => Date; onProgress?: (documents: number) => Promise<void> | void } = {},
): Promise<BackupResult> {
  const now = opts.now ?? (() => new Date());
  const collections = await collectionsOf(db);
  const { session, consistency } = await openReadSession(db, collections[0]?.name);
  const partial = `${path}.partial`;
  const file = createWriteStream(partial);
  const gzip = createGzip({ level: 6 });
  gzip.pipe(file);
  const done = once(file, 'close');
  const result: BackupResult = { path, bytes: 0, documents: 0, collections: [], consistency };
  try {
    const headers: CollectionHeader[] = [];
    for (const c of collections) headers.push({ name: c.name, options: c.options, indexes: await indexesOf(db, c.name) });
    const header: ArchiveHeader = {
      $backup: 'header',
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      app: { name: 'chat-crm', version: APP_VERSION },
      createdAt: now().toISOString(),
      database: db.databaseName,
      consistency,
      collections: headers,
    };
    await put(gzip, EJSON.stringify(header, { relaxed: false }));
    for (const c of headers) {
      await put(gzip, JSON.stringify({ $backup: 'collection', name: c.name }));
      let count = 0;
      const cursor = db.collection(c.name).find({}, { ...(session ? { session } : {}), batchSize: 1000, sort: { _id: 1 } });
      for await (const doc of cursor) {
        await put(gzip, EJSON.stringify(doc, { relaxed: false }));
        count += 1;
        result.documents += 1;
        if (result.documents % 10_000 === 0) await opts.onProgress?.(result.documents);
      }
      await put(gzip, JSON.stringify({ $backup: 'end', name: c.name, count }));
      result.collections.push({ name: c.name, count, indexes: c.indexes.length });
    }
    await put(
      gzip,
      JSON.stringify({ $backup: 'manifest', collections: result.collections.map(({ name, count }) => ({ name, count })), documents: result.documents }),
    );
    gzip.end();
    await done;
    result.bytes = file.bytesWritten;
    await rename(partial, path);
    return result;
  } catch (err) {
    gzip.destroy();
    file.destroy();
    await rm(partial, { force: true });
    throw err;
  } finally {
    await session?.endSession().catch(() => undefined);
  }
}

/** The header of an archive (read without restoring anything): format and version checked. */
export async function readHeader(path: string): Promise<ArchiveHeader> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) return checkHeader(line);
    throw new BackupError(`${path}: empty archive`);
  } finally {
    lines.close();
  }
}

function checkHeader(line: string): ArchiveHeader {
  let header: ArchiveHeader;
  try {
    header = EJSON.parse(line, { relaxed: false }) as ArchiveHeader;
  } catch {
    throw new BackupError('not a chat-crm backup archive (no header line)');
  }
  if (header.$backup !== 'header' || header.format !== ARCHIVE_FORMAT) throw new BackupError('not a chat-crm backup archive');
  // canonical EJSON: the version reads back as an Int32
  const version = Number(header.version);
  if (!Number.isInteger(version) || version > ARCHIVE_VERSION || version < 1)
    throw new BackupError(
      `archive format version ${String(header.version)} is not supported by this release (reads 1–${ARCHIVE_VERSION}): restore with a newer release`,
    );
  return { ...header, version };
}

/** Collections of the target database that hold documents (a restore refuses to mix into them). */
export async function nonEmptyCollections(db: Db): Promise<string[]> {
  const out: string[] = [];
  for (const c of await collectionsOf(db)) if ((await db.collection(c.name).estimatedDocumentCount()) > 0) out.push(c.name);
  return out;
}

/**
 * Restores an archive into `db`. Refuses a database with documents unless `force` (then the archive's
 * collections are dropped first; others are left and listed). Documents are inserted in batches, indexes built
 * after; counts are checked against the archive's own, and an archive cut short is refused at its end.
 */
export async function restoreDatabase(db: Db, path: string, opts: { force?: boolean; onProgress?: (documents: number) => void } = {}): Promise<RestoreResult> {
  const header = await readHeader(path);
  const occupied = await nonEmptyCollections(db);
  if (occupied.length && !opts.force)
    throw new BackupError(
      `the target database "${db.databaseName}" is not empty (${occupied.slice(0, 5).join(', ')}${occupied.length > 5 ? ', …' : ''}): restore into an empty database, or pass --force to replace these collections`,
    );
  const dropped: string[] = [];
  const existing = new Set((await collectionsOf(db)).map((c) => c.name));
  for (const c of header.collections) {
    if (existing.has(c.name)) {
      await db.collection(c.name).drop();
      dropped.push(c.name);
    }
  }
  const byName = new Map(header.collections.map((c) => [c.name, c]));
  const result: RestoreResult = { header, documents: 0, collections: [], dropped };
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let current: CollectionHeader | null = null;
  let batch: Document[] = [];
  let count = 0;
  let manifest: { collections: Array<{ name: string; count: number }>; documents: number } | null = null;
  const flush = async () => {
    if (!current || !batch.length) return;
    await db.collection(current.name).insertMany(batch, { ordered: false });
    count += batch.length;
    result.documents += batch.length;
    batch = [];
    opts.onProgress?.(result.documents);
  };
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false; // the header, read above
      continue;
    }
    if (!line) continue;
    if (line.startsWith('{"$backup":')) {
      const mark = JSON.parse(line) as {
        $backup: string;
        name?: string;
        count?: number;
        collections?: Array<{ name: string; count: number }>;
        documents?: number;
      };
      if (mark.$backup === 'collection') {
        current = byName.get(mark.name!) ?? null;
        if (!current) throw new BackupError(`archive names collection ${String(mark.name)} that its header does not list`);
        await db.createCollection(current.name, restorableOptions(current.options));
        count = 0;
      } else if (mark.$backup === 'end') {
        await flush();
        if (!current || mark.name !== current.name || mark.count !== count)
          throw new BackupError(`collection ${String(mark.name)}: archive says ${String(mark.count)} documents, restored ${count}`);
        for (const spec of current.indexes) {
          const { key, name, ...options } = spec;
          await db.collection(current.name).createIndex(key, { ...options, name });
        }
        result.collections.push({ name: current.name, count, indexes: current.indexes.length });
        current = null;
      } else if (mark.$backup === 'manifest') {
        manifest = { collections: mark.collections ?? [], documents: mark.documents ?? -1 };
      }
      continue;
    }
    if (!current) throw new BackupError('archive holds a document outside a collection section');
    batch.push(EJSON.parse(line, { relaxed: false }) as Document);
    if (batch.length >= 1000) await flush();
  }
  if (!manifest) throw new BackupError('archive is cut short (no manifest at its end): nothing after the last complete collection was restored');
  if (manifest.documents !== result.documents) throw new BackupError(`archive says ${manifest.documents} documents, restored ${result.documents}`);
  return result;
}

/** Collection options a createCollection takes back (capped size, validators, collation…), never the server's own ids. */
function restorableOptions(options: Document): Document {
  const { uuid: _uuid, ...rest } = options;
  return rest;
}
