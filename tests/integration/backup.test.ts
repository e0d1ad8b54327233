import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import mongoose, { type Connection } from 'mongoose';
import { MongoJobLeases } from '@crm/api';
import { loadConfig } from '@crm/config';
import { silentLogger } from '../../server/src/system';
import {
  ARCHIVE_VERSION,
  BackupError,
  DailyBackup,
  backupDatabase,
  dueDay,
  pruneArchives,
  readHeader,
  restoreDatabase,
  resolveArchivePath,
} from '../../server/src/backup';
import { openTestConnection, closeTestConnection, TEST_DB_KIND } from '../helpers/test-db';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Backup and restore: a seeded database backed up, wiped and restored comes back document for document
 * (EJSON-equal: ObjectIds, dates, Decimal128, Int64, binary) with every index; a non-empty target, a newer
 * format and a cut archive are refused; `npm run backup` / `restore` work against MONGODB_URI; the daily job
 * runs once a day under its lease and keeps BACKUP_KEEP archives.
 */
const { EJSON, Decimal128, Long, Binary, Int32, Double } = mongoose.mongo.BSON;
type Db = mongoose.mongo.Db;
const run = promisify(execFile);

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await startTestApp({}, { crm: true });
  // a follow-up, a deal and a contract through the API, so every module's collection holds something
  const h = { Authorization: await t.login('demo-rep1') };
  const c = await t.http
    .post('/api/v1/customers')
    .set(h)
    .send({ name: '备份测试', company: '备份测试科技有限公司', source: '官网', contacts: [{ name: '备份', phones: ['13700007777'] }] });
  await t.http
    .post('/api/v1/follow-ups')
    .set(h)
    .send({ customerId: c.body.id, type: 'visit', content: '上门', nextStep: { text: '回访', dueAt: '2031-01-01T02:00:00Z' } });
  await t.http.post('/api/v1/opportunities').set(h).send({ customerId: c.body.id, name: '备份商机', amountFen: 100 });
  // every BSON type the product or an operator might hold, in a scratch collection with a TTL, a partial and a compound index
  const scratch = t.conn.collection('backup_types');
  await scratch.insertMany([
    {
      _id: new mongoose.Types.ObjectId(),
      money: Decimal128.fromString('12345678901234567890.12'),
      big: Long.fromString('9007199254740993'),
      small: new Int32(7),
      real: new Double(2.0),
      at: new Date('2026-11-30T01:02:03.456Z'),
      bytes: new Binary(Buffer.from([0, 1, 2, 255])),
      nested: { list: [1, '二', { deep: new Date(0) }], empty: {} },
      nil: null,
      text: '中文 \u0000 "quoted"\nline',
    },
  ]);
  await scratch.insertOne({ _id: 'string-id', seq: 2 } as never); // not every _id is an ObjectId
  await scratch.createIndex({ at: 1 }, { expireAfterSeconds: 3600 * 24 * 365 * 100, name: 'at_ttl' });
  await scratch.createIndex({ seq: 1, money: -1 }, { unique: true, partialFilterExpression: { seq: { $exists: true } }, name: 'seq_money' });
  dir = mkdtempSync(path.join(tmpdir(), 'crm-backup-'));
}, 60_000);
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every collection's documents (by _id, canonical EJSON) and index specs: what must come back unchanged. */
async function snapshot(db: Db): Promise<Record<string, { docs: string[]; indexes: string[] }>> {
  const out: Record<string, { docs: string[]; indexes: string[] }> = {};
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.'));
  for (const name of names.sort()) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    const indexes = await db.collection(name).listIndexes().toArray();
    out[name] = {
      docs: docs.map((d) => EJSON.stringify(d, { relaxed: false })),
      indexes: indexes.map(({ v: _v, ns: _ns, ...spec }) => EJSON.stringify(spec, { relaxed: false })).sort(),
    };
  }
  return out;
}

async function wipe(db: Db): Promise<void> {
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) if (!c.name.startsWith('system.')) await db.collection(c.name).drop();
}

describe('backup → wipe → restore', () => {
  it('brings back every document (EJSON-equal) and every index', async () => {
    const db = t.conn.db!;
    const before = await snapshot(db);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['customers', 'contacts', 'follow_ups', 'users', 'audit_log', 'backup_types']));
    const file = path.join(dir, 'full.ejson.gz');
    const made = await backupDatabase(db, file);
    expect(made.documents).toBe(Object.values(before).reduce((n, c) => n + c.docs.length, 0));
    expect(readdirSync(dir)).toEqual(['full.ejson.gz']); // the .partial was renamed

    const header = await readHeader(file);
    expect(header).toMatchObject({ format: 'chat-crm-backup', version: ARCHIVE_VERSION, app: { name: 'chat-crm' }, database: db.databaseName });
    // the stand-in has no snapshot reads: the archive says so instead of claiming a point in time
    expect(header.consistency.mode).toBe(TEST_DB_KIND === 'mongo-java-server' ? 'per-collection' : header.consistency.mode);
    expect(
      header.collections
        .find((c) => c.name === 'backup_types')!
        .indexes.map((i) => i.name)
        .sort(),
    ).toEqual(['at_ttl', 'seq_money']);

    await wipe(db);
    expect(await snapshot(db)).toEqual({});
    const restored = await restoreDatabase(db, file);
    expect(restored.documents).toBe(made.documents);
    const after = await snapshot(db);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const name of Object.keys(before)) expect({ name, ...after[name] }).toEqual({ name, ...before[name] });

    // the types themselves, not only their text
    const typed = await db.collection('backup_types').findOne({ small: { $exists: true } });
    expect(typed!._id).toBeInstanceOf(mongoose.Types.ObjectId);
    expect(typed!.money).toBeInstanceOf(Decimal128);
    expect(String(typed!.money)).toBe('12345678901234567890.12');
    expect(typed!.at).toEqual(new Date('2026-11-30T01:02:03.456Z'));
    expect(Buffer.from((typed!.bytes as InstanceType<typeof Binary>).buffer)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('the app works on the restored database (a login and a scoped list)', async () => {
    const res = await t.http.get('/api/v1/customers?q=%E5%A4%87%E4%BB%BD').set({ Authorization: await t.login('demo-rep1') });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { name: string }) => c.name)).toContain('备份测试');
  });

  it('refuses a database that holds documents, and replaces it with --force', async () => {
    const db = t.conn.db!;
    const file = path.join(dir, 'full.ejson.gz');
    await expect(restoreDatabase(db, file)).rejects.toThrow(/is not empty/);
    const before = await snapshot(db);
    await db.collection('customers').insertOne({ name: '恢复前新增的' });
    const forced = await restoreDatabase(db, file, { force: true });
    expect(forced.dropped).toEqual(expect.arrayContaining(['customers']));
    expect(await snapshot(db)).toEqual(before);
  });

  it('restores into an empty database whose collections exist without documents (indexes already built)', async () => {
    const conn = await openTestConnection();
    try {
      await conn.db!.collection('customers').createIndex({ name: 1 });
      const r = await restoreDatabase(conn.db!, path.join(dir, 'full.ejson.gz'));
      expect(r.dropped).toEqual(['customers']);
      expect(await snapshot(conn.db!)).toEqual(await snapshot(t.conn.db!));
    } finally {
      await closeTestConnection(conn);
    }
  });

  it('refuses a newer format, a file that is not an archive, and an archive cut short (before writing what it cannot finish)', async () => {
    const lines = gunzipSync(readFileSync(path.join(dir, 'full.ejson.gz')))
      .toString('utf8')
      .split('\n');
    const header = JSON.parse(lines[0]!) as { version: unknown };
    const newer = path.join(dir, 'newer.gz');
    writeFileSync(newer, gzipSync([JSON.stringify({ ...header, version: { $numberInt: String(ARCHIVE_VERSION + 1) } }), ...lines.slice(1)].join('\n')));
    const conn = await openTestConnection();
    try {
      await expect(restoreDatabase(conn.db!, newer)).rejects.toThrow(/version 2 is not supported/);
      const junk = path.join(dir, 'junk.gz');
      writeFileSync(junk, gzipSync('customer,phone\n'));
      await expect(restoreDatabase(conn.db!, junk)).rejects.toThrow(BackupError);
      expect(await snapshot(conn.db!)).toEqual({});
      const cut = path.join(dir, 'cut.gz');
      writeFileSync(cut, gzipSync(lines.slice(0, Math.floor(lines.length / 2)).join('\n')));
      await expect(restoreDatabase(conn.db!, cut)).rejects.toThrow(/cut short/);
    } finally {
      await closeTestConnection(conn);
    }
  });
});

describe('npm run backup / npm run restore', () => {
  const cli = path.join(__dirname, '../../server/src/backup/cli.ts');
  const tsx = path.join(__dirname, '../../node_modules/tsx/dist/cli.mjs');
  const uriOf = (conn: Connection) => `mongodb://${conn.host}:${conn.port}/${conn.db!.databaseName}`;
  /** The CLI as an operator runs it: only its settings in the environment. */
  const cliRun = (args: string[], conn: Connection) =>
    run(process.execPath, [tsx, cli, ...args], {
      env: { MONGODB_URI: uriOf(conn), JWT_SECRET: 'backup-test-secret-backup-test-secret', NODE_ENV: 'development', LOG_LEVEL: 'silent' },
    });

  it('backs up MONGODB_URI into a folder and restores into another database; refuses a non-empty one', async () => {
    const out = path.join(dir, 'cli') + path.sep;
    const backup = await cliRun(['backup', '--out', out], t.conn);
    const file = backup.stdout.trim();
    expect(path.dirname(file)).toBe(path.resolve(out));
    expect(path.basename(file)).toMatch(/^crm-backup-\d{8}T\d{6}Z\.ejson\.gz$/);
    expect(backup.stderr).toMatch(/consistency: (snapshot|per-collection)/);

    const target = await openTestConnection();
    try {
      await cliRun(['restore', file], target);
      expect(await snapshot(target.db!)).toEqual(await snapshot(t.conn.db!));
      const again = await cliRun(['restore', file], target).catch((e: { code: number; stderr: string }) => e);
      expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused: the target database .* is not empty/) });
      await cliRun(['restore', file, '--force'], target);
    } finally {
      await closeTestConnection(target);
    }
  }, 120_000);
});

describe('the daily backup', () => {
  const config = loadConfig({ NODE_ENV: 'test' });

  it('is due once its time has passed in business time', () => {
    expect(dueDay(new Date('2026-11-30T19:29:00Z'), '03:30', 'Asia/Shanghai')).toBeNull(); // 03:29 on 1 Dec
    expect(dueDay(new Date('2026-11-30T19:30:00Z'), '03:30', 'Asia/Shanghai')).toBe('2026-12-01');
    expect(dueDay(new Date('2026-11-30T15:00:00Z'), '03:30', 'Asia/Shanghai')).toBe('2026-11-30'); // 23:00 the day before
  });

  it('is off unless BACKUP_DAILY_AT is set, keeps 7 by default', () => {
    expect(config.backup).toMatchObject({ dailyAt: null, keep: 7 });
    expect(loadConfig({ NODE_ENV: 'test', BACKUP_DAILY_AT: '03:30', BACKUP_KEEP: '3', BACKUP_DIR: '/srv/backups' }).backup).toMatchObject({
      dailyAt: '03:30',
      keep: 3,
      dir: '/srv/backups',
    });
    expect(() => loadConfig({ NODE_ENV: 'test', BACKUP_DAILY_AT: '25:00' })).toThrow(/BACKUP_DAILY_AT/);
  });

  it('runs once a day across processes (lease, day recorded done) and keeps the newest BACKUP_KEEP archives', async () => {
    const daily = path.join(dir, 'daily');
    const settings = { ...config.backup, dir: daily, dailyAt: '03:30', keep: 2 };
    let now = new Date('2026-11-30T20:00:00Z');
    const make = (holder: string) =>
      new DailyBackup({
        db: () => t.conn.db!,
        leases: new MongoJobLeases(t.conn),
        holder,
        settings,
        businessTz: 'Asia/Shanghai',
        now: () => now,
        logger: silentLogger(),
      });
    const [a, b] = [make('worker-a'), make('worker-b')];
    const first = await Promise.all([a.runDue(), b.runDue()]);
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await b.runDue()).toBeNull(); // done for 2026-12-01
    for (let day = 1; day <= 3; day++) {
      now = new Date(now.getTime() + 86_400_000);
      expect(await (day % 2 ? a : b).runDue()).not.toBeNull();
    }
    expect(readdirSync(daily).sort()).toEqual(['crm-backup-20261202T200000Z.ejson.gz', 'crm-backup-20261203T200000Z.ejson.gz']);
  });

  it('names files by UTC time and prunes only its own', async () => {
    const p = path.join(dir, 'prune');
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(await resolveArchivePath(undefined, p, at)).toBe(path.join(p, 'crm-backup-20260102T030405Z.ejson.gz'));
    expect(await resolveArchivePath(path.join(p, 'mine.gz'), p, at)).toBe(path.join(p, 'mine.gz'));
    for (const n of [
      'crm-backup-20260101T000000Z.ejson.gz',
      'crm-backup-20260102T000000Z.ejson.gz',
      'notes.txt',
      'crm-backup-20260103T000000Z.ejson.gz.partial',
    ])
      writeFileSync(path.join(p, n), 'x');
    expect(await pruneArchives(p, 1)).toEqual(['crm-backup-20260101T000000Z.ejson.gz']);
    expect(readdirSync(p).sort()).toEqual(['crm-backup-20260102T000000Z.ejson.gz', 'crm-backup-20260103T000000Z.ejson.gz.partial', 'notes.txt']);
  });
});
