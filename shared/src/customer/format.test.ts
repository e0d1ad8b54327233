import { formatPhone, formatRegion } from './format';

describe('formatPhone', () => {
  it.each([
    ['+8613800138000', '138 0013 8000'],
    ['13800138000', '138 0013 8000'],
    ['138-0013-8000', '138 0013 8000'],
    ['0086 138 0013 8000', '138 0013 8000'],
    ['8613800138000', '138 0013 8000'],
    ['021-68881234', '021 6888 1234'],
    ['0571-8888666', '0571 888 8666'],
    ['010-12345678 转 808', '010 1234 5678 转 808'],
    ['+1 415 555 0100', '+1 415 555 0100'],
    ['', ''],
    [null, ''],
  ])('%s → %s', (input, expected) => {
    expect(formatPhone(input)).toBe(expected);
  });
});

describe('formatRegion', () => {
  it.each([
    [{ province: '上海', city: '上海' }, '上海'],
    [{ province: '上海市', city: '上海' }, '上海市'],
    [{ province: '浙江', city: '杭州' }, '浙江 杭州'],
    [{ province: '北京', city: '北京', district: '海淀区' }, '北京 海淀区'],
    [{ city: '深圳' }, '深圳'],
    [null, ''],
  ])('%j → %s', (region, expected) => {
    expect(formatRegion(region)).toBe(expected);
  });
});
