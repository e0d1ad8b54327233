import Router from '@koa/router';
import type { AppState } from '../../context';
import { pageSecurityHeaders } from '../../middleware/security-headers';

const page = (devLogin: boolean) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>聊天式 CRM</title>
<style>
 body{font:15px/1.7 -apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",sans-serif;margin:0;background:#f5f6f7;color:#1f2329}
 main{max-width:640px;margin:0 auto;padding:32px 20px}
 h1{font-size:22px;margin:0 0 4px} p{margin:4px 0 16px;color:#646a73}
 a.card{display:block;background:#fff;border:1px solid #e3e5e8;border-radius:10px;padding:14px 16px;margin:10px 0;color:inherit;text-decoration:none}
 a.card:hover{border-color:#1f6feb} a.card b{display:block} a.card span{color:#646a73;font-size:13px}
 code{background:#eef0f2;padding:1px 5px;border-radius:4px}
</style></head>
<body><main>
<h1>聊天式 CRM</h1>
<p>住在企业微信和钉钉里的客户管理：提醒、审批卡片、随手记跟进。</p>
<a class="card" href="/api/docs"><b>API 文档</b><span>所有接口、参数和错误码（OpenAPI 3.1）</span></a>
<a class="card" href="/readyz"><b>运行状态</b><span>数据库是否可用</span></a>
${devLogin ? '<p>开发登录已开启：<code>POST /api/v1/auth/dev-login {"login":"demo-rep1"}</code> 获取令牌，演示账号见 README。</p>' : ''}
</main></body></html>`;

/** A small start page so that opening the server in a browser shows where to go. */
export function homeRoutes(devLogin: boolean): Router<AppState> {
  const router = new Router<AppState>();
  const html = page(devLogin);
  router.get('/', pageSecurityHeaders(), (ctx) => {
    ctx.type = 'html';
    ctx.body = html;
  });
  return router;
}
