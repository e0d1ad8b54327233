import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import { REPO_ROOT } from '@crm/config';
import type { AppState } from '../../context';
import { pageSecurityHeaders } from '../../middleware/security-headers';

export const DEFAULT_CONSOLE_DIR = path.join(REPO_ROOT, 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export const CONSOLE_MISSING_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>工作台尚未构建</title>
<style>body{font-family:system-ui,"PingFang SC","WenQuanYi Zen Hei",sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#1f2329;line-height:1.7}
code{background:#f2f3f5;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>网页工作台尚未构建</h1>
<p>服务器没有找到 <code>web/dist</code>。请在项目根目录运行：</p>
<p><code>npm run build:web</code></p>
<p>构建完成后刷新本页即可，无需重启服务。</p>
</body></html>`;

/**
 * Serves the built web workbench at /console (a browser-history app: /console/customers, /console/login/callback/…
 * all answer index.html; files with an extension are read from the build folder at request time, never outside it).
 * A missing build answers a Chinese page saying how to build it.
 */
export function consoleRoutes(dir: string = DEFAULT_CONSOLE_DIR): Router<AppState> {
  const router = new Router<AppState>();
  const root = path.resolve(dir);

  // The build has no inline script (vite: module entry, no preload polyfill); antd's CSS-in-JS sets <style> tags,
  // which the page policy allows. Platform sign-in is a top-level redirect (not subject to the CSP).
  router.get(['/console', '/console/{*rest}'], pageSecurityHeaders(), async (ctx) => {
    if (!ctx.path.startsWith('/console/')) {
      ctx.status = 301;
      ctx.redirect('/console/');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice('/console/'.length));
    } catch {
      ctx.status = 400;
      return;
    }
    const index = path.join(root, 'index.html');
    // a page of the app (no file extension): the app's index.html, which routes in the browser
    const isAsset = path.extname(rel) !== '';
    const file = isAsset ? path.resolve(root, rel) : index;
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
        ctx.body = CONSOLE_MISSING_PAGE;
        return;
      }
      ctx.status = 404;
      ctx.body = { error: { code: 'NOT_FOUND', message: '文件不存在', requestId: ctx.state.requestId } };
      return;
    }
    const ext = path.extname(file).toLowerCase();
    ctx.type = TYPES[ext] ?? 'application/octet-stream';
    ctx.length = info.size;
    // index.html names the hashed bundles: never cache it; the bundles under assets/ are content-hashed
    ctx.set('Cache-Control', ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable');
    ctx.body = createReadStream(file);
  });

  return router;
}
