import { cleanseRow, excelSerialToDate, mapSource, mapTier, parseImportDate, splitPhoneCell } from './import.cleanse';
import { suggestField, suggestMapping } from './import.fields';
import { IdentitySet } from './identity-set';

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
