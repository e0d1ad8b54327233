import { buildSearchKeys, parseSearchQuery, pinyinKeys } from './search-keys';

/** What a search finds, computed the way the API queries: any key starting with any query prefix. */
function finds(keys: string[], input: string): boolean {
  return parseSearchQuery(input).some((q) => keys.some((k) => k.startsWith(q.kind === 'prefix' ? q.prefix : q.reversedPrefix)));
}

describe('pinyinKeys', () => {
  it.each([
    ['张三', 'person', 'zhangsan', 'zs'],
    ['曾小贤', 'person', 'zengxiaoxian', 'zxx'],
    ['单田芳', 'person', 'shantianfang', 'stf'],
    ['解晓东', 'person', 'xiexiaodong', 'xxd'],
    ['仇和', 'person', 'qiuhe', 'qh'],
    ['区志华', 'person', 'ouzhihua', 'ozh'],
    ['北京某某科技有限公司', 'company', 'beijingmoumoukejiyouxiangongsi', 'bjmmkjyxgs'],
    ['重庆小面', 'company', 'chongqingxiaomian', 'cqxm'],
    ['ABC科技', 'company', 'abckeji', 'abckj'],
  ] as const)('%s (%s) → %s / %s', (text, kind, full, initials) => {
    expect(pinyinKeys(text, kind)).toEqual({ full, initials });
  });

  it('has no pinyin for text without Chinese', () => {
    expect(pinyinKeys('John Smith', 'person')).toBeNull();
  });
});

describe('search keys and queries', () => {
  const zhang = buildSearchKeys({
    name: '张三',
    company: '北京星辰信息科技有限公司',
    contactNames: ['曾小贤'],
    phones: ['+86 138-0013-8000', '010-88886666'],
    emails: ['Zhang.San@Example.com', ''],
  });

  it.each([
    ['zs', true],
    ['zhang', true],
    ['zhangsan', true],
    ['张', true],
    ['张三', true],
    ['zxx', true],
    ['zeng', true],
    ['星辰', true],
    ['北京星辰', true],
    ['星辰科技', true],
    ['xc', true],
    ['bjxc', true],
    ['beijingxingchen', true],
    ['13800138000', true],
    ['138 0013 8000', true],
    ['+8613800138000', true],
    ['8000', true],
    ['38000', true],
    ['88886666', true],
    ['6666', true],
    ['zhang.san@example.com', true],
    ['ZHANG.SAN@', true],
    ['ls', false],
    ['李四', false],
    ['9999', false],
    ['上海星辰', true], // region prefixes are ignored, as in the duplicate check
    ['晨星', false],
    ['x'.repeat(3), false],
  ])('%j → %s', (q, expected) => {
    expect(finds(zhang, q)).toBe(expected);
  });

  it('an empty query matches nothing special', () => {
    expect(parseSearchQuery('   ')).toEqual([]);
  });
});
