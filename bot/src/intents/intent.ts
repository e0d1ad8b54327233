import { parseChineseDateTime, type ParsedDateTime } from '@crm/shared';

/** The commands the router knows, each with its synonyms (the first word is the one 帮助 shows). */
export type CommandName = 'search' | 'log' | 'today' | 'approvals.todo' | 'approvals.mine' | 'stats' | 'team' | 'help' | 'undo' | 'cancel';

/**
 * What a sentence means. The router is pure (no database): customer names are only proposed here
 * (`mentions`), and resolved by the listener through the user's scoped search.
 */
export type Intent =
  /** `period`: the 业绩 / 团队 commands said of a week (本周, 这周, 周报) rather than the month. */
  | { kind: 'command'; command: CommandName; arg: string; period?: 'week' }
  /** 张三的商机 / 张三的合同 */
  | { kind: 'records'; what: 'opportunities' | 'contracts'; name: string }
  /** 不对，是侯军的: move the last follow-up logged in chat to this customer. */
  | { kind: 'correction'; name: string }
  /** 好的 / 嗯 / 收到 / 谢谢: never data. */
  | { kind: 'chatter' }
  /** A question nobody answers here: never logged. */
  | { kind: 'question'; text: string }
  /**
   * A report of contact (or a sentence with a date): a follow-up to log. `sure` is false when only a date
   * makes it look like one (ask 记为跟进 / 不用).
   */
  | { kind: 'report'; text: string; mentions: string[]; date: ParsedDateTime | null; sure: boolean; explicit: boolean }
  /** A bare name, company or initials ("张三", "zs"): a search. */
  | { kind: 'name'; name: string }
  | { kind: 'unknown'; text: string };

/** The one interface every classifier implements: the rules below, or (later, off by default) a model. */
export interface IntentClassifier {
  readonly name: string;
  /** null: this classifier has no opinion (the next one is asked). */
  classify(text: string, now: Date, tz: string): Intent | null;
}

/** Synonyms, longest first within each command so "我的提醒" wins over "提醒". Whole-message or leading words. */
export const COMMAND_WORDS: Array<{ command: CommandName; words: string[]; takesArg: boolean }> = [
  { command: 'search', words: ['查一下', '查查', '搜索', '查', '找', '搜', 'cx'], takesArg: true },
  { command: 'log', words: ['记一下', '记录', '跟进', '记'], takesArg: true },
  { command: 'today', words: ['今天有什么', '今天要做什么', '我的提醒', '我的待办', '今日', '今天', '提醒', '待办'], takesArg: false },
  { command: 'approvals.todo', words: ['待审批', '我的审批', '待我审批', '审批'], takesArg: false },
  { command: 'approvals.mine', words: ['我发起的', '我的申请', '我提交的'], takesArg: false },
  { command: 'stats', words: ['我的业绩', '本月业绩', '业绩', '本月', '这个月', '本周', '这周', '本周业绩', '这周业绩', '我的周报'], takesArg: false },
  { command: 'team', words: ['团队情况', '团队业绩', '团队', '团队周报', '本周团队', '团队本周'], takesArg: false },
  { command: 'help', words: ['帮助', 'help', '?', '？', '菜单'], takesArg: false },
  { command: 'undo', words: ['撤销', '撤回', '删掉', '记错了'], takesArg: false },
  { command: 'cancel', words: ['取消', '算了'], takesArg: false },
];

const CHATTER =
  /^(好的?|好哒|好滴|好嘞|嗯+|哦+|噢|ok|okay|收到|谢谢|多谢|感谢|谢了|thx|thanks|知道了|明白|了解|辛苦了?|👌|👍|🙏|行|可以|没问题|晚安|早|早上好|你好|您好|hi|hello|哈+|呵+)[!！。.~～\s]*$/i;
const TRAILING = /[\s。！!~～,，.、]+$/;
/** Words that make a sentence a report of contact. */
const CONTACT =
  /拜访|上门|面谈|见面|见了|到访|登门|电话|致电|通话|打给|回电|打了|聊了|沟通|约了|演示|发了|发过|微信|邮件|开会|会议|回访|联系了|联系过|报价|签约|签了|谈了|谈好|洽谈|交流|对接|确认了|反馈|答应|同意|考虑|试用|需求/;
const QUESTION = /[?？]$|吗[?？。]?$|呢[?？。]?$|^(怎么|如何|为什么|为啥|什么|哪|谁|多少|几)|(怎么办|是什么|在哪|多少钱|什么时候)/;
/** Where a customer's name follows: "拜访了张三", "给李总打了电话", "和杭州云帆开会". */
const NAME_AFTER =
  /(?:拜访了?|见了?|约了?|回访了?|联系了?|致电|打给|给|和|跟|与|陪)\s*([\u4e00-\u9fa5A-Za-z]{2,12}?)(?=[，,。.！!、\s]|打|聊|开|沟通|通|发|演示|见|谈|约|的|说|了|那|这|$)/g;
const NAME_TOKEN = /^[\u4e00-\u9fa5]{2,12}$|^[A-Za-z]{2,8}$/;
/** Phrases that read like talk, not like a name ("便宜一点", "再看看"). */
const TALK = /一点|一下|点儿|看看|不错|还行|可以|不行|算了|没事|麻烦|稍等|等等|再说/;
/** Generic words that are never a customer's name. */
const NOT_NAMES = new Set([
  '客户',
  '对方',
  '他们',
  '我们',
  '老板',
  '领导',
  '同事',
  '经理',
  '电话',
  '微信',
  '邮件',
  '新版',
  '方案',
  '报价',
  '报价单',
  '合同',
  '产品',
  '样品',
  '今天',
  '明天',
  '后天',
  '下周',
  '上午',
  '下午',
  '晚上',
]);

/** A 业绩 / 团队 word said of the week: 本周, 这周, 周报. */
const WEEK_WORD = /周/;

/** The leading word of a command, if the text is one: whole text, or the word followed by a space or the argument. */
function matchCommand(text: string): { command: CommandName; arg: string; period?: 'week' } | null {
  const lower = text.toLowerCase();
  for (const c of COMMAND_WORDS)
    for (const w of c.words) {
      if (lower === w) return { command: c.command, arg: '', ...(WEEK_WORD.test(w) ? { period: 'week' as const } : {}) };
      if (!c.takesArg) continue;
      if (lower.startsWith(`${w} `) || lower.startsWith(`${w}\u3000`) || lower.startsWith(`${w}：`) || lower.startsWith(`${w}:`))
        return { command: c.command, arg: text.slice(w.length + 1).trim() };
    }
  return null;
}

/** Candidate customer names in a free sentence, best first (resolved later by the scoped search). */
export function mentionsIn(text: string): string[] {
  const out: string[] = [];
  const push = (s: string) => {
    const n = s.trim().replace(/(总|经理|老师|先生|女士|姐|哥)$/, (m, _o, str: string) => (str.length > 2 ? '' : m));
    if (n && !NOT_NAMES.has(n) && NAME_TOKEN.test(n) && !out.includes(n)) out.push(n);
  };
  for (const m of text.matchAll(NAME_AFTER)) push(m[1] ?? '');
  // "张三 已电话沟通…", "张三：演示了新版", "张三，约了下周": a leading name before a separator
  const lead = /^([\u4e00-\u9fa5]{2,4}|[A-Za-z]{2,8})(?:[\s:：,，]|(?=(?:已|今天|刚|上午|下午|电话|微信)))/.exec(text);
  if (lead) push(lead[1]!);
  return out.slice(0, 3);
}

/**
 * The next step in a sentence with a date: the clause the date is in, without the date ("下周二下午再联系" →
 * "再联系"), never the whole sentence. Falls back to "跟进".
 */
export function nextStepText(text: string, date: ParsedDateTime): string {
  const clauses = text.split(/[，,。；;！!\n]/);
  const clause = clauses.find((c) => c.includes(date.text)) ?? text;
  const [before = '', ...rest] = clause.split(date.text);
  const after = rest.join(date.text);
  const pick = (s: string) =>
    s
      .replace(/^[\s的前后之以]+/, '')
      .replace(TRAILING, '')
      .trim();
  const step = pick(after) || pick(before.replace(/(客户)?(要求|说|约|约好|约定|安排|计划|打算|准备)$/, ''));
  return (step || '跟进').slice(0, 200);
}

/** The rules: commands with synonyms, chatter, corrections, records, questions, reports, bare names. */
export class RuleClassifier implements IntentClassifier {
  readonly name = 'rules';

  classify(raw: string, now: Date, tz: string): Intent {
    const text = raw.trim();
    if (!text) return { kind: 'unknown', text };
    const bare = text.replace(TRAILING, '');
    const command = matchCommand(bare) ?? matchCommand(text);
    if (command && command.command === 'log') return this.report(command.arg, now, tz, true);
    if (command) return { kind: 'command', ...command };
    if (CHATTER.test(text)) return { kind: 'chatter' };
    const correction =
      /^(?:不对|错了|不是|搞错了|记错客户了?)[，,。!！\s]*(?:是|应该是|记到|记给|改成|改为|换成)\s*(.{1,20}?)(?:的|那里|名下)?[。!！\s]*$/.exec(text);
    if (correction) return { kind: 'correction', name: correction[1]!.trim() };
    const records = /^(?:查\s*)?(.{1,20}?)(?:的|家的)(商机|机会|合同)(?:有哪些|呢|列表)?[?？]?$/.exec(bare);
    if (records) return { kind: 'records', what: records[2] === '合同' ? 'contracts' : 'opportunities', name: records[1]!.trim() };
    if (QUESTION.test(text)) return { kind: 'question', text };
    const report = this.report(text, now, tz, false);
    if (report.kind === 'report') return report;
    if (NAME_TOKEN.test(bare) && !TALK.test(bare) && !NOT_NAMES.has(bare)) return { kind: 'name', name: bare };
    return { kind: 'unknown', text };
  }

  private report(text: string, now: Date, tz: string, explicit: boolean): Intent {
    const date = text ? parseChineseDateTime(text, now, tz) : null;
    const contact = CONTACT.test(text);
    // a report of contact or a date: logged; a longer sentence with neither may be one (ask 记为跟进 / 不用)
    const maybe = !contact && !date && [...text.replace(/[\s\p{P}\p{S}]/gu, '')].length >= 6 && /[\u4e00-\u9fa5]/.test(text);
    if (!explicit && !contact && !date && !maybe) return { kind: 'unknown', text };
    return { kind: 'report', text, mentions: mentionsIn(text), date, sure: explicit || contact || !!date, explicit };
  }
}

/**
 * The router: asks each classifier in turn (the rules first; an optional model-based classifier may be
 * added after them, off by default) and answers the first opinion. Pure and offline.
 */
export class IntentRouter {
  constructor(private readonly classifiers: IntentClassifier[] = [new RuleClassifier()]) {}

  route(text: string, now: Date, tz: string): Intent {
    let fallback: Intent = { kind: 'unknown', text: text.trim() };
    for (const c of this.classifiers) {
      const intent = c.classify(text, now, tz);
      if (!intent) continue;
      if (intent.kind !== 'unknown') return intent;
      fallback = intent;
    }
    return fallback;
  }
}
