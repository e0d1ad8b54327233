import path from 'node:path';
import type Router from '@koa/router';
import { REPO_ROOT } from '@crm/config';
import type { AppState } from '../../context';
import { staticSite } from '../../http/static-site';

export const DEFAULT_MINIAPP_DIR = path.join(REPO_ROOT, 'miniapp', 'dist', 'h5');

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
 * Serves the built H5 mini-app at /app (hash router: every page is /app/#/pages/...). A missing build answers a
 * Chinese page saying how to build it.
 *
 * The H5 build loads only its own bundles (no inline script); sign-in inside WeCom is a top-level redirect to
 * open.weixin.qq.com, which a CSP does not restrict. A WeCom JS-SDK (res.wx.qq.com), if ever loaded, goes in scriptOrigins.
 */
export function miniappRoutes(dir: string = DEFAULT_MINIAPP_DIR): Router<AppState> {
  return staticSite({ mount: '/app', dir, routing: 'hash', missingPage: MINIAPP_MISSING_PAGE });
}
