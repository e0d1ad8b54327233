/** The sandbox chat page: one file, no build step, Chinese UI, works at phone width. */
export const SANDBOX_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>沙盒聊天 · CRM 助手</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.55 -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; background: #ededed; color: #1f2329; height: 100vh; display: flex; flex-direction: column; }
  header { background: #2b2f36; color: #fff; padding: 10px 14px; display: flex; gap: 10px; align-items: center; }
  header b { font-size: 16px; flex: 1; }
  header select { font: inherit; padding: 4px 6px; border-radius: 6px; border: 0; max-width: 60%; }
  #log { flex: 1; overflow-y: auto; padding: 12px; }
  .row { display: flex; margin: 10px 0; }
  .row.in { justify-content: flex-end; }
  .bubble { max-width: 82%; padding: 8px 12px; border-radius: 8px; background: #fff; white-space: normal; word-break: break-word; box-shadow: 0 1px 1px rgba(0,0,0,.05); }
  .row.in .bubble { background: #95ec69; }
  .bubble a { color: #1f6feb; text-decoration: none; }
  .bubble blockquote { margin: 2px 0 6px; padding-left: 8px; border-left: 3px solid #dfe1e5; color: #646a73; font-size: 13px; }
  .card { width: 82%; max-width: 420px; background: #fff; border-radius: 10px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .card h3 { margin: 0; padding: 12px 14px 4px; font-size: 16px; }
  .card .desc { padding: 0 14px 8px; color: #646a73; font-size: 13px; white-space: pre-line; }
  .card dl { margin: 0; padding: 0 14px 8px; display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; font-size: 14px; }
  .card dt { color: #8f959e; } .card dd { margin: 0; }
  .card .buttons { display: flex; flex-wrap: wrap; gap: 8px; padding: 10px 14px 14px; border-top: 1px solid #f0f1f2; }
  .card button { flex: 1 1 auto; font: inherit; padding: 7px 10px; border-radius: 6px; border: 1px solid #dfe1e5; background: #fff; cursor: pointer; }
  .card button.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
  .card button.danger { color: #cf222e; border-color: #f1aeb5; }
  .card .done { padding: 10px 14px 14px; color: #2da44e; border-top: 1px solid #f0f1f2; font-weight: 600; }
  .card a.open { display: block; padding: 0 14px 10px; font-size: 13px; color: #1f6feb; text-decoration: none; }
  form { display: flex; gap: 8px; padding: 10px; background: #f7f7f7; border-top: 1px solid #ddd; }
  form input { flex: 1; font: inherit; padding: 9px 10px; border: 1px solid #ddd; border-radius: 6px; }
  form button { font: inherit; padding: 0 16px; border: 0; border-radius: 6px; background: #07c160; color: #fff; }
  .sys { text-align: center; margin: 6px 0; font-size: 12px; color: #8f959e; }
  .held { background: #fff7e6; color: #8a5300; font-size: 13px; padding: 6px 14px; border-bottom: 1px solid #f5d9a8; }
  .empty { text-align: center; color: #8f959e; margin-top: 40px; font-size: 14px; }
  .hint { display: flex; gap: 6px; flex-wrap: wrap; padding: 0 10px 8px; background: #f7f7f7; }
  .hint button { font-size: 12px; padding: 3px 8px; border-radius: 12px; border: 1px solid #ddd; background: #fff; color: #646a73; }
</style>
</head>
<body>
<header><b>CRM 助手 · 沙盒</b><select id="user" aria-label="选择演示用户"></select></header>
<div class="held" id="held" role="status" hidden></div>
<div id="log" aria-live="polite"></div>
<div class="hint" id="hints"></div>
<form id="send"><input id="text" autocomplete="off" placeholder="输入消息，例如：查 zs" aria-label="消息"><button type="submit">发送</button></form>
<script>
(function () {
  var log = document.getElementById('log'), sel = document.getElementById('user'), input = document.getElementById('text');
  var busy = false, lastRender = '';
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
  function safeUrl(u) { return /^(https?:\\/\\/|\\/)/.test(u) ? u : '#'; }
  function render(items) {
    var html = items.map(function (m) {
      var msg = m.message;
      if (msg.kind === 'tap') return '<div class="sys">你点了“' + esc(msg.label) + '”</div>';
      if (msg.kind === 'card') {
        var c = msg.card;
        var fields = (c.fields || []).map(function (f) { return '<dt>' + esc(f.label) + '</dt><dd>' + esc(f.value) + '</dd>'; }).join('');
        var actions = c.doneText ? '<div class="done">' + esc(c.doneText) + '</div>' :
          '<div class="buttons">' + c.buttons.map(function (b) { return '<button class="' + esc(b.style || 'default') + '" data-task="' + esc(c.taskId) + '" data-key="' + esc(b.key) + '">' + esc(b.text) + '</button>'; }).join('') + '</div>';
        return '<div class="row out"><div class="card"><h3>' + esc(c.title) + '</h3>' + (c.description ? '<div class="desc">' + esc(c.description) + '</div>' : '') + (fields ? '<dl>' + fields + '</dl>' : '') + (c.url ? '<a class="open" target="_blank" href="' + esc(safeUrl(c.url)) + '">查看详情 ›</a>' : '') + actions + '</div></div>';
      }
      // rendered by the server with user text escaped as HTML (shared/src/text/escape.ts)
      var body = m.html != null ? m.html : esc(msg.text || msg.markdown || '');
      return '<div class="row ' + m.direction + '"><div class="bubble">' + body + '</div></div>';
    }).join('');
    if (!html) html = '<div class="empty">还没有消息。试试输入“帮助”或“查 zs”。</div>';
    if (html !== lastRender) { lastRender = html; log.innerHTML = html; log.scrollTop = log.scrollHeight; }
  }
  function load() {
    if (!sel.value) return Promise.resolve();
    return fetch('/sandbox/api/conversation?user=' + encodeURIComponent(sel.value)).then(function (r) { return r.json(); }).then(function (b) {
      var held = document.getElementById('held');
      held.hidden = !b.held; held.textContent = b.held || '';
      render(b.items || []);
    });
  }
  function post(path, body) {
    busy = true;
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { if (!r.ok) return r.json().then(function (e) { alert((e.error && e.error.message) || '发送失败'); }); })
      .catch(function () { alert('网络错误，请重试'); })
      .then(function () { busy = false; return load(); });
  }
  document.getElementById('send').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim(); if (!text || busy) return;
    input.value = '';
    post('/sandbox/api/messages', { user: sel.value, text: text });
  });
  log.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-key]'); if (!b || busy) return;
    b.disabled = true;
    post('/sandbox/api/actions', { user: sel.value, key: b.getAttribute('data-key'), taskId: b.getAttribute('data-task'), label: b.textContent });
  });
  // the suggestions are the picked user's own (the server leaves out commands their roles may not run)
  var users = [];
  function showHints() {
    var box = document.getElementById('hints'); box.textContent = '';
    var u = users.filter(function (x) { return x.login === sel.value; })[0];
    (u ? u.hints : []).forEach(function (h) {
      var b = document.createElement('button'); b.type = 'button'; b.textContent = h;
      b.addEventListener('click', function () { input.value = h; input.focus(); });
      box.appendChild(b);
    });
  }
  sel.addEventListener('change', function () { lastRender = ''; localStorage.setItem('sandbox-user', sel.value); showHints(); load(); });
  fetch('/sandbox/api/users').then(function (r) { return r.json(); }).then(function (b) {
    users = b.items;
    sel.innerHTML = b.items.map(function (u) { return '<option value="' + esc(u.login) + '">' + esc(u.name + ' · ' + u.title + '（' + u.login + '）') + '</option>'; }).join('');
    // the user asked for, else the last one picked, else 刘洋 (demo-rep1): a sales rep sees the whole loop
    var known = function (l) { return l && b.items.some(function (u) { return u.login === l; }); };
    var wanted = [new URLSearchParams(location.search).get('user'), localStorage.getItem('sandbox-user'), 'demo-rep1'].filter(known)[0];
    if (wanted) sel.value = wanted;
    showHints();
    load();
    setInterval(function () { if (!busy) load(); }, 2000);
  });
})();
</script>
</body>
</html>`;
