import path from 'node:path';
import type Router from '@koa/router';
import { REPO_ROOT } from '@crm/config';
import type { AppState } from '../../context';
import { staticSite } from '../../http/static-site';

export const DEFAULT_CONSOLE_DIR = path.join(REPO_ROOT, 'web', 'dist');

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
 * all answer index.html; files with an extension are read from the build folder). A missing build answers a Chinese
 * page saying how to build it.
 *
 * The build has no inline script (vite: module entry, no preload polyfill); antd's CSS-in-JS sets <style> tags, which
 * the page policy allows. Platform sign-in is a top-level redirect (not subject to the CSP).
 */
export function consoleRoutes(dir: string = DEFAULT_CONSOLE_DIR): Router<AppState> {
  return staticSite({ mount: '/console', dir, routing: 'history', missingPage: CONSOLE_MISSING_PAGE });
}
