import Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { AppState } from '../../context';
import type { DatabaseHealth } from '../../db/database-health';
import { AppError, CommonErrorCode, DATABASE_RETRY_AFTER_SECONDS } from '../../errors/app-error';

/** /readyz never takes longer than this, whatever the database does. */
export const READY_PING_TIMEOUT_MS = 800;

/**
 * One more dependency /readyz reports (the job runner, a platform's token fetch): a cached state, never a live
 * call per probe. Only the database decides ready or not; the others are reported for the operator.
 */
export interface ReadinessCheck {
  name: string;
  state(): { state: string };
}

/**
 * /healthz: the process answers (never touches the database). /readyz: the database answers a ping within 1 s,
 * with the state of each other dependency (`checks`).
 */
export function healthRoutes(conn: Connection, databaseKind: string, health?: DatabaseHealth, checks: readonly ReadinessCheck[] = []): Router<AppState> {
  const router = new Router<AppState>();
  const started = Date.now();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) };
  });
  router.get('/readyz', async (ctx) => {
    try {
      if (!conn.db) throw new Error('not connected');
      // known silent (frozen or gone): say so at once instead of waiting for the ping to time out
      if (health && !health.answering()) throw new Error(`no heartbeat for ${health.silentForMs()} ms`);
      await withTimeout(conn.db.admin().command({ ping: 1 }), READY_PING_TIMEOUT_MS);
    } catch (err) {
      throw new AppError(503, CommonErrorCode.NOT_READY, '数据库不可用', { cause: err, expose: true, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
    }
    const others = Object.fromEntries(checks.map((c) => [c.name, c.state()]));
    ctx.body = { status: 'ready', database: databaseKind, checks: { database: { state: 'up', kind: databaseKind }, ...others } };
  });
  return router;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined); // it may still fail after we gave up on it
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
