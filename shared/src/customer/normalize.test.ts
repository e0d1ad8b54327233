import { companyKey, normalizeCompanyName, normalizeEmail, normalizePersonName, normalizePhone } from './normalize';

describe('normalizeCompanyName', () => {
  it.each([
    ['上海某某信息科技有限公司', '某某信息科技'],
    ['某某信息科技(上海)有限公司', '某某信息科技'],
    ['某某信息科技（上海）有限公司', '某某信息科技'],
    ['某某科技', '某某科技'],
    ['北京市某某科技股份有限公司', '某某科技'],
    ['ＡＢＣ科技有限公司', 'abc科技'],
    ['  阿里巴巴（中国）网络技术有限公司 ', '阿里巴巴网络技术'],
    ['深圳市腾讯计算机系统有限公司', '腾讯计算机系统'],
    ['华为技术有限公司', '华为技术'],
    ['广东省广州市某某贸易有限责任公司', '某某贸易'],
    ['内蒙古伊利实业集团股份有限公司', '伊利实业'],
    ['黑龙江飞鹤乳业有限公司', '飞鹤乳业'],
    ['某某 · 科技 有限公司', '某某科技'],
    ['上海', '上海'],
    ['有限公司', '有限公司'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeCompanyName(input)).toBe(expected);
  });
});

describe('companyKey: likely the same company', () => {
  it.each([
    [['上海某某信息科技有限公司', '某某信息科技(上海)有限公司', '某某科技', '某某网络科技有限公司', '北京某某'], '某某'],
    [['杭州星辰软件开发有限公司', '星辰软件', '星辰(杭州)软件有限公司'], '星辰'],
    [['中国科技有限公司'], '中国'],
    [['数据科技有限公司'], '数据科技'],
  ])('%j all map to %s', (names, key) => {
    for (const n of names) expect(companyKey(n)).toBe(key);
  });

  it('keeps different companies apart', () => {
    expect(companyKey('上海星辰科技有限公司')).not.toBe(companyKey('上海晨星科技有限公司'));
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+86 138-0013-8000', { kind: 'mobile', value: '+8613800138000' }],
    ['13800138000', { kind: 'mobile', value: '+8613800138000' }],
    ['0086 13800138000', { kind: 'mobile', value: '+8613800138000' }],
    ['138 0013 8000', { kind: 'mobile', value: '+8613800138000' }],
    ['8613800138000', { kind: 'mobile', value: '+8613800138000' }],
    ['１３８００１３８０００', { kind: 'mobile', value: '+8613800138000' }],
    ['(+86)13800138000', { kind: 'mobile', value: '+8613800138000' }],
    ['021-6123 4567', { kind: 'landline', value: '021-61234567' }],
    ['(021) 61234567', { kind: 'landline', value: '021-61234567' }],
    ['010-88886666', { kind: 'landline', value: '010-88886666' }],
    ['0755-2345678', { kind: 'landline', value: '0755-2345678' }],
    ['021-61234567转123', { kind: 'landline', value: '021-61234567-123' }],
    ['+86 21 6123 4567', null],
    ['12800138000', null],
    ['1380013800', null],
    ['138001380001', null],
    ['abc', null],
    ['', null],
    ['61234567', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizePhone(input)).toEqual(expected);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['  Zhang.San@Example.COM ', 'zhang.san@example.com'],
    ['ｚｓ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'zs@example.com'],
    ['', null],
    ['   ', null],
    [null, null],
    ['not-an-email', null],
    ['a@b', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
});

describe('normalizePersonName', () => {
  it.each([
    ['张 三', '张三'],
    ['　李四　', '李四'],
    ['John  Smith', 'john smith'],
  ])('%j → %j', (input, expected) => {
    expect(normalizePersonName(input)).toBe(expected);
  });
});
