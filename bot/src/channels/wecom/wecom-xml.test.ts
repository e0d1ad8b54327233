import { XMLParser } from 'fast-xml-parser';
import { cardClickXml, textXml } from '../../../../tests/helpers/wecom-packets';
import { MAX_CALLBACK_BYTES, parseWeComXml, UnsafeXmlError } from './wecom-xml';

const XML = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Content><![CDATA[查 张三]]></Content><MsgId>1234567890123456</MsgId></xml>';

/** A general parser as the oracle for the shapes WeCom sends (strings only, attributes ignored). */
const oracle = new XMLParser({
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
});

/** Packet shapes from WeCom's callback documentation (消息格式 / 事件格式), with CDATA, nesting and repeats. */
const DOCUMENTED: Array<[string, string]> = [
  [
    'the encrypted envelope',
    '<xml><ToUserName><![CDATA[toUser]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[msg_encrypt]]></Encrypt></xml>',
  ],
  ['a text message', textXml('demo-rep1', '查 张三', '7300000000000000123')],
  ['a card click', cardClickXml('demo-rep1', 'reminder.done:r1', 'task-1', 'code-1')],
  [
    'enter_agent',
    '<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[u]]></FromUserName><CreateTime>1408091189</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>1</AgentID></xml>',
  ],
  [
    'a card click with selected items (nested, repeated)',
    '<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey><OptionIds><OptionId><![CDATA[a]]></OptionId><OptionId><![CDATA[b]]></OptionId></OptionIds></SelectedItem><SelectedItem><QuestionKey><![CDATA[q2]]></QuestionKey><OptionIds><OptionId><![CDATA[c]]></OptionId></OptionIds></SelectedItem></SelectedItems></xml>',
  ],
  [
    'a declaration, whitespace and comments',
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- from WeCom -->\n<xml>\n  <MsgId>1</MsgId>\n  <Content> 你好 </Content>\n</xml>\n',
  ],
  ['attributes (ignored)', '<xml lang="zh"><Content type=\'text\'>hi</Content><Empty/><Empty2></Empty2></xml>'],
  ['predefined entities and character references', '<xml><Content>A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos; &#20013;&#x6587;</Content></xml>'],
  ['CDATA holding markup', '<xml><Content><![CDATA[<b>&amp;</b> ]] >]]></Content></xml>'],
];

describe('WeCom XML: the packets WeCom sends', () => {
  it.each(DOCUMENTED)('%s: same fields as a general XML parser', (_name, xml) => {
    expect(parseWeComXml(xml)).toEqual((oracle.parse(xml) as { xml: unknown }).xml || {});
  });

  it('reads flat fields and CDATA as text', () => {
    expect(parseWeComXml(XML)).toEqual({ ToUserName: 'wx5823bf96d3bd56c7', Content: '查 张三', MsgId: '1234567890123456' });
  });

  it('keeps a 64-bit MsgId as text (no precision lost)', () => {
    expect(parseWeComXml('<xml><MsgId>7300000000000000123</MsgId></xml>').MsgId).toBe('7300000000000000123');
  });

  it('keeps spaces inside CDATA and trims plain text', () => {
    expect(parseWeComXml('<xml><A><![CDATA[ x ]]></A><B>  y  </B></xml>')).toEqual({ A: ' x ', B: 'y' });
  });

  it('decodes entities once: escaped entity text stays text', () => {
    expect(parseWeComXml('<xml><Content>&amp;lt;a&amp;gt;</Content></xml>').Content).toBe('&lt;a&gt;');
  });
});

describe('WeCom XML: hostile or broken input is refused', () => {
  const hostile: Array<[string, string]> = [
    ['XXE: external entity', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>'],
    [
      'billion laughs',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
    ],
    ['a bare DOCTYPE', '<!doctype xml><xml><a>1</a></xml>'],
    ['a parameter entity', '<!ENTITY % p SYSTEM "http://evil/x.dtd"><xml/>'],
    ['a DOCTYPE inside the root', '<xml><!DOCTYPE x><a>1</a></xml>'],
    ['an undeclared entity reference', '<xml><Content>&e;</Content></xml>'],
    ['a bare ampersand', '<xml><Content>A & B</Content></xml>'],
    ['a character reference out of range', '<xml><Content>&#x110000;</Content></xml>'],
    ['a processing instruction', '<xml><?php echo 1 ?><a>1</a></xml>'],
    ['not XML', '{"Encrypt":"abc"}'],
    ['empty', ''],
    ['no <xml> root', '<root><Encrypt>abc</Encrypt></root>'],
    ['two roots', '<xml><a>1</a></xml><xml><a>2</a></xml>'],
    ['text after the root', '<xml><a>1</a></xml>trailing'],
    ['unclosed tags', '<xml><Encrypt>abc</xml>'],
    ['an unclosed root', '<xml><Encrypt>abc</Encrypt>'],
    ['mismatched closing tag', '<xml><a>1</b></xml>'],
    ['unterminated CDATA', '<xml><a><![CDATA[abc</a></xml>'],
    ['unterminated comment', '<xml><!-- abc </xml>'],
    ['unterminated attribute', '<xml a="1><b>2</b></xml>'],
    ['nesting 9 deep', `<xml>${'<a>'.repeat(8)}x${'</a>'.repeat(8)}</xml>`],
    ['too many elements', `<xml>${'<a/>'.repeat(2_001)}</xml>`],
    ['over 64 KB', `<xml><Content>${'字'.repeat(MAX_CALLBACK_BYTES / 3 + 1)}</Content></xml>`],
  ];
  it.each(hostile)('refuses %s', (_name, xml) => {
    expect(() => parseWeComXml(xml)).toThrow(UnsafeXmlError);
  });

  it('7 levels of nesting inside the root are still fine', () => {
    expect(() => parseWeComXml(`<xml>${'<a>'.repeat(7)}x${'</a>'.repeat(7)}</xml>`)).not.toThrow();
  });
});
