import { loadConfig } from '@crm/config';
import {
  cleanseRow,
  excelSerialToDate,
  mapFollowUpType,
  mapSource,
  mapStage,
  mapTier,
  parseAmountFen,
  parseImportDate,
  splitPhoneCell,
} from './import.cleanse';
import { suggestField, suggestMapping } from './import.fields';
import { IdentitySet, LineMarks } from './identity-set';

const TZ = 'Asia/Shanghai';
const NOW = new Date('2025-03-03T02:00:00Z'); // Monday 10:00 in Shanghai

describe('headers → fields', () => {
  it.each([
    ['客户名称', 'name'],
    ['公司', 'company'],
    ['公司名称', 'company'],
    ['Company Name', 'company'],
    ['联系人', 'contactName'],
    ['姓名', 'contactName'],
    ['手机号', 'phones'],
    ['电话', 'phones'],
    ['Mobile', 'phones'],
    ['邮箱', 'email'],
    ['E-mail', 'email'],
    ['客户等级', 'tier'],
    ['负责人', 'owner'],
    ['省', 'province'],
    ['市', 'city'],
    ['下次联系时间', 'nextFollowUpAt'],
    ['客户名称（必填）', 'name'],
    ['＊手机', 'phones'],
    ['跟进内容', 'followUpContent'],
    ['跟进记录', 'followUpContent'],
    ['Follow-up', 'followUpContent'],
    ['跟进时间', 'followUpAt'],
    ['最近跟进时间', 'followUpAt'],
    ['跟进方式', 'followUpType'],
    ['下次跟进时间', 'nextFollowUpAt'],
    ['跟进人', 'owner'],
    ['商机名称', 'opportunityName'],
    ['Deal Name', 'opportunityName'],
    ['金额', 'amount'],
    ['商机金额（元）', 'amount'],
    ['Amount', 'amount'],
    ['预计成交', 'expectedCloseDate'],
    ['预计成交日期', 'expectedCloseDate'],
    ['Expected Close Date', 'expectedCloseDate'],
    ['阶段', 'stage'],
    ['销售阶段', 'stage'],
    ['Stage', 'stage'],
    ['备注', 'note'],
    ['不相干', null],
  ])('%s → %s', (header, field) => expect(suggestField(header)).toBe(field));

  it('maps each field once (the first column naming it)', () => {
    expect(suggestMapping(['手机', '电话', '公司']).map((m) => m.field)).toEqual(['phones', null, 'company']);
  });
});

describe('cleansing', () => {
  it.each([
    ['转介绍', '老客户推荐'],
    ['百度推广', '广告'],
    ['电销', '电话营销'],
    ['渠道', '合作伙伴'],
    ['展会', '展会'],
    ['???', null],
  ])('source %s → %s', (text, source) => expect(mapSource(text)).toBe(source));

  it.each([
    ['A', 'A'],
    ['a级', 'A'],
    ['重点', 'A'],
    ['重要', 'B'],
    ['一般', 'C'],
    ['低', 'D'],
    ['？', null],
  ])('tier %s → %s', (text, tier) => expect(mapTier(text)).toBe(tier));

  it.each([
    ['13800138000 13900139000', ['13800138000', '13900139000']],
    ['138-0013-8000；021-61234567', ['138-0013-8000', '021-61234567']],
    ['+86 138 0013 8000', ['+86 138 0013 8000']],
    ['13800138000/13900139000', ['13800138000', '13900139000']],
  ])('phones in one cell: %s', (cell, parts) => expect(splitPhoneCell(cell)).toEqual(parts));

  it.each([
    ['2025-03-05', '2025-03-05T01:00:00.000Z'],
    ['2025/3/5 14:30', '2025-03-05T06:30:00.000Z'],
    ['2025.3.5', '2025-03-05T01:00:00.000Z'],
    ['2025年3月5日', '2025-03-05T01:00:00.000Z'],
    ['20250305', '2025-03-05T01:00:00.000Z'],
    ['45721', '2025-03-05T01:00:00.000Z'],
    ['下周三', '2025-03-12T01:00:00.000Z'],
    ['2025-13-01', null],
    ['不知道', null],
  ])('date %s → %s', (text, iso) => expect(parseImportDate(text, NOW, TZ)?.toISOString() ?? null).toBe(iso));

  it.each([
    ['昨天', '2025-03-02T01:00:00.000Z'],
    ['前天', '2025-03-01T01:00:00.000Z'],
    ['3天前', '2025-02-28T01:00:00.000Z'],
    ['今天', '2025-03-03T01:00:00.000Z'],
    ['2024-12-30', '2024-12-30T01:00:00.000Z'],
  ])('a follow-up time (past allowed) %s → %s', (text, iso) => {
    expect(parseImportDate(text, NOW, TZ, { past: true })?.toISOString()).toBe(iso);
    if (/天/.test(text)) expect(parseImportDate(text, NOW, TZ)).toBeNull(); // a next follow-up is never in the past
  });

  it('Excel serials with a time keep it', () => {
    expect(excelSerialToDate(45721.5, TZ)?.toISOString()).toBe('2025-03-05T04:00:00.000Z');
  });

  it('reports every changed value and keeps the identities the duplicate check uses', () => {
    const mapping = suggestMapping(['客户名称', '公司', '手机', '邮箱', '等级']);
    const r = cleanseRow(['  某客户 ', '上海　星辰 信息科技有限公司', '+86 139-1234-5678, 021-6123 4567', 'A@B.COM', '重点'], mapping, { now: NOW, tz: TZ });
    expect(r.errors).toEqual([]);
    expect(r.row).toMatchObject({ name: '某客户', company: '上海星辰信息科技有限公司', tier: 'A', source: '其他' });
    expect(r.row!.contact).toMatchObject({ mobiles: ['+8613912345678'], phones: ['021-61234567'], emails: ['a@b.com'] });
    expect(r.row!.identities).toEqual(['company:星辰', 'email:a@b.com', 'mobile:8613912345678']);
    expect(r.changes.map((c) => c.field)).toEqual(['company', 'tier', 'phones', 'email']); // trimming alone is no change
  });

  it('refuses a row without customer and company, with oversized or binary cells', () => {
    const mapping = suggestMapping(['客户名称', '手机']);
    expect(cleanseRow(['', '13800138000'], mapping, { now: NOW, tz: TZ }).errors).toEqual(['客户名称和公司名称都为空']);
    expect(cleanseRow(['x'.repeat(40_000), ''], mapping, { now: NOW, tz: TZ }).errors[0]).toMatch(/单元格过长/);
    expect(cleanseRow(['a\u0000b', ''], mapping, { now: NOW, tz: TZ }).errors[0]).toMatch(/二进制/);
  });
});

// the configured stages, as the import reads them (config/src/crm-defaults.ts)
const STAGES = loadConfig({ NODE_ENV: 'test' }).crm.stages;

describe('follow-ups and opportunities in a row', () => {
  it.each([
    ['¥12,000', 1_200_000],
    ['￥12,000.50', 1_200_050],
    ['12000元', 1_200_000],
    ['1.2万', 1_200_000],
    ['3万元', 3_000_000],
    ['3 万', 3_000_000],
    ['5k', 500_000],
    ['RMB 800', 80_000],
    ['0.5亿', 5_000_000_000],
    ['１２３', 12_300],
    ['很多', null],
    ['-5', null],
    ['12,000美元', null],
  ])('amount %s → %s 分', (text, fen) => expect(parseAmountFen(text)).toBe(fen));

  it.each([
    ['需求确认', 'needs'],
    ['needs', 'needs'],
    ['需求', 'needs'],
    ['需求分析', 'needs'],
    ['初步接洽', 'initial'],
    ['意向客户', 'initial'],
    ['报价', 'proposal'],
    ['方案', 'proposal'],
    ['谈判中', 'negotiation'],
    ['合同谈判', 'negotiation'],
    ['已成交', 'won'],
    ['赢单', 'won'],
    ['Closed Won', 'won'],
    ['丢单', 'lost'],
    ['50%', 'proposal'],
    ['随便', null],
  ])('stage %s → %s', (text, key) => expect(mapStage(text, STAGES)?.key ?? null).toBe(key));

  it.each([
    ['上门拜访', 'visit'],
    ['电话', 'call'],
    ['微信', 'wechat'],
    ['视频会', 'meeting'],
    ['Email', 'email'],
    ['备注', 'note'],
    ['飞鸽传书', null],
  ])('follow-up type %s → %s', (text, type) => expect(mapFollowUpType(text)).toBe(type));

  const headers = ['公司', '联系人', '手机', '跟进内容', '跟进时间', '跟进方式', '商机名称', '金额', '预计成交', '阶段', '备注'];
  const ctx = { now: NOW, tz: TZ, stages: STAGES };
  const row = (over: Partial<Record<string, string>>) => headers.map((h) => over[h] ?? '');

  it.each([
    {
      what: 'only customer columns: no follow-up, no opportunity',
      cells: { 公司: '甲公司' },
      followUp: undefined,
      opportunity: undefined,
      refused: undefined,
    },
    {
      what: 'a visit with its time, a deal with amount, date and stage',
      cells: {
        公司: '甲公司',
        跟进内容: '初次拜访',
        跟进时间: '2025-03-01 15:00',
        跟进方式: '上门',
        商机名称: '一期',
        金额: '1.2万',
        预计成交: '2025/6/30',
        阶段: '报价',
      },
      followUp: { type: 'visit', content: '初次拜访', happenedAt: new Date('2025-03-01T07:00:00Z') },
      opportunity: { name: '一期', amountFen: 1_200_000, stage: 'proposal', expectedCloseDate: new Date('2025-06-30T01:00:00Z') },
      refused: undefined,
    },
    {
      what: 'a follow-up without a time (the import time) or a type (a note); a deal named after its customer',
      cells: { 公司: '甲公司', 跟进内容: '电话里说下月再谈', 金额: '¥5,000' },
      followUp: { type: 'note', content: '电话里说下月再谈' },
      opportunity: { name: '甲公司 商机', amountFen: 500_000, stage: 'initial' },
      refused: undefined,
    },
    {
      what: 'a follow-up in the future and an amount that is not one are refused alone',
      cells: { 公司: '甲公司', 跟进内容: '未来的拜访', 跟进时间: '2099-01-01', 商机名称: '二期', 金额: '很多' },
      followUp: undefined,
      opportunity: undefined,
      refused: { followUp: '跟进时间「2099-01-01」晚于现在，跟进记录未导入', opportunity: '金额「很多」无法识别，商机未导入' },
    },
    {
      what: 'a time without content',
      cells: { 公司: '甲公司', 跟进时间: '2025-03-01' },
      followUp: undefined,
      opportunity: undefined,
      refused: { followUp: '跟进内容为空，跟进记录未导入' },
    },
  ])('$what', ({ cells, followUp, opportunity, refused }) => {
    const r = cleanseRow(row(cells), suggestMapping(headers), ctx);
    expect(r.errors).toEqual([]);
    expect(r.row!.followUp).toEqual(followUp);
    expect(r.row!.opportunity).toEqual(opportunity);
    expect(r.row!.refused).toEqual(refused);
  });

  it('备注 becomes a note follow-up; amounts, stages and dates are reported before → after', () => {
    const r = cleanseRow(
      row({ 公司: '甲公司', 金额: '3万元', 阶段: '谈判中', 跟进内容: 'x', 跟进方式: '打电话', 跟进时间: '45716', 备注: '老板很难约' }),
      suggestMapping(headers),
      ctx,
    );
    expect(r.row!.note).toEqual({ type: 'note', content: '导入备注：老板很难约' });
    expect(r.warnings).toEqual([]);
    expect(r.changes.filter((c) => ['amount', 'stage', 'followUpType', 'followUpAt'].includes(c.field))).toEqual([
      { field: 'followUpType', before: '打电话', after: '电话' },
      { field: 'followUpAt', before: '45716', after: '2025/02/28 09:00' },
      { field: 'amount', before: '3万元', after: '¥30,000.00' },
      { field: 'stage', before: '谈判中', after: '商务谈判' },
    ]);
  });

  it('an unknown stage or type is the first open stage / a note, with a warning', () => {
    const r = cleanseRow(row({ 公司: '甲公司', 阶段: '随便', 跟进内容: 'x', 跟进方式: '飞鸽传书' }), suggestMapping(headers), ctx);
    expect(r.row!.opportunity).toMatchObject({ stage: 'initial', amountFen: 0 });
    expect(r.row!.followUp).toMatchObject({ type: 'note' });
    expect(r.warnings).toEqual(['跟进方式「飞鸽传书」无法识别，记为 备注', '销售阶段「随便」无法识别，记为 初步接洽']);
  });
});

describe('LineMarks', () => {
  it('marks lines through growth', () => {
    const m = new LineMarks();
    for (const l of [2, 9, 70_000, 1_000_001]) m.mark(l);
    expect([2, 3, 9, 70_000, 70_001, 1_000_001, 5_000_000].map((l) => m.has(l))).toEqual([true, false, true, true, false, true, false]);
  });
});

describe('IdentitySet', () => {
  it('remembers the first line of each identity, through growth', () => {
    const s = new IdentitySet(8);
    for (let i = 0; i < 50_000; i++) s.add(`mobile:86139${String(i).padStart(8, '0')}`, i + 2);
    for (let i = 0; i < 50_000; i++) s.add(`company:公司${i}`, i + 2);
    s.add('mobile:8613900000007', 999_999);
    expect(s.size).toBe(100_000);
    expect(s.get('mobile:8613900000007')).toBe(9);
    expect(s.get('company:公司49999')).toBe(50_001);
    expect(s.get('company:公司50000')).toBeUndefined();
    expect(s.get('email:x@y.z')).toBeUndefined();
  });
});
