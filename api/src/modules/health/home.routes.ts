import Router from '@koa/router';
import type { AppState } from '../../context';
import { inlineScriptsOf, pageSecurityHeaders } from '../../middleware/security-headers';

export interface HomeOptions {
  /** Dev login is on (demo users can be picked). */
  devLogin: boolean;
  /** The sandbox chat is served at /sandbox. */
  sandbox: boolean;
  /** Which database answers (`resolveDatabase().kind`). */
  databaseKind: string;
  /** Where this server is reached (PUBLIC_BASE_URL), for the copy-and-paste sign-in command. */
  baseUrl: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The database in use, in words a newcomer understands. */
export const DATABASE_LABELS: Record<string, string> = {
  uri: 'MongoDB（MONGODB_URI 指定的数据库）',
  'system-mongod': '本机的 mongod（内嵌启动）',
  'memory-server': 'mongodb-memory-server（下载的 mongod，内嵌启动）',
  'mongo-java-server': 'mongo-java-server（离线替身，不是真正的 MongoDB：无事务，测得的数据仅供参考）',
};

/** The mini-app opens in its own window at phone width (a plain link when scripts are off or popups are blocked). */
const OPEN_APP_SCRIPT = `
document.getElementById('open-app').addEventListener('click', function (e) {
  var w = window.open(this.href, 'crm-app', 'popup,width=390,height=844');
  if (w) { e.preventDefault(); w.focus(); }
});
`;

const page = (o: HomeOptions) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>聊天式 CRM</title>
<style>
 body{font:15px/1.7 -apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",sans-serif;margin:0;background:#f5f6f7;color:#1f2329}
 main{max-width:680px;margin:0 auto;padding:32px 20px}
 h1{font-size:22px;margin:0 0 4px} p{margin:4px 0 16px;color:#646a73}
 a.door{display:block;background:#fff;border:1px solid #e3e5e8;border-radius:12px;padding:18px 20px;margin:12px 0;color:inherit;text-decoration:none}
 a.door:hover,a.door:focus{border-color:#1f6feb;outline:none}
 a.door b{display:block;font-size:19px;color:#1f6feb} a.door span{display:block;color:#4e5461;font-size:14px}
 a.door.first{border:2px solid #1f6feb}
 .badge{display:inline-block;font-style:normal;font-size:12px;font-weight:600;color:#fff;background:#1f6feb;border-radius:10px;padding:0 8px;margin-left:8px;vertical-align:2px}
 .facts{background:#fff;border:1px solid #e3e5e8;border-radius:12px;padding:12px 20px;margin:20px 0 0;font-size:14px}
 .facts dt{color:#646a73;margin-top:6px} .facts dd{margin:0}
 code{background:#eef0f2;padding:1px 5px;border-radius:4px;font-size:13px}
 .facts code{display:block;margin:4px 0;padding:6px 8px;white-space:pre-wrap;word-break:break-all}
 small a{color:#646a73}
</style></head>
<body><main>
<h1>聊天式 CRM</h1>
<p>住在企业微信和钉钉里的客户管理：提醒、审批卡片、随手记跟进。第一次来？按下面的顺序看。</p>
${
  o.sandbox
    ? `<a class="door first" id="open-sandbox" href="/sandbox?user=demo-rep1"><b>① 沙盒聊天<em class="badge">推荐先看</em></b>
<span>以 <strong>刘洋（demo-rep1，销售代表）</strong>的身份和机器人对话，和企业微信、钉钉里走的是同一套代码。
输入“查 zs”会找到客户张三；启动约两分钟后，刘洋会收到一张关于张三的跟进提醒卡片（任何时段都会送达），点“完成”或回复一句话即记为跟进。右上角可以换成别的演示用户。</span></a>`
    : ''
}
<a class="door" id="open-app" href="/app/" target="crm-app"><b>${o.sandbox ? '② ' : ''}小程序</b>
<span>客户查询、客户 360、写拜访记录、我的提醒和审批。以手机宽度的新窗口打开；${o.devLogin ? '登录页点选演示用户（推荐 刘洋）' : '在企业微信或钉钉的工作台中打开会自动登录'}。</span></a>
<a class="door" id="open-docs" href="/api/docs"><b>${o.sandbox ? '③ ' : ''}API 文档</b><span>所有接口、参数和错误码（OpenAPI 3.1），以及如何获取令牌。</span></a>
<dl class="facts">
<dt>数据库</dt><dd id="database">${DATABASE_LABELS[o.databaseKind] ?? o.databaseKind}</dd>
<dt>登录</dt><dd id="sign-in">${
  o.devLogin
    ? `开发登录已开启（仅本机）：小程序和沙盒里直接选演示用户；调用 API 先取令牌：<code>curl -s ${escapeHtml(o.baseUrl)}/api/v1/auth/dev-login -H 'content-type: application/json' -d '{"login":"demo-rep1"}'</code>。演示用户：demo-rep1 刘洋（销售）、demo-manager 张伟（经理）、demo-finance 赵敏（财务审批）、demo-admin 孙立（管理员），完整名单见 README。`
    : '开发登录未开启：请在企业微信或钉钉中打开小程序，由平台身份登录；API 令牌来自 <code>POST /api/v1/auth/wecom-oauth</code> 等登录接口。'
}</dd>
</dl>
<p><small><a href="/readyz">运行状态（/readyz）</a></small></p>
</main>
<script>${OPEN_APP_SCRIPT}</script>
</body></html>`;

/** The front door: where a newcomer starts (the sandbox as 刘洋, the mini-app at phone width, the API docs). */
export function homeRoutes(opts: HomeOptions): Router<AppState> {
  const router = new Router<AppState>();
  const html = page(opts);
  // Browsers ask every site for an icon; an empty answer keeps a 404 out of every page's console.
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
    ctx.set('Cache-Control', 'public, max-age=86400');
  });
  router.get('/', pageSecurityHeaders({ inlineScripts: inlineScriptsOf(html) }), (ctx) => {
    ctx.type = 'html';
    ctx.body = html;
  });
  return router;
}
