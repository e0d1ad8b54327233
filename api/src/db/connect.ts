import mongoose, { type Connection } from 'mongoose';

/** One connection per process (or per test file); never the mongoose global, so tests can hold many. */
export async function connectMongo(uri: string): Promise<Connection> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false });
  await conn.asPromise();
  return conn;
}

/** Creates every declared index of every model registered on the connection (never drops one). */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.createIndexes();
}
