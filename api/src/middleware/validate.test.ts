import { findForbiddenKey } from './validate';

describe('findForbiddenKey refuses MongoDB operator injection', () => {
  it.each([
    [{ name: '张三' }, null],
    [{ name: { $ne: null } }, 'name.$ne'],
    [{ $where: 'sleep(1000)' }, '$where'],
    [{ 'a.b': 1 }, 'a.b'],
    [{ list: [{ ok: 1 }, { $gt: '' }] }, 'list.1.$gt'],
    [{ deep: { deeper: { $regex: '.*' } } }, 'deep.deeper.$regex'],
    [['x', { y: { $in: [] } }], '1.y.$in'],
    ['plain string with $ inside', null],
    [{ text: '价格 $100.00' }, null],
    [null, null],
    [{ 'status[$ne]': 'resigned' }, 'status[$ne]'],
  ])('%j → %s', (input, expected) => {
    expect(findForbiddenKey(input)).toBe(expected);
  });

  it('stops at absurd nesting instead of recursing forever', () => {
    let v: Record<string, unknown> = {};
    const root = v;
    for (let i = 0; i < 100; i++) v = (v.n = {}) as Record<string, unknown>;
    expect(findForbiddenKey(root)).not.toBeNull();
  });
});
