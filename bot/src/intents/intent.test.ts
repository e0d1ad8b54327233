import { IntentRouter, mentionsIn, nextStepText, type IntentClassifier } from './intent';
import { parseChineseDateTime } from '@crm/shared';

const TZ = 'Asia/Shanghai';
const NOW = new Date('2026-11-23T10:00:00+08:00'); // a Monday
const router = new IntentRouter();
const kindOf = (text: string) => {
  const i = router.route(text, NOW, TZ);
  if (i.kind === 'command') return `command:${i.command}${i.arg ? `:${i.arg}` : ''}${i.period ? `@${i.period}` : ''}`;
  if (i.kind === 'records') return `records:${i.what}:${i.name}`;
  if (i.kind === 'correction') return `correction:${i.name}`;
  if (i.kind === 'name') return `name:${i.name}`;
  if (i.kind === 'report') return `report:${i.sure ? 'sure' : 'unsure'}:${i.mentions.join('|')}`;
  return i.kind;
};

describe('the intent router (rules)', () => {
  it.each([
    // commands and their synonyms
    ['我的提醒', 'command:today'],
    ['今天', 'command:today'],
    ['今天有什么', 'command:today'],
    ['待办', 'command:today'],
    ['提醒', 'command:today'],
    ['待审批', 'command:approvals.todo'],
    ['我的审批', 'command:approvals.todo'],
    ['审批', 'command:approvals.todo'],
    ['我发起的', 'command:approvals.mine'],
    ['业绩', 'command:stats'],
    ['本月', 'command:stats'],
    ['本周', 'command:stats@week'],
    ['这周', 'command:stats@week'],
    ['这周业绩', 'command:stats@week'],
    ['我的周报', 'command:stats@week'],
    ['团队情况', 'command:team'],
    ['团队', 'command:team'],
    ['团队周报', 'command:team@week'],
    ['本周团队', 'command:team@week'],
    ['帮助', 'command:help'],
    ['撤销', 'command:undo'],
    ['撤销。', 'command:undo'],
    ['取消', 'command:cancel'],
    ['找 张三', 'command:search:张三'],
    ['搜 云帆', 'command:search:云帆'],
    // explicit logs
    ['记录 张三 拜访了客户 下周再联系', 'report:sure:张三'],
    ['跟进 李四 电话沟通了报价', 'report:sure:李四'],
    // free reports
    ['拜访了张三，演示了新版，下周二下午再联系', 'report:sure:张三'],
    ['今天给李总打了电话，他说考虑一下', 'report:sure:李总'],
    ['和杭州云帆开会，确认了需求', 'report:sure:杭州云帆'],
    ['已电话沟通，客户要求下周二下午再联系', 'report:sure:'],
    ['张三 已电话沟通', 'report:sure:张三'],
    ['下周三发报价单', 'report:sure:'],
    ['下周三再说吧', 'report:sure:'],
    ['客户觉得价格偏高', 'report:unsure:'],
    // corrections
    ['不对，是侯军的', 'correction:侯军'],
    ['错了 应该是李四', 'correction:李四'],
    ['不对，记到王五', 'correction:王五'],
    // chatter and questions are never data
    ['好的', 'chatter'],
    ['嗯', 'chatter'],
    ['收到', 'chatter'],
    ['谢谢！', 'chatter'],
    ['👍', 'chatter'],
    ['便宜一点吗？', 'question'],
    ['这个客户怎么办', 'question'],
    ['能便宜点吗', 'question'],
    // records
    ['张三的商机', 'records:opportunities:张三'],
    ['张三的合同', 'records:contracts:张三'],
    ['杭州云帆的合同？', 'records:contracts:杭州云帆'],
    // bare names and initials
    ['张三', 'name:张三'],
    ['zs', 'name:zs'],
    // nothing
    ['便宜一点', 'unknown'],
    ['asdf 123 !!', 'unknown'],
  ])('%s → %s', (text, expected) => {
    expect(kindOf(text)).toBe(expected);
  });

  it.each([
    ['拜访了张三，演示了新版，下周二下午再联系', '再联系'],
    ['已电话沟通，客户要求下周二下午再联系', '再联系'],
    ['明天发报价单', '发报价单'],
    ['约好周五上午', '跟进'],
  ])('the next step of “%s” is “%s”', (text, step) => {
    const date = parseChineseDateTime(text, NOW, TZ)!;
    expect(date).not.toBeNull();
    expect(nextStepText(text, date)).toBe(step);
  });

  it('mentions: names after contact verbs and a leading name, generic words left out', () => {
    expect(mentionsIn('拜访了张三，演示了新版')).toEqual(['张三']);
    expect(mentionsIn('给客户打了电话')).toEqual([]);
    expect(mentionsIn('zs 电话沟通了')).toEqual(['zs']);
  });

  it('a later classifier (a model, off by default) is asked only when the rules have no opinion', () => {
    const model: IntentClassifier = { name: 'model', classify: () => ({ kind: 'chatter' }) };
    const r = new IntentRouter([
      new (class {
        name = 'none';
        classify = () => null;
      })(),
      model,
    ]);
    expect(r.route('随便什么', NOW, TZ).kind).toBe('chatter');
  });
});
