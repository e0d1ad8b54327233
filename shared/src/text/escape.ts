/**
 * Text the bot shows people, escaped for where it is shown.
 *
 * Bot messages mix text we wrote (markup, our links) with text users wrote (customer names, follow-up notes,
 * comments). The `md` / `txt` tagged templates keep the two apart: the literal parts are ours, every
 * interpolated value is user text, escaped for the output format only when a channel adapter renders the
 * message (`renderSafeText`). A plain string given where `SafeText` is accepted counts as user text as a whole.
 *
 * Escaping replaces markup characters with full-width look-alikes rather than backslashes: the platforms do
 * not document backslash escapes, and a look-alike can never be markup in any renderer. Bare links in user
 * text are neutralised too (`http：//`, and a zero-width space after a dot inside a host name), because the
 * WeCom and DingTalk clients turn them into working links.
 */

/** One piece of a message: `raw` is ours (markup allowed), `text` is a user's (escaped when rendered). */
export type SafeTextSegment = { raw: string } | { text: string };

export interface SafeText {
  readonly segments: readonly SafeTextSegment[];
}

export type SafeTextValue = string | number | SafeText;

export type TextFormat =
  /** WeCom app `markdown` messages. */
  | 'wecom-markdown'
  /** DingTalk robot `sampleMarkdown`, work notifications and card-platform parameters rendered as markdown. */
  | 'dingtalk-markdown'
  /** WeCom app `text` messages (they render `<a href>` tags). */
  | 'wecom-text'
  /** WeCom template-card text fields (plain text). */
  | 'wecom-card'
  /** DingTalk robot `sampleText`. */
  | 'dingtalk-text'
  /** HTML text (the sandbox page). */
  | 'html';

const ZWSP = '\u200b';

export function isSafeText(v: unknown): v is SafeText {
  return typeof v === 'object' && v !== null && Array.isArray((v as SafeText).segments);
}

function build(strings: TemplateStringsArray, values: SafeTextValue[]): SafeText {
  const segments: SafeTextSegment[] = [];
  strings.forEach((s, i) => {
    if (s) segments.push({ raw: s });
    if (i < values.length) segments.push(...toSafeText(values[i]!).segments);
  });
  return { segments };
}

/** A markdown message: the template is ours, every `${value}` is user text (a SafeText value is kept as built). */
export function md(strings: TemplateStringsArray, ...values: SafeTextValue[]): SafeText {
  return build(strings, values);
}

/** A text message, the same way as `md` (the literal parts are ours, values are user text). */
export const txt = md;

/** Our own text or markup (constants, links we built): never escaped. */
export function trusted(raw: string): SafeText {
  return { segments: [{ raw }] };
}

/** A value as SafeText: a string or number is user text. */
export function toSafeText(v: SafeTextValue): SafeText {
  if (isSafeText(v)) return v;
  return { segments: [{ text: String(v) }] };
}

/** Joins pieces with our own separator. */
export function joinSafeText(items: SafeTextValue[], separator: string): SafeText {
  const segments: SafeTextSegment[] = [];
  items.forEach((item, i) => {
    if (i > 0 && separator) segments.push({ raw: separator });
    segments.push(...toSafeText(item).segments);
  });
  return { segments };
}

/** A markdown link to a URL we built (http(s) or a path); its label is user text unless built with `md`. */
export function mdLink(label: SafeTextValue, url: string): SafeText {
  if (!/^(https?:\/\/|\/)/i.test(url)) throw new Error(`refusing a link to ${url}`);
  const safeUrl = url.replace(/[\s()<>[\]]/g, (c) =>
    c.charCodeAt(0) < 0x80 ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c),
  );
  return { segments: [{ raw: '[' }, ...toSafeText(label).segments, { raw: `](${safeUrl})` }] };
}

/** A bare URL (`://`) or host name (`evil.example`, `www.x`) in user text no longer becomes a link. */
export function neutraliseLinks(s: string): string {
  return s.replace(/:\/\//g, '：//').replace(/([A-Za-z0-9])\.(?=[A-Za-z])/g, `$1.${ZWSP}`);
}

/** Markup at the start of a line: a list item (`- `, `+ `, `1. `) gets a zero-width space in front. */
function guardLineStart(s: string): string {
  return s.replace(/^(\s*)([-+]|\d+[.)])(?=\s|$)/, `$1${ZWSP}$2`);
}

const oneLine = (s: string) => s.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');

const WECOM_MD: Record<string, string> = {
  '\\': '＼',
  '[': '［',
  ']': '］',
  '<': '＜',
  '>': '＞',
  '*': '＊',
  '`': '｀',
  '#': '＃',
};
const DINGTALK_MD: Record<string, string> = { ...WECOM_MD, _: '＿', '~': '～', '|': '｜', '!': '！' };

const replaceFrom = (table: Record<string, string>) => {
  const re = new RegExp(
    `[${Object.keys(table)
      .map((c) => c.replace(/[\\\]^-]/g, '\\$&'))
      .join('')}]`,
    'g',
  );
  return (s: string) => s.replace(re, (c) => table[c]!);
};
const wecomMd = replaceFrom(WECOM_MD);
const dingtalkMd = replaceFrom(DINGTALK_MD);

/**
 * User text inside WeCom markdown (headings `#`, `**bold**`, `[links](…)`, `` `code` ``, `>` quotes,
 * `<font color>`): on one line, markup characters replaced by full-width look-alikes, links neutralised.
 */
export function escapeWeComMarkdown(s: string): string {
  return neutraliseLinks(guardLineStart(wecomMd(oneLine(s))));
}

/**
 * User text inside DingTalk markdown (also lists, images `![](…)`, `*italic*`, `_`, `~~`, tables): as for
 * WeCom, with those characters too.
 */
export function escapeDingTalkMarkdown(s: string): string {
  return neutraliseLinks(guardLineStart(dingtalkMd(oneLine(s))));
}

/** User text inside HTML (the sandbox page). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** User text inside a WeCom text message: no `<a href>` tags, no bare links. */
export function escapeWeComText(s: string): string {
  return neutraliseLinks(s.replace(/</g, '＜').replace(/>/g, '＞'));
}

/** User text in plain-text places that still turn bare links into working ones (DingTalk text, WeCom card fields). */
export function escapePlainText(s: string): string {
  return neutraliseLinks(s);
}

const ESCAPERS: Record<TextFormat, (s: string) => string> = {
  'wecom-markdown': escapeWeComMarkdown,
  'dingtalk-markdown': escapeDingTalkMarkdown,
  'wecom-text': escapeWeComText,
  'wecom-card': escapePlainText,
  'dingtalk-text': escapePlainText,
  html: escapeHtml,
};

/** The escaper for user text in one format. */
export function escapeFor(format: TextFormat): (s: string) => string {
  return ESCAPERS[format];
}

/** Renders a message for one format: our parts as they are, user parts escaped. A plain string is all user text. */
export function renderSafeText(t: SafeTextValue, format: TextFormat): string {
  const esc = ESCAPERS[format];
  return toSafeText(t)
    .segments.map((s) => ('raw' in s ? s.raw : esc(s.text)))
    .join('');
}

/** The message as written, user text unescaped: for logs and stored records, never for display. */
export function safeTextSource(t: SafeTextValue): string {
  return toSafeText(t)
    .segments.map((s) => ('raw' in s ? s.raw : s.text))
    .join('');
}

/**
 * Our markdown subset as HTML (the sandbox): `**bold**`, `[label](url)` (http(s) and paths only), `> quote`,
 * `- item`, `#` headings; user text is escaped as HTML and never read as markdown (it is put in after the
 * markdown is converted).
 */
export function markdownToHtml(t: SafeTextValue): string {
  const user: string[] = [];
  const skeleton = toSafeText(t)
    .segments.map((s) => {
      if ('raw' in s) return s.raw.replace(/[\ue000\ue001]/g, '');
      user.push(s.text);
      return `\ue000${user.length - 1}\ue001`;
    })
    .join('');
  const html = escapeHtml(skeleton)
    .split('\n')
    .map((line) => {
      const quote = /^&gt; ?/.test(line);
      if (quote) line = line.replace(/^&gt; ?/, '');
      const heading = /^#{1,6} /.test(line);
      if (heading) line = `<b>${line.replace(/^#{1,6} /, '')}</b>`;
      if (/^- /.test(line)) line = `• ${line.slice(2)}`;
      line = line
        .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
        .replace(
          /\[([^\]]+)\]\(((?:https?:\/\/|\/)[^)\s]*)\)/g,
          (_m, label: string, url: string) => `<a target="_blank" rel="noopener" href="${url}">${label}</a>`,
        );
      return quote ? `<blockquote>${line}</blockquote>` : `${line}<br>`;
    })
    .join('');
  return html.replace(/\ue000(\d+)\ue001/g, (_m, i: string) => escapeHtml(oneLine(user[Number(i)]!)));
}

/** A text message as HTML: everything escaped, line breaks kept. */
export function textToHtml(t: SafeTextValue): string {
  return escapeHtml(safeTextSource(t)).replace(/\n/g, '<br>');
}
