import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Schema, type Connection } from 'mongoose';
import { REPO_ROOT } from '@crm/config';
import { MONGO_JAVA_SERVER_DIR, MONGO_JAVA_SERVER_VERSION, NoDatabaseError, resolveDatabase, type ResolvedDatabase, type ResolveOptions } from '.';

const base = {
  dbName: 'embedded_test',
  cacheDir: path.join(REPO_ROOT, '.cache'),
  log: () => undefined,
};
const JAVA_ONLY: ResolveOptions['skip'] = ['system-mongod', 'memory-server'];

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A stand-in `mongod` for the plumbing of step 2 (no real mongod on CI machines): checks its arguments, listens on
 * --port, exits 0 on SIGTERM. FAKE_MODE=crash prints a line and exits 1 instead.
 */
function writeFakeMongod(dir: string, mode: 'ok' | 'crash'): string {
  const js = path.join(dir, 'fake-mongod.js');
  writeFileSync(
    js,
    `
const net = require('node:net'); const fs = require('node:fs');
const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
if (${JSON.stringify(mode)} === 'crash') { console.log('fake mongod: exception in initAndListen: DBPathInUse'); process.exit(1); }
if (!fs.statSync(arg('--dbpath')).isDirectory() || arg('--bind_ip') !== '127.0.0.1') process.exit(2);
fs.writeFileSync(require('node:path').join(arg('--dbpath'), 'pid'), String(process.pid));
const server = net.createServer((s) => s.end()).listen(Number(arg('--port')), '127.0.0.1', () => console.log('Waiting for connections'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  );
  const bin = path.join(dir, 'mongod');
  writeFileSync(bin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(js)} "$@"\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe('resolveDatabase: the chain', () => {
  it('uses MONGODB_URI as given and starts nothing, masking the password in the description', async () => {
    const db = await resolveDatabase({ ...base, mongodbUri: 'mongodb://crm:s3cret@db.example:27017/crm', persistent: true, dataDir: '/nonexistent' });
    expect(db).toMatchObject({ kind: 'uri', uri: 'mongodb://crm:s3cret@db.example:27017/crm', dataLocation: null });
    expect(db.description).toContain('db.example:27017');
    expect(db.description).not.toContain('s3cret');
    await db.stop();
  });

  it('fails with one NoDatabaseError naming every step tried, why it failed, and how to fix it', async () => {
    const err = await resolveDatabase({
      ...base,
      persistent: false,
      dataDir: os.tmpdir(),
      systemBinary: '/no/such/mongod',
      skip: ['memory-server', 'mongo-java-server'],
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoDatabaseError);
    const { message, attempts } = err as NoDatabaseError;
    expect(attempts.map((a) => a.step)).toEqual([
      'MONGODB_URI',
      'local mongod',
      'mongodb-memory-server',
      `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (offline stand-in)`,
    ]);
    expect(message).toContain('1. MONGODB_URI: not set');
    expect(message).toContain('2. local mongod: MONGOMS_SYSTEM_BINARY points at /no/such/mongod, which does not exist');
    expect(message).toContain('3. mongodb-memory-server: skipped');
    expect(message).toContain('4. mongo-java-server 1.47.0 (offline stand-in): skipped');
    expect(message).toMatch(/set MONGODB_URI/);
    expect(message).toMatch(/install mongod/);
    expect(message).toMatch(/Java 17 and Maven/);
  });

  it('finds mongod on the given PATH, starts it on a loopback port with a temporary --dbpath, and removes that on stop', async () => {
    const dir = tempDir('crm-fake-mongod-');
    try {
      writeFakeMongod(dir, 'ok');
      const db = await resolveDatabase({
        ...base,
        persistent: false,
        dataDir: dir,
        pathEnv: ['/no/such/dir', dir].join(path.delimiter),
        skip: ['memory-server', 'mongo-java-server'],
      });
      expect(db.kind).toBe('system-mongod');
      expect(db.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/embedded_test$/);
      expect(db.dataLocation).toBeTruthy();
      const pid = Number(readFileSync(path.join(db.dataLocation!, 'pid'), 'utf8'));
      await db.stop();
      expect(existsSync(db.dataLocation!)).toBe(false);
      expect(() => process.kill(pid, 0)).toThrow(); // the mongod itself is gone, not only its watchdog
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("quotes a mongod's last output when it exits before accepting connections", async () => {
    const dir = tempDir('crm-fake-mongod-');
    try {
      const err = await resolveDatabase({
        ...base,
        persistent: false,
        dataDir: dir,
        systemBinary: writeFakeMongod(dir, 'crash'),
        skip: ['memory-server', 'mongo-java-server'],
      }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NoDatabaseError);
      expect((err as Error).message).toMatch(/local mongod: mongod exited \(code 1\) before it was ready: .*DBPathInUse/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pins the same mongo-java-server version in the pom and in the code', () => {
    const pom = readFileSync(path.join(MONGO_JAVA_SERVER_DIR, 'pom.xml'), 'utf8');
    expect(pom).toContain(`<mongo-java-server.version>${MONGO_JAVA_SERVER_VERSION}</mongo-java-server.version>`);
  });
});

/** What the CRM's services rely on, checked on both backends of the offline stand-in. */
describe.each([
  ['memory backend (tests)', false],
  ['H2 backend (npm start)', true],
])('mongo-java-server, %s', (_label, persistent) => {
  const dataDir = tempDir('crm-mjs-');
  const options: ResolveOptions = { ...base, persistent, dataDir, skip: JAVA_ONLY };
  let db: ResolvedDatabase;
  let conn: Connection;

  const customerSchema = new Schema({
    name: { type: String, required: true },
    code: { type: String, required: true },
    wecomId: { type: String },
    ownerId: { type: String, default: null },
    stage: { type: String, default: 'lead' },
    amount: { type: Number, default: 0 },
  });
  customerSchema.index({ code: 1 }, { unique: true });
  customerSchema.index({ wecomId: 1 }, { unique: true, sparse: true });
  customerSchema.index({ ownerId: 1, _id: -1 });

  async function open(): Promise<void> {
    db = await resolveDatabase(options);
    conn = await mongoose.createConnection(db.uri, { autoIndex: false, serverSelectionTimeoutMS: 10_000 }).asPromise();
    conn.model('Customer', customerSchema);
  }
  const Customer = () => conn.model('Customer');

  beforeAll(open);
  afterAll(async () => {
    await conn?.close();
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the offline stand-in, on loopback, with the data where it says', () => {
    expect(db.kind).toBe('mongo-java-server');
    expect(db.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/embedded_test$/);
    expect(db.description).toContain(`mongo-java-server ${MONGO_JAVA_SERVER_VERSION}`);
    if (persistent) {
      expect(db.dataLocation).toBe(path.join(dataDir, 'crm.h2.mv.db'));
      expect(existsSync(db.dataLocation!)).toBe(true);
    } else {
      expect(db.dataLocation).toBeNull();
    }
  });

  it('syncIndexes creates the declared indexes (unique, unique + sparse, compound)', async () => {
    await Customer().syncIndexes();
    const indexes = (await Customer().listIndexes()) as Array<{ name: string; unique?: boolean; sparse?: boolean }>;
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i]));
    expect(Object.keys(byName).sort()).toEqual(['_id_', 'code_1', 'ownerId_1__id_-1', 'wecomId_1']);
    expect(byName.code_1?.unique).toBe(true);
    expect(byName.wecomId_1).toMatchObject({ unique: true, sparse: true });
  });

  it('a unique index rejects duplicates with code 11000 (create, updateOne), a sparse one ignores missing values', async () => {
    await Customer().create({ name: '华为', code: 'C-1' });
    await expect(Customer().create({ name: '华为 2', code: 'C-1' })).rejects.toMatchObject({ code: 11000 });
    await Customer().create({ name: '腾讯', code: 'C-2' });
    await expect(Customer().updateOne({ code: 'C-2' }, { $set: { code: 'C-1' } })).rejects.toMatchObject({ code: 11000 });
    await Customer().create([
      { name: 'a', code: 'C-3' },
      { name: 'b', code: 'C-4' },
    ]); // no wecomId on either: fine under unique + sparse
    await Customer().create({ name: 'c', code: 'C-5', wecomId: 'wx-1' });
    await expect(Customer().create({ name: 'd', code: 'C-6', wecomId: 'wx-1' })).rejects.toMatchObject({ code: 11000 });
  });

  it('a conditional findOneAndUpdate has exactly one winner among 20 concurrent claimers (5 rounds)', async () => {
    for (let round = 0; round < 5; round++) {
      const lead = await Customer().create({ name: `公海客户 ${round}`, code: `POOL-${round}` });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          Customer()
            .findOneAndUpdate({ _id: lead._id, ownerId: null }, { $set: { ownerId: `u${i}` } }, { returnDocument: 'after' })
            .lean<{ ownerId: string }>(),
        ),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const stored = await Customer().findById(lead._id).lean<{ ownerId: string }>();
      expect(stored?.ownerId).toBe(winners[0]!.ownerId);
    }
  });

  it('aggregate $match / $group / $sort works', async () => {
    await Customer().insertMany([
      { name: 'x1', code: 'AG-1', stage: 'won', amount: 100 },
      { name: 'x2', code: 'AG-2', stage: 'won', amount: 50 },
      { name: 'x3', code: 'AG-3', stage: 'lost', amount: 70 },
      { name: 'x4', code: 'AG-4', stage: 'lead', amount: 999 },
    ]);
    const rows = await Customer().aggregate<{ _id: string; total: number; n: number }>([
      { $match: { code: /^AG-/, stage: { $in: ['won', 'lost'] } } },
      { $group: { _id: '$stage', total: { $sum: '$amount' }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(rows).toEqual([
      { _id: 'lost', total: 70, n: 1 },
      { _id: 'won', total: 150, n: 2 },
    ]);
  });

  if (persistent) {
    it('keeps documents and unique indexes across a stop and a new start with the same dataDir', async () => {
      await Customer().create({ name: '重启前写入的客户', code: 'KEEP-1' });
      await conn.close();
      await db.stop();

      await open();
      expect(db.dataLocation).toBe(path.join(dataDir, 'crm.h2.mv.db'));
      expect(await Customer().findOne({ code: 'KEEP-1' }).lean()).toMatchObject({ name: '重启前写入的客户' });
      expect(await Customer().countDocuments({ code: /^AG-/ })).toBe(4);
      await expect(Customer().create({ name: 'again', code: 'KEEP-1' })).rejects.toMatchObject({ code: 11000 });
    });
  }
});
