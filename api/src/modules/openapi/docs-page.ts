/**
 * The reader for the OpenAPI document at /api/docs: a small page without dependencies. It fetches
 * /api/v1/openapi.json and builds everything with DOM calls and textContent (never innerHTML): the markdown of
 * descriptions goes through a small renderer that knows paragraphs, headings, lists, tables, fenced code,
 * `code`, **bold** and links (http(s) and same-site only); any HTML in the text shows as text. Its one inline
 * script is allowed by hash under the page's Content-Security-Policy (app.ts).
 */
const SCRIPT = String.raw`
(function () {
  var METHOD_ORDER = { get: 0, post: 1, patch: 2, put: 3, delete: 4 };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function safeHref(url) {
    return /^(https?:\/\/|\/(?!\/)|#)/.test(url) ? url : null;
  }
  /** Inline markdown: code spans, **bold**, [text](link); everything else is text. */
  function inline(parent, text) {
    var re = /(\x60[^\x60]+\x60)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))/g;
    var last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var t = m[0];
      if (m[1]) parent.appendChild(el('code', null, t.slice(1, -1)));
      else if (m[2]) parent.appendChild(el('strong', null, t.slice(2, -2)));
      else {
        var label = t.slice(1, t.indexOf(']'));
        var href = safeHref(t.slice(t.indexOf('(') + 1, -1));
        if (href) { var a = el('a', null, label); a.href = href; parent.appendChild(a); }
        else parent.appendChild(document.createTextNode(label));
      }
      last = m.index + t.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }
  function cells(line) {
    return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map(function (c) { return c.trim(); });
  }
  /** Block markdown → a fragment. */
  function markdown(src) {
    var out = document.createDocumentFragment();
    var lines = String(src || '').split('\n');
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (/^\s*$/.test(line)) { i++; continue; }
      if (/^\s*\x60\x60\x60/.test(line)) {
        var code = [];
        i++;
        while (i < lines.length && !/^\s*\x60\x60\x60/.test(lines[i])) code.push(lines[i++]);
        i++;
        out.appendChild(el('pre', 'code', code.join('\n')));
        continue;
      }
      var h = /^(#{1,4})\s+(.*)$/.exec(line);
      if (h) { out.appendChild(inline(el('h' + Math.min(Math.max(h[1].length, 2), 5), 'md-h'), h[2])); i++; continue; }
      if (/^\s*\|/.test(line)) {
        var table = el('table', 'md-table');
        var head = cells(line);
        var tr = el('tr');
        head.forEach(function (c) { tr.appendChild(inline(el('th'), c)); });
        table.appendChild(tr);
        i++;
        if (i < lines.length && /^\s*\|?\s*:?-/.test(lines[i])) i++;
        while (i < lines.length && /^\s*\|/.test(lines[i])) {
          var row = el('tr');
          cells(lines[i]).forEach(function (c) { row.appendChild(inline(el('td'), c)); });
          table.appendChild(row);
          i++;
        }
        out.appendChild(table);
        continue;
      }
      if (/^\s*[-*]\s+/.test(line)) {
        var ul = el('ul');
        while (i < lines.length && /^\s*[-*]\s+/.test(lines[i])) {
          var text = lines[i].replace(/^\s*[-*]\s+/, '');
          i++;
          while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*[-*]\s+/.test(lines[i])) text += ' ' + lines[i++].trim();
          ul.appendChild(inline(el('li'), text));
        }
        out.appendChild(ul);
        continue;
      }
      var para = [line.trim()];
      i++;
      while (i < lines.length && !/^\s*$/.test(lines[i]) && !/^\s*(\x60\x60\x60|#|\||[-*]\s)/.test(lines[i])) para.push(lines[i++].trim());
      out.appendChild(inline(el('p'), para.join(' ')));
    }
    return out;
  }

  function typeOf(s) {
    if (!s || typeof s !== 'object') return '任意';
    if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map(typeOf).join(' | ');
    if (s.const !== undefined) return JSON.stringify(s.const);
    var t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    var names = t.map(function (x) {
      if (x === 'array') return typeOf(s.items) + '[]';
      if (x === 'integer') return '整数';
      if (x === 'number') return '数字';
      if (x === 'string' && s.pattern === '^[0-9a-f]{24}$') return 'ID';
      if (x === 'string' && s.pattern && s.pattern.indexOf('T\\d{2}:') >= 0) return '时间';
      if (x === 'string') return s.enum ? '枚举' : '字符串';
      if (x === 'boolean') return '布尔';
      if (x === 'object') return '对象';
      if (x === 'null') return 'null';
      return x;
    });
    return names.length ? names.join(' | ') : '任意';
  }
  function enumOf(s) {
    if (!s || typeof s !== 'object') return null;
    if (s.enum) return s.enum;
    if (s.items && s.items.enum) return s.items.enum;
    var alt = (s.anyOf || []).filter(function (x) { return x.enum; })[0];
    return alt ? alt.enum : null;
  }
  function objectPart(s) {
    if (!s || typeof s !== 'object') return null;
    if (s.properties) return s;
    if (s.items) return objectPart(s.items);
    var alts = (s.anyOf || s.oneOf || []).map(objectPart).filter(Boolean);
    return alts.length === 1 ? alts[0] : null;
  }
  /** One row per field, nested objects flattened as a.b and arrays as a[].b. */
  function rows(schema, prefix, out, depth) {
    var obj = objectPart(schema);
    if (!obj || depth > 6) return out;
    var req = obj.required || [];
    Object.keys(obj.properties).forEach(function (name) {
      var f = obj.properties[name];
      var path = prefix + name;
      out.push({ name: path, type: typeOf(f), required: req.indexOf(name) >= 0, description: f.description || '', values: enumOf(f) });
      var child = objectPart(f);
      if (child) rows(f, path + (f.items || (f.type && f.type.indexOf && f.type.indexOf('array') >= 0) ? '[].' : '.'), out, depth + 1);
    });
    return out;
  }
  function fieldTable(schema, withRequired) {
    var list = rows(schema, '', [], 0);
    if (!list.length) return el('p', 'muted', '类型：' + typeOf(schema));
    var table = el('table', 'fields');
    var head = el('tr');
    ['字段', '类型', withRequired ? '必填' : null, '说明'].forEach(function (c) { if (c) head.appendChild(el('th', null, c)); });
    table.appendChild(head);
    list.forEach(function (r) {
      var tr = el('tr');
      var name = el('td', 'fname');
      name.appendChild(el('code', null, r.name));
      tr.appendChild(name);
      tr.appendChild(el('td', 'ftype', r.type));
      if (withRequired) tr.appendChild(el('td', 'freq', r.required ? '是' : ''));
      var d = el('td');
      inline(d, r.description);
      if (r.values) {
        var v = el('div', 'values');
        r.values.forEach(function (x) { v.appendChild(el('code', null, String(x))); });
        d.appendChild(v);
      }
      tr.appendChild(d);
      table.appendChild(tr);
    });
    return table;
  }
  function section(parent, title) {
    parent.appendChild(el('h4', 'sec', title));
  }
  function slug(s) { return 'op-' + s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase(); }

  function operation(path, method, op) {
    var key = method.toUpperCase() + ' ' + path;
    var d = el('details', 'op');
    d.id = slug(key);
    var s = el('summary');
    s.appendChild(el('span', 'm ' + method.toUpperCase(), method.toUpperCase()));
    s.appendChild(el('code', 'path', path));
    s.appendChild(el('span', 'sum', op.summary));
    if (op.security && op.security.length === 0) s.appendChild(el('span', 'tag-public', '无需令牌'));
    d.appendChild(s);
    var b = el('div', 'body');
    if (op.description) { var desc = el('div', 'md'); desc.appendChild(markdown(op.description)); b.appendChild(desc); }
    var params = op.parameters || [];
    if (params.length) {
      section(b, '参数');
      var t = el('table', 'fields');
      var head = el('tr');
      ['名称', '位置', '必填', '类型', '说明'].forEach(function (c) { head.appendChild(el('th', null, c)); });
      t.appendChild(head);
      var where = { path: '路径', query: '查询', header: '请求头' };
      params.forEach(function (p) {
        var tr = el('tr');
        var n = el('td', 'fname'); n.appendChild(el('code', null, p.name)); tr.appendChild(n);
        tr.appendChild(el('td', null, where[p.in] || p.in));
        tr.appendChild(el('td', 'freq', p.required ? '是' : ''));
        tr.appendChild(el('td', 'ftype', typeOf(p.schema)));
        var dd = el('td'); inline(dd, p.description || (p.schema && p.schema.description) || '');
        var vals = enumOf(p.schema);
        if (vals) { var v = el('div', 'values'); vals.forEach(function (x) { v.appendChild(el('code', null, String(x))); }); dd.appendChild(v); }
        if (p.schema && p.schema.default !== undefined) dd.appendChild(el('div', 'muted', '默认：' + JSON.stringify(p.schema.default)));
        tr.appendChild(dd);
        t.appendChild(tr);
      });
      b.appendChild(t);
    }
    if (op.requestBody) {
      section(b, '请求体（application/json）');
      var rt = fieldTable(op.requestBody.content['application/json'].schema, true);
      rt.setAttribute('data-part', 'request');
      b.appendChild(rt);
    }
    Object.keys(op.responses).filter(function (st) { return /^2/.test(st); }).forEach(function (st) {
      var media = (op.responses[st].content || {})['application/json'] || {};
      section(b, '成功响应 ' + st);
      var st2 = fieldTable(media.schema, false);
      st2.setAttribute('data-part', 'response');
      b.appendChild(st2);
      if (media.example !== undefined) {
        var ex = el('details', 'example');
        ex.appendChild(el('summary', null, '示例（真实响应）'));
        ex.appendChild(el('pre', 'code', JSON.stringify(media.example, null, 2)));
        b.appendChild(ex);
      }
    });
    var errors = op['x-error-codes'] || [];
    if (errors.length) {
      section(b, '错误码');
      var et = el('table', 'fields errors');
      var eh = el('tr');
      ['状态', '错误码', '含义'].forEach(function (c) { eh.appendChild(el('th', null, c)); });
      et.appendChild(eh);
      errors.forEach(function (e) {
        var tr = el('tr');
        tr.appendChild(el('td', 'status s' + String(e.status).charAt(0), e.status));
        var c = el('td'); c.appendChild(el('code', null, e.code)); tr.appendChild(c);
        tr.appendChild(inline(el('td'), e.meaning));
        et.appendChild(tr);
      });
      b.appendChild(et);
    }
    d.appendChild(b);
    return d;
  }

  function render(doc) {
    document.getElementById('version').textContent = 'OpenAPI ' + doc.openapi + ' · 版本 ' + doc.info.version;
    var intro = document.getElementById('intro');
    intro.textContent = '';
    intro.appendChild(markdown(doc.info.description));
    var tags = (doc.tags || []).map(function (t) { return t.name; });
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || '其他';
        if (tags.indexOf(tag) < 0) tags.push(tag);
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    var nav = document.getElementById('nav-list');
    var main = document.getElementById('ops');
    var tagInfo = {};
    (doc.tags || []).forEach(function (t) { tagInfo[t.name] = t.description; });
    var count = 0;
    tags.forEach(function (tag) {
      var list = byTag[tag];
      if (!list) return;
      list.sort(function (a, b) { return a.path === b.path ? METHOD_ORDER[a.method] - METHOD_ORDER[b.method] : 0; });
      var sec = el('section', 'tag');
      sec.id = 'tag-' + tags.indexOf(tag);
      var h = el('h2', null, tag);
      if (tagInfo[tag]) h.appendChild(el('span', 'tag-desc', tagInfo[tag]));
      sec.appendChild(h);
      var li = el('li');
      var a = el('a', null, tag + ' '); a.href = '#' + sec.id; a.appendChild(el('span', 'count', list.length));
      li.appendChild(a);
      nav.appendChild(li);
      list.forEach(function (e) { sec.appendChild(operation(e.path, e.method, e.op)); count++; });
      main.appendChild(sec);
    });
    document.getElementById('op-count').textContent = count + ' 个接口';
    var open = location.hash && document.getElementById(location.hash.slice(1));
    if (open && open.tagName === 'DETAILS') { open.open = true; open.scrollIntoView(); }
    var filter = document.getElementById('filter');
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(document.querySelectorAll('details.op'), function (d) {
        d.hidden = q !== '' && d.querySelector('summary').textContent.toLowerCase().indexOf(q) < 0;
      });
      Array.prototype.forEach.call(document.querySelectorAll('section.tag'), function (s) {
        s.hidden = !s.querySelector('details.op:not([hidden])');
      });
    });
    document.body.setAttribute('data-ready', '1');
  }

  fetch('/api/v1/openapi.json')
    .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(render)
    .catch(function (err) {
      var intro = document.getElementById('intro');
      intro.textContent = '';
      intro.appendChild(el('p', 'error', '文档加载失败：' + err.message + '。请确认服务在运行，或直接打开 /api/v1/openapi.json。'));
    });
})();
`;

export const DOCS_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>聊天式 CRM · API 文档</title>
<link rel="icon" href="data:,">
<style>
  * { box-sizing: border-box; }
  body { font: 14px/1.65 -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; margin: 0; color: #1f2329; background: #f5f6f7; }
  a { color: #1f6feb; text-decoration: none; } a:hover { text-decoration: underline; }
  header { background: #1f6feb; color: #fff; padding: 14px 24px; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
  header h1 { margin: 0; font-size: 20px; }
  header .meta { opacity: .9; font-size: 13px; }
  header a { color: #fff; text-decoration: underline; }
  .layout { display: flex; max-width: 1240px; margin: 0 auto; }
  nav { width: 210px; flex: none; padding: 16px 8px 16px 16px; position: sticky; top: 0; align-self: flex-start; max-height: 100vh; overflow: auto; }
  nav input { width: 100%; padding: 6px 8px; border: 1px solid #d0d3d6; border-radius: 6px; font: inherit; margin-bottom: 10px; }
  nav ul { list-style: none; margin: 0; padding: 0; }
  nav li a { display: flex; justify-content: space-between; padding: 5px 8px; border-radius: 6px; color: #1f2329; }
  nav li a:hover { background: #e8eaed; text-decoration: none; }
  nav .count { color: #646a73; font-size: 12px; }
  nav .first a { font-weight: 600; }
  nav .muted { font-size: 12px; padding: 8px; }
  main { flex: 1; min-width: 0; padding: 16px 24px 48px 16px; }
  .card { background: #fff; border: 1px solid #e3e5e8; border-radius: 10px; padding: 4px 20px 12px; }
  #intro h2 { font-size: 17px; margin: 18px 0 6px; } #intro h3 { font-size: 15px; }
  h2 { margin: 28px 0 10px; font-size: 18px; display: flex; align-items: baseline; gap: 10px; }
  .tag-desc { font-size: 13px; font-weight: normal; color: #646a73; }
  details.op { background: #fff; border: 1px solid #e3e5e8; border-radius: 8px; margin: 8px 0; }
  details.op[open] { border-color: #b6c8ea; box-shadow: 0 1px 4px rgba(31,111,235,.08); }
  details.op > summary { cursor: pointer; padding: 10px 12px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; list-style: none; }
  details.op > summary::-webkit-details-marker { display: none; }
  .m { font: 600 12px/1 ui-monospace, Menlo, monospace; padding: 5px 0; border-radius: 4px; color: #fff; width: 56px; text-align: center; flex: none; }
  .GET { background: #1a7f37; } .POST { background: #1f6feb; } .PATCH { background: #9a6700; } .DELETE { background: #cf222e; } .PUT { background: #8250df; }
  .path { font-size: 13px; font-weight: 600; }
  .sum { color: #4e5561; flex: 1 1 300px; }
  .tag-public { font-size: 12px; color: #1a7f37; border: 1px solid #9fd5ae; border-radius: 10px; padding: 0 8px; }
  .body { padding: 0 16px 14px; border-top: 1px solid #eef0f2; }
  h4.sec { margin: 14px 0 6px; font-size: 13px; color: #4e5561; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; background: #f2f3f5; padding: 1px 5px; border-radius: 4px; }
  pre.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; background: #f6f8fa; border: 1px solid #eaecef; padding: 10px 12px; border-radius: 6px; overflow: auto; margin: 6px 0 10px; max-height: 420px; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
  td, th { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eef0f2; vertical-align: top; }
  th { font-weight: 600; color: #4e5561; background: #fafbfc; font-size: 13px; }
  table.md-table td, table.md-table th { border: 1px solid #e3e5e8; }
  .fname { white-space: nowrap; } .fname code { background: none; padding: 0; color: #0a3069; }
  .ftype { color: #6e3b00; white-space: nowrap; font-size: 13px; }
  .freq { color: #cf222e; white-space: nowrap; }
  .values { margin-top: 2px; display: flex; flex-wrap: wrap; gap: 4px; } .values code { font-size: 12px; }
  .status { font-weight: 600; } .s4 { color: #9a6700; } .s5 { color: #cf222e; }
  details.example > summary { cursor: pointer; color: #1f6feb; margin: 6px 0; }
  .muted { color: #646a73; }
  .error { color: #cf222e; }
  @media (max-width: 820px) { .layout { display: block; } nav { position: static; width: auto; max-height: none; padding: 12px 16px 0; } nav ul { display: flex; flex-wrap: wrap; gap: 4px; } main { padding: 8px 12px 32px; } }
</style>
</head>
<body>
<header><h1>聊天式 CRM · API 文档</h1><span class="meta" id="version">加载中…</span><span class="meta"><span id="op-count"></span> · 原始文档 <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></span></header>
<div class="layout">
<nav aria-label="接口分组">
<input id="filter" type="search" placeholder="筛选接口：路径或说明" aria-label="筛选接口">
<ul id="nav-list"><li class="first"><a href="#intro-card">如何获取令牌</a></li></ul>
</nav>
<main>
<section class="card" id="intro-card"><div id="intro" class="md"><p class="muted">加载中…</p></div></section>
<div id="ops"></div>
</main>
</div>
<script>${SCRIPT}</script>
</body>
</html>`;
