import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';

/**
 * Whether the database is answering, from the driver's own heartbeats (a `hello` every heartbeatFrequencyMS,
 * polled). A database that was killed fails its heartbeats at once; one that is frozen (SIGSTOP, a stuck VM,
 * a network black hole) simply stops producing successful ones: `answering()` turns false when the last
 * success is older than the heartbeat interval plus a margin. The request deadline and /readyz read it, so
 * neither has to wait for a socket timeout to know.
 */
export class DatabaseHealth extends EventEmitter {
  private lastOkAt = Date.now();
  private lastFailedAt = 0;
  private readonly staleAfterMs: number;

  constructor(
    private readonly conn: Connection,
    private readonly now: () => number = Date.now,
  ) {
    super();
    const client = conn.getClient();
    const frequency = client.options.heartbeatFrequencyMS ?? 10_000;
    this.staleAfterMs = frequency + HEARTBEAT_MARGIN_MS;
    client.on('serverHeartbeatSucceeded', () => {
      this.lastOkAt = this.now();
    });
    client.on('serverHeartbeatFailed', () => {
      this.lastFailedAt = this.now();
    });
  }

  /** False while the database is known not to answer (failed heartbeats, or none for longer than expected). */
  answering(): boolean {
    if (this.conn.readyState !== 1 && this.conn.readyState !== 2) return false;
    const t = this.now();
    if (this.lastFailedAt > this.lastOkAt) return false;
    return t - this.lastOkAt <= this.staleAfterMs;
  }

  /** Milliseconds since the last successful heartbeat (for logs and /readyz). */
  silentForMs(): number {
    return this.now() - this.lastOkAt;
  }
}

/** Heartbeats may come a little late on a busy machine; this much lateness is not yet an outage. */
export const HEARTBEAT_MARGIN_MS = 750;

const byConnection = new WeakMap<Connection, DatabaseHealth>();

/** One tracker per connection (the app, the bot and the server share it). */
export function databaseHealth(conn: Connection): DatabaseHealth {
  let h = byConnection.get(conn);
  if (!h) {
    h = new DatabaseHealth(conn);
    byConnection.set(conn, h);
  }
  return h;
}
