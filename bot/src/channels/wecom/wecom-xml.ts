export const MAX_CALLBACK_BYTES = 64 * 1024;

export class UnsafeXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeXmlError';
  }
}

/** WeCom packets nest two or three levels (SelectedItems › SelectedItem › OptionIds); more is refused. */
const MAX_DEPTH = 8;
const MAX_ELEMENTS = 2_000;
const NAME = /[A-Za-z_][\w.-]*/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
  [name: string]: XmlValue;
}

/**
 * Parses a WeCom XML packet into string fields (nested elements become objects, repeated ones arrays).
 *
 * A small strict parser for the subset WeCom sends (elements, text, CDATA, the five predefined entities
 * and character references), written for the callback's hot path: it is several times cheaper than a
 * general parser, and safer, because what it does not know it refuses: DOCTYPE, entity declarations,
 * unknown entities, processing instructions, deep nesting, oversized input. Attributes are skipped.
 */
export function parseWeComXml(xml: string): Record<string, string | Record<string, unknown>> {
  if (xml.length > MAX_CALLBACK_BYTES || Buffer.byteLength(xml, 'utf8') > MAX_CALLBACK_BYTES) throw new UnsafeXmlError('XML too large');
  const p = new Parser(xml);
  const root = p.document();
  if (root.name !== 'xml') throw new UnsafeXmlError('no <xml> root element');
  if (typeof root.value !== 'object') return {};
  return root.value as Record<string, string | Record<string, unknown>>;
}

class Parser {
  private i = 0;
  private elements = 0;

  constructor(private readonly s: string) {}

  document(): { name: string; value: XmlValue } {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.skipSpace();
    if (this.s.startsWith('<?xml', this.i)) {
      const end = this.s.indexOf('?>', this.i);
      if (end < 0) this.fail('unterminated XML declaration');
      this.i = end + 2;
    }
    this.skipMisc();
    if (this.s[this.i] !== '<') this.fail('not XML');
    const root = this.element(1);
    this.skipMisc();
    if (this.i !== this.s.length) this.fail('content after the root element');
    return root;
  }

  private element(depth: number): { name: string; value: XmlValue } {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    if (++this.elements > MAX_ELEMENTS) this.fail('too many elements');
    this.i += 1; // '<'
    const name = this.name();
    this.skipAttributes();
    if (this.s.startsWith('/>', this.i)) {
      this.i += 2;
      return { name, value: '' };
    }
    this.i += 1; // '>'
    let text = '';
    let cdata = false;
    let children: XmlObject | null = null;
    for (;;) {
      const lt = this.s.indexOf('<', this.i);
      if (lt < 0) this.fail(`<${name}> is not closed`);
      if (lt > this.i) text += this.decode(this.s.slice(this.i, lt));
      this.i = lt;
      if (this.s.startsWith('</', lt)) {
        this.i += 2;
        if (this.name() !== name) this.fail(`</${name}> expected`);
        this.skipSpace();
        if (this.s[this.i] !== '>') this.fail(`</${name}> is not closed`);
        this.i += 1;
        break;
      }
      if (this.s.startsWith('<![CDATA[', lt)) {
        const end = this.s.indexOf(']]>', lt + 9);
        if (end < 0) this.fail('unterminated CDATA');
        text += this.s.slice(lt + 9, end);
        cdata = true;
        this.i = end + 3;
        continue;
      }
      if (this.s.startsWith('<!--', lt)) {
        this.comment();
        continue;
      }
      if (this.s[lt + 1] === '!' || this.s[lt + 1] === '?') this.fail('DTDs, entities and processing instructions are not accepted');
      const child = this.element(depth + 1);
      children ??= {};
      const prev = children[child.name];
      if (prev === undefined) children[child.name] = child.value;
      else if (Array.isArray(prev)) prev.push(child.value);
      else children[child.name] = [prev, child.value];
    }
    if (children) return { name, value: children };
    return { name, value: cdata ? text : text.trim() };
  }

  private name(): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.s);
    if (!m) this.fail('element name expected');
    this.i += m[0].length;
    return m[0];
  }

  /** Attributes are not used by WeCom's packets: skipped, but quotes must balance. */
  private skipAttributes(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('unterminated tag');
      if (c === '>' || (c === '/' && this.s[this.i + 1] === '>')) return;
      if (c === '"' || c === "'") {
        const end = this.s.indexOf(c, this.i + 1);
        if (end < 0) this.fail('unterminated attribute');
        const value = this.s.slice(this.i + 1, end);
        if (value.includes('<')) this.fail('"<" in an attribute');
        this.i = end + 1;
      } else if (c === '<') {
        this.fail('unterminated tag');
      } else {
        this.i += 1;
      }
    }
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) this.fail('unterminated comment');
    this.i = end + 3;
  }

  private skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.s.startsWith('<!--', this.i)) this.comment();
      else if (this.s.startsWith('<!', this.i) || this.s.startsWith('<?', this.i)) this.fail('DTDs, entities and processing instructions are not accepted');
      else return;
    }
  }

  private skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i += 1;
  }

  /** One pass over the five predefined entities and character references; anything else is refused. */
  private decode(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) this.fail('a bare "&" in text');
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
        if (!Number.isInteger(code) || code < 1 || code > 0x10ffff) this.fail(`bad character reference &${ref};`);
        return String.fromCodePoint(code);
      }
      const ch = PREDEFINED[ref];
      if (ch === undefined) this.fail(`entity &${ref}; is not accepted`);
      return ch;
    });
  }

  private fail(why: string): never {
    throw new UnsafeXmlError(`not well-formed XML: ${why}`);
  }
}
