import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import { REPO_ROOT } from '@crm/config';
import type { AppState } from '../../context';
import { pageSecurityHeaders } from '../../middleware/security-headers';

export const DEFAULT_MINIAPP_DIR = path.join(REPO_ROOT, 'miniapp', 'dist', 'h5');

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

export const MINIAPP_MISSING_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>移动端尚未构建</title>
<style>body{font-family:system-ui,"PingFang SC","WenQuanYi Zen Hei",sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#1f2329;line-height:1.7}
code{background:#f2f3f5;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>移动端（H5）尚未构建</h1>
<p>服务器没有找到 <code>miniapp/dist/h5</code>。请在项目根目录运行：</p>
<p><code>npm run build:miniapp</code></p>
<p>（只需 H5：<code>npm run build:h5 -w miniapp</code>）构建完成后刷新本页即可，无需重启服务。</p>
</body></html>`;

/**
 * Serves the built H5 mini-app at /app (hash router: every page is /app/#/pages/...). Files are read from
 * the build folder at request time, so a build made after start-up shows without a restart; a missing
 * build answers a Chinese page saying how to build it. Paths never leave the build folder.
 */
export function miniappRoutes(dir: string = DEFAULT_MINIAPP_DIR): Router<AppState> {
  const router = new Router<AppState>();
  const root = path.resolve(dir);

  // The H5 build loads only its own bundles (no inline script); sign-in inside WeCom is a top-level redirect to
  // open.weixin.qq.com, which a CSP does not restrict. A WeCom JS-SDK (res.wx.qq.com), if ever loaded, goes in scriptOrigins.
  router.get(['/app', '/app/{*rest}'], pageSecurityHeaders(), async (ctx) => {
    if (!ctx.path.startsWith('/app/')) {
      ctx.status = 301;
      ctx.redirect('/app/');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice('/app/'.length)) || 'index.html';
    } catch {
      ctx.status = 400;
      return;
    }
    const file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      ctx.status = 404;
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      const built = await stat(path.join(root, 'index.html')).catch(() => null);
      if (!built) {
        ctx.status = 503;
        ctx.type = 'html';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = MINIAPP_MISSING_PAGE;
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
