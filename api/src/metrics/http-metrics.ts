import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import Router from '@koa/router';
import { timingSafeEqual } from 'node:crypto';
import type { AppState } from '../context';
import { AppError, CommonErrorCode, unauthenticated } from '../errors/app-error';
import { type Metrics, secondsSince } from './metrics';

const CALLBACK_ROUTE = /^\/bot\/([a-z]+)\/callback$/;

/**
 * Counts every request and its latency under the router's matched path (`/api/v1/customers/:id`), never the raw
 * URL (ids would make a series per record); a request no route matched is `unmatched`. Mounted first, so the
 * status is the one the error handler chose.
 */
export function httpMetrics(metrics: Metrics): Middleware<AppState> {
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const route = matched === undefined ? 'unmatched' : String(matched);
      const method = ctx.method;
      const status = String(ctx.status);
      metrics.httpRequests.inc({ method, route, status });
      const seconds = secondsSince(start);
      metrics.httpDuration.observe({ method, route }, seconds);
      // a platform's push (`/bot/<channel>/callback`): how fast we acknowledged it (WeCom retries after 5 s)
      const callback = CALLBACK_ROUTE.exec(route);
      if (callback && method === 'POST') metrics.callbackAcks.observe({ channel: callback[1]!, status }, seconds);
    }
  };
}

/**
 * GET /metrics (Prometheus text). With a token, only `Authorization: Bearer <token>` gets it; without one it is
 * served outside production only (a production process without METRICS_TOKEN answers 404: nothing to scrape on
 * the public port).
 */
export function metricsRoutes(metrics: Metrics, opts: { token?: string; production: boolean }): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/metrics', async (ctx) => {
    if (opts.token === undefined && opts.production) throw new AppError(404, CommonErrorCode.NOT_FOUND, '未找到该页面');
    if (opts.token !== undefined && !bearerMatches(ctx.get('authorization'), opts.token)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw unauthenticated('需要指标令牌');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.text();
  });
  return router;
}

/**
 * The listener of METRICS_PORT: `GET /metrics` and nothing else, on a port of its own that stays off the public
 * network (the public app then has no /metrics at all). With METRICS_TOKEN the bearer is still required; without,
 * the port itself is the protection, in production too.
 */
export function metricsListener(metrics: Metrics, opts: { token?: string }): (req: IncomingMessage, res: ServerResponse) => void {
  const answer = (res: ServerResponse, status: number, code: string, message: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ error: { code, message, details: null, requestId: null } }));
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return answer(res, 404, CommonErrorCode.NOT_FOUND, '此端口只提供 /metrics');
    if (opts.token !== undefined && !bearerMatches(req.headers.authorization ?? '', opts.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return answer(res, 401, CommonErrorCode.UNAUTHENTICATED, '需要指标令牌');
    }
    metrics.text().then(
      (text) => {
        res.statusCode = 200;
        res.setHeader('content-type', metrics.contentType);
        res.setHeader('cache-control', 'no-store');
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => answer(res, 500, CommonErrorCode.INTERNAL, '指标读取失败'),
    );
  };
}

function bearerMatches(header: string, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
