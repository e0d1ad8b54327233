import {
  escapeDingTalkMarkdown,
  escapeHtml,
  escapePlainText,
  escapeWeComMarkdown,
  escapeWeComText,
  joinSafeText,
  markdownToHtml,
  md,
  mdLink,
  renderSafeText,
  safeTextSource,
  textToHtml,
  trusted,
  txt,
} from './escape';

const PHISHING = '钓鱼](http://evil.example/p) [点我';
const ZW = '\u200b';

/** Characters that make markup in each format; none may survive escaping. */
const WECOM_MD_META = ['\\', '[', ']', '<', '>', '*', '`', '#', '\n', '\r'];
const DINGTALK_MD_META = [...WECOM_MD_META, '_', '~', '|', '!'];

describe('escapeWeComMarkdown / escapeDingTalkMarkdown', () => {
  // every markdown metacharacter, alone and in a working construct
  const cases: Array<[string, string, string, string]> = [
    // name, input, WeCom, DingTalk
    ['backslash', 'a\\]b', 'a＼］b', 'a＼］b'],
    ['link', '[点我](http://x.cn)', `［点我］(http：//x.${ZW}cn)`, `［点我］(http：//x.${ZW}cn)`],
    ['image', '![x](http://x.cn/a.png)', `!［x］(http：//x.${ZW}cn/a.${ZW}png)`, `！［x］(http：//x.${ZW}cn/a.${ZW}png)`],
    ['bold', '**重要**', '＊＊重要＊＊', '＊＊重要＊＊'],
    ['italic star', '*斜*', '＊斜＊', '＊斜＊'],
    ['italic underscore', '_斜_', '_斜_', '＿斜＿'],
    ['strike', '~~删~~', '~~删~~', '～～删～～'],
    ['code', '`code`', '｀code｀', '｀code｀'],
    ['heading', '# 标题', '＃ 标题', '＃ 标题'],
    ['quote', '> 引用', '＞ 引用', '＞ 引用'],
    ['font tag', '<font color="warning">红</font>', '＜font color="warning"＞红＜/font＞', '＜font color="warning"＞红＜/font＞'],
    ['html link', '<a href="http://x.cn">x</a>', `＜a href="http：//x.${ZW}cn"＞x＜/a＞`, `＜a href="http：//x.${ZW}cn"＞x＜/a＞`],
    ['list dash', '- 项', `${ZW}- 项`, `${ZW}- 项`],
    ['list plus', '+ 项', `${ZW}+ 项`, `${ZW}+ 项`],
    ['ordered list', '1. 项', `${ZW}1. 项`, `${ZW}1. 项`],
    ['table', 'a|b', 'a|b', 'a｜b'],
    ['new line starts a heading', '张三\n# 大标题', '张三 ＃ 大标题', '张三 ＃ 大标题'],
    ['CRLF and quote', '张三\r\n> 引', '张三 ＞ 引', '张三 ＞ 引'],
    ['bare URL', 'http://evil.example/p', `http：//evil.${ZW}example/p`, `http：//evil.${ZW}example/p`],
    ['bare host', 'www.evil.example', `www.${ZW}evil.${ZW}example`, `www.${ZW}evil.${ZW}example`],
    ['numbers and names stay', '张三 3.5万 (北京)', '张三 3.5万 (北京)', '张三 3.5万 (北京)'],
    ['phishing name', PHISHING, `钓鱼］(http：//evil.${ZW}example/p) ［点我`, `钓鱼］(http：//evil.${ZW}example/p) ［点我`],
  ];
  it.each(cases)('%s', (_name, input, wecom, dingtalk) => {
    expect(escapeWeComMarkdown(input)).toBe(wecom);
    expect(escapeDingTalkMarkdown(input)).toBe(dingtalk);
  });

  it.each(WECOM_MD_META.map((c) => [JSON.stringify(c), c]))('WeCom: %s never survives', (_n, c) => {
    expect(escapeWeComMarkdown(`a${c}b${c}${c}c`)).not.toContain(c);
  });
  it.each(DINGTALK_MD_META.map((c) => [JSON.stringify(c), c]))('DingTalk: %s never survives', (_n, c) => {
    expect(escapeDingTalkMarkdown(`a${c}b${c}${c}c`)).not.toContain(c);
  });
});

describe('plain-text formats', () => {
  it.each([
    ['<a href="http://evil.example">点我</a>', `＜a href="http：//evil.${ZW}example"＞点我＜/a＞`],
    ['第一行\n第二行', '第一行\n第二行'],
    ['**不是**标记', '**不是**标记'],
  ])('WeCom text: %j', (input, out) => {
    expect(escapeWeComText(input)).toBe(out);
  });
  it('DingTalk text and WeCom card fields only lose bare links', () => {
    expect(escapePlainText(`${PHISHING} <b>`)).toBe(`钓鱼](http：//evil.${ZW}example/p) [点我 <b>`);
  });
  it.each([
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
  ])('HTML: %j', (input, out) => {
    expect(escapeHtml(input)).toBe(out);
  });
});

describe('md / txt templates', () => {
  const url = 'https://crm.example.cn/app/#/pages/customer/detail?id=1';
  const msg = md`**客户**\n1. ${mdLink(md`${PHISHING} · ${'公司'}`, url)}\n> 负责人 ${'<font color="info">x</font>'}`;

  it('escapes only the interpolations, per format', () => {
    expect(renderSafeText(msg, 'wecom-markdown')).toBe(
      `**客户**\n1. [钓鱼］(http：//evil.${ZW}example/p) ［点我 · 公司](${url})\n> 负责人 ＜font color="info"＞x＜/font＞`,
    );
    expect(renderSafeText(msg, 'dingtalk-markdown')).toContain(`[钓鱼］(http：//evil.${ZW}example/p) ［点我 · 公司](${url})`);
    expect(safeTextSource(msg)).toContain(PHISHING);
  });

  it('leaves exactly one link in every markdown format, ours', () => {
    for (const f of ['wecom-markdown', 'dingtalk-markdown'] as const) {
      const out = renderSafeText(msg, f);
      expect(out.match(/\]\(/g)).toHaveLength(1);
      expect(out).not.toContain('http://evil');
    }
    const html = markdownToHtml(msg);
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain(`href="${url}"`);
    expect(html).toContain('钓鱼](http://evil.example/p) [点我 · 公司</a>');
    expect(html).not.toContain('<font');
    expect(html).toContain('<b>客户</b>');
  });

  it('a plain string is user text as a whole; trusted() and joins keep our parts', () => {
    expect(renderSafeText('**x** http://a.cn', 'wecom-markdown')).toBe(`＊＊x＊＊ http：//a.${ZW}cn`);
    expect(renderSafeText(txt`查看：${trusted('https://a.cn/x')}`, 'wecom-text')).toBe('查看：https://a.cn/x');
    expect(renderSafeText(joinSafeText(['*a*', md`**${'b'}**`], '\n'), 'wecom-markdown')).toBe('＊a＊\n**b**');
    expect(renderSafeText(md`${3} 条`, 'wecom-markdown')).toBe('3 条');
  });

  it('links only to http(s) or paths, with the URL kept in its parentheses', () => {
    expect(() => mdLink('x', 'javascript:alert(1)')).toThrow();
    expect(renderSafeText(mdLink('x', '/a b(c)'), 'wecom-markdown')).toBe('[x](/a%20b%28c%29)');
  });

  it('sandbox HTML: user text is never read as markdown or HTML', () => {
    expect(markdownToHtml(md`**${'**粗**'}** ${'<script>x</script>'} ${'[a](/b)'}`)).toBe('<b>**粗**</b> &lt;script&gt;x&lt;/script&gt; [a](/b)<br>');
    expect(textToHtml(`a<b>\n${PHISHING}`)).toBe('a&lt;b&gt;<br>钓鱼](http://evil.example/p) [点我');
  });
});
