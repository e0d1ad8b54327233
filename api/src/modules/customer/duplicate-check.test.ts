import { bigramSimilarity, similarCompany } from './duplicate-check';

describe('bigramSimilarity', () => {
  it.each([
    ['星辰信息科技', '星辰信息科技', 1],
    ['星辰信息科技', '星晨信息科技', 0.6],
    ['abc', 'xyz', 0],
    ['a', 'a', 1],
    ['a', 'b', 0],
  ])('%s ~ %s = %d', (a, b, expected) => {
    expect(bigramSimilarity(a, b)).toBeCloseTo(expected, 2);
  });
});

describe('similarCompany (for "same person at a similar company")', () => {
  it.each([
    ['上海星辰信息科技有限公司', '星辰科技', true],
    ['星辰信息科技', '星晨信息科技有限公司', true],
    ['华为技术有限公司', '华为', true],
    ['成都天府茶业有限公司', '上海星辰信息科技有限公司', false],
    ['腾讯', '阿里巴巴', false],
    [null, null, true],
    ['星辰科技', null, false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(similarCompany(a, b)).toBe(expected);
  });
});
