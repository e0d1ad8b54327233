/** A small, dependency-free reader for the OpenAPI document (served at /api/docs). */
export const DOCS_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>聊天式 CRM · API 文档</title>
<style>
  body { font: 14px/1.6 -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; margin: 0; color: #1f2329; background: #f5f6f7; }
  header { background: #1f6feb; color: #fff; padding: 16px 24px; }
  header h1 { margin: 0; font-size: 20px; }
  header p { margin: 4px 0 0; opacity: .9; }
  main { max-width: 980px; margin: 0 auto; padding: 16px; }
  h2 { margin: 24px 0 8px; font-size: 16px; }
  details { background: #fff; border: 1px solid #e3e5e8; border-radius: 8px; margin: 8px 0; }
  summary { cursor: pointer; padding: 10px 12px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
  .m { font: 600 12px/1 ui-monospace, monospace; padding: 4px 6px; border-radius: 4px; color: #fff; min-width: 44px; text-align: center; }
  .GET { background: #2da44e; } .POST { background: #1f6feb; } .PATCH { background: #bf8700; } .DELETE { background: #cf222e; }
  code, pre { font-family: ui-monospace, Menlo, monospace; font-size: 12px; }
  pre { background: #f6f8fa; padding: 8px; border-radius: 6px; overflow: auto; margin: 4px 0 8px; }
  .body { padding: 0 12px 12px; }
  .muted { color: #646a73; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
</style>
</head>
<body>
<header><h1>聊天式 CRM · API 文档</h1><p id="desc">加载中…</p></header>
<main id="main"></main>
<script>
fetch('/api/v1/openapi.json').then(function (r) { return r.json(); }).then(function (doc) {
  document.getElementById('desc').textContent = doc.info.description + '（OpenAPI ' + doc.openapi + '，原始文档：/api/v1/openapi.json）';
  var byTag = {};
  Object.keys(doc.paths).forEach(function (path) {
    Object.keys(doc.paths[path]).forEach(function (method) {
      var op = doc.paths[path][method];
      (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push({ path: path, method: method.toUpperCase(), op: op });
    });
  });
  var main = document.getElementById('main');
  Object.keys(byTag).forEach(function (tag) {
    var h = document.createElement('h2'); h.textContent = tag; main.appendChild(h);
    byTag[tag].forEach(function (e) {
      var d = document.createElement('details');
      var s = document.createElement('summary');
      var m = document.createElement('span'); m.className = 'm ' + e.method; m.textContent = e.method;
      var p = document.createElement('code'); p.textContent = e.path;
      var t = document.createElement('span'); t.className = 'muted'; t.textContent = e.op.summary;
      s.appendChild(m); s.appendChild(p); s.appendChild(t); d.appendChild(s);
      var b = document.createElement('div'); b.className = 'body';
      if (e.op.description) { var ds = document.createElement('p'); ds.textContent = e.op.description; b.appendChild(ds); }
      if (e.op.parameters) {
        var tb = document.createElement('table');
        tb.innerHTML = '<tr><th>参数</th><th>位置</th><th>必填</th><th>类型</th></tr>';
        e.op.parameters.forEach(function (q) {
          var tr = document.createElement('tr');
          [q.name, q.in, q.required ? '是' : '否', JSON.stringify(q.schema)].forEach(function (v) { var td = document.createElement('td'); td.textContent = v; tr.appendChild(td); });
          tb.appendChild(tr);
        });
        b.appendChild(tb);
      }
      if (e.op.requestBody) {
        var lb = document.createElement('div'); lb.textContent = '请求体：'; b.appendChild(lb);
        var pre = document.createElement('pre'); pre.textContent = JSON.stringify(e.op.requestBody.content['application/json'].schema, null, 2); b.appendChild(pre);
      }
      d.appendChild(b); main.appendChild(d);
    });
  });
}).catch(function (err) { document.getElementById('desc').textContent = '文档加载失败：' + err; });
</script>
</body>
</html>`;
