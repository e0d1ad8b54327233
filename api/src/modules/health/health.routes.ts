import Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { AppState } from '../../context';
import { AppError, CommonErrorCode } from '../../errors/app-error';

/** /healthz: the process answers. /readyz: the database answers a ping. */
export function healthRoutes(conn: Connection, databaseKind: string): Router<AppState> {
  const router = new Router<AppState>();
  const started = Date.now();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) };
  });
  router.get('/readyz', async (ctx) => {
    try {
      if (!conn.db) throw new Error('not connected');
      await conn.db.admin().ping();
    } catch (err) {
      throw new AppError(503, CommonErrorCode.NOT_READY, '数据库不可用', { cause: err, expose: true });
    }
    ctx.body = { status: 'ready', database: databaseKind };
  });
  return router;
}
