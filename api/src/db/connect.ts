import mongoose, { type Connection } from 'mongoose';

export interface ConnectOptions {
  /**
   * How long an operation waits for a reachable server (server selection) and an HTTP request for a database
   * that stopped answering (config.database.requestTimeoutMs, default 1.5 s).
   */
  requestTimeoutMs?: number;
  /** Upper bound of one operation (config.database.operationTimeoutMs, default 10 s): maxTimeMS, and the socket timeout a bit above. */
  operationTimeoutMs?: number;
}

/** How often the driver checks the server (the DatabaseHealth tracker reads the answers). */
export const HEARTBEAT_FREQUENCY_MS = 1_000;

/**
 * The driver options that keep every wait bounded: nothing is buffered while disconnected (an operation fails
 * at once, or after server selection), server selection gives up after requestTimeoutMs, a new connection after
 * connectTimeoutMS, a socket that stops answering after operationTimeoutMs + 2 s, and queries carry maxTimeMS.
 * The driver reconnects by itself when the server is back.
 */
export function mongoOptions(opts: ConnectOptions = {}): mongoose.ConnectOptions {
  const requestTimeoutMs = opts.requestTimeoutMs ?? 1_500;
  const operationTimeoutMs = opts.operationTimeoutMs ?? 10_000;
  return {
    autoIndex: false,
    bufferCommands: false,
    serverSelectionTimeoutMS: Math.min(requestTimeoutMs, 1_000),
    connectTimeoutMS: Math.max(2_000, requestTimeoutMs),
    socketTimeoutMS: operationTimeoutMs + 2_000,
    heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
    serverMonitoringMode: 'poll',
    // command latency for /metrics (crm_db_command_duration_seconds, see instrumentMongo)
    monitorCommands: true,
  };
}

/** One connection per process (or per test file); never the mongoose global, so tests can hold many. */
export async function connectMongo(uri: string, opts: ConnectOptions = {}): Promise<Connection> {
  const conn = mongoose.createConnection(uri, mongoOptions(opts));
  conn.set('maxTimeMS', opts.operationTimeoutMs ?? 10_000);
  await conn.asPromise();
  return conn;
}

/**
 * connectMongo, retried while the server is not reachable yet (a database that starts after us, a fail-over
 * at deploy time): up to `waitMs`, with a log line per attempt.
 */
export async function connectMongoWaiting(uri: string, opts: ConnectOptions & { waitMs: number; log: (msg: string) => void }): Promise<Connection> {
  const until = Date.now() + opts.waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectMongo(uri, opts);
    } catch (err) {
      if (Date.now() >= until) throw err;
      opts.log(`database not reachable yet (attempt ${attempt}: ${(err as Error).message.split('\n')[0]}); retrying`);
      await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * attempt)));
    }
  }
}

/** Creates every declared index of every model registered on the connection (never drops one). */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.createIndexes();
}
