import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import mongoose from 'mongoose';
import { REPO_ROOT } from '@crm/config';
import { NoDatabaseError, resolveDatabase } from './embedded-mongo';

const base = {
  dbName: 'embedded_test',
  cacheDir: path.join(REPO_ROOT, '.cache'),
  log: () => undefined,
};

describe('resolveDatabase', () => {
  it('uses MONGODB_URI as given and starts nothing, masking the password in the description', async () => {
    const db = await resolveDatabase({ ...base, mongodbUri: 'mongodb://crm:s3cret@db.example:27017/crm', persistent: true, dataDir: '/nonexistent' });
    expect(db.kind).toBe('uri');
    expect(db.uri).toBe('mongodb://crm:s3cret@db.example:27017/crm');
    expect(db.description).not.toContain('s3cret');
    await db.stop();
  });

  it('fails with one message naming every step tried and how to fix it', async () => {
    const err = await resolveDatabase({
      ...base,
      persistent: false,
      dataDir: os.tmpdir(),
      systemBinary: '/no/such/mongod',
      skip: ['memory-server', 'mongo-java-server'],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoDatabaseError);
    const message = (err as Error).message;
    expect(message).toContain('local mongod: MONGOMS_SYSTEM_BINARY points at /no/such/mongod, which does not exist');
    expect(message).toContain('mongodb-memory-server: skipped');
    expect(message).toContain('mongo-java-server');
    expect(message).toMatch(/set MONGODB_URI/);
  });

  it('keeps data between runs with the on-disk stand-in (npm start)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-h2-'));
    try {
      const opts = { ...base, persistent: true, dataDir, skip: ['system-mongod' as const, 'memory-server' as const] };
      const first = await resolveDatabase(opts);
      expect(first.kind).toBe('mongo-java-server');
      expect(first.dataLocation).toContain(dataDir);
      let conn = await mongoose.createConnection(first.uri).asPromise();
      await conn.db!.collection('probe').insertOne({ hello: '世界' });
      await conn.close();
      await first.stop();

      const second = await resolveDatabase(opts);
      conn = await mongoose.createConnection(second.uri).asPromise();
      expect(await conn.db!.collection('probe').findOne({}, { projection: { _id: 0 } })).toEqual({ hello: '世界' });
      await conn.close();
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
