import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { AppState } from '../context';
import { pageSecurityHeaders } from '../middleware/security-headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticSite {
  /** Where the site answers: `/console`, `/app` (`/console` itself redirects to `/console/`). */
  mount: string;
  /** The build folder. */
  dir: string;
  /**
   * `history`: a browser-history app, every path without a file extension answers index.html (`/console/customers`);
   * `hash`: a hash-router app, only the mount's root answers index.html (`/app/#/pages/...`).
   */
  routing: 'history' | 'hash';
  /** A Chinese page saying how to build the site, answered (503) while the folder has no index.html. */
  missingPage: string;
}

/**
 * A built single-page app served from its folder under the page security headers. Files are read at request time
 * (a build made after start-up shows without a restart) and never from outside the folder; index.html is never
 * cached, the content-hashed bundles are cached for good.
 */
export function staticSite(site: StaticSite): Router<AppState> {
  const router = new Router<AppState>();
  const root = path.resolve(site.dir);
  const index = path.join(root, 'index.html');
  const prefix = `${site.mount}/`;

  router.get([site.mount, `${prefix}{*rest}`], pageSecurityHeaders(), async (ctx) => {
    if (!ctx.path.startsWith(prefix)) {
      ctx.status = 301;
      ctx.redirect(prefix);
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice(prefix.length));
    } catch {
      ctx.status = 400;
      return;
    }
    const page = site.routing === 'history' ? path.extname(rel) === '' : rel === '';
    const file = page ? index : path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      ctx.status = 404;
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      const built = await stat(index).catch(() => null);
      if (!built) {
        ctx.status = 503;
        ctx.type = 'html';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = site.missingPage;
        return;
      }
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: '文件不存在', requestId: ctx.state.requestId } };
      return;
    }
    const ext = path.extname(file).toLowerCase();
    ctx.type = TYPES[ext] ?? 'application/octet-stream';
    ctx.length = info.size;
    // index.html names the hashed bundles: never cache it; the bundles themselves are content-hashed
    ctx.set('Cache-Control', ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable');
    ctx.body = createReadStream(file);
  });

  return router;
}
