import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';

/** Which server the run uses: 'mongo-java-server' is the offline stand-in, not MongoDB. */
export const TEST_DB_KIND = process.env.CRM_TEST_DB_KIND ?? 'unknown';

/** A fresh database for one test file; drop it with closeTestConnection. `options`: more driver options (e.g. monitorCommands). */
export async function openTestConnection(options: mongoose.ConnectOptions = {}): Promise<Connection> {
  const uri = process.env.CRM_TEST_MONGODB_URI;
  if (!uri) throw new Error('CRM_TEST_MONGODB_URI is not set: run the tests through jest (globalSetup starts the database)');
  const dbName = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const conn = mongoose.createConnection(uri, { dbName, autoIndex: false, serverSelectionTimeoutMS: 10_000, ...options });
  await conn.asPromise();
  return conn;
}

export async function closeTestConnection(conn: Connection): Promise<void> {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
}
