import { proposeSplit, type SplitSuccessor } from './handover.split';

const succ = (id: string, provinces: Record<string, number> = {}, industries: Record<string, number> = {}): SplitSuccessor => ({
  id,
  provinces: new Map(Object.entries(provinces)),
  industries: new Map(Object.entries(industries)),
});
const customers = (n: number, f: (i: number) => { province?: string; industry?: string } = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, ...f(i) }));
const counts = (m: Map<string, string>) => [...m.values()].reduce<Record<string, number>>((a, v) => ({ ...a, [v]: (a[v] ?? 0) + 1 }), {});

describe('proposeSplit', () => {
  it.each([
    ['all-to-one', 10, { a: 10 }],
    ['even', 10, { a: 4, b: 3, c: 3 }],
    ['even', 1000, { a: 334, b: 333, c: 333 }],
    ['by-customer', 9, { a: 3, b: 3, c: 3 }], // nobody known anywhere: the fewest so far
  ] as const)('%s over %i customers with three successors', (split, n, expected) => {
    expect(counts(proposeSplit(customers(n), [succ('a'), succ('b'), succ('c')], split))).toEqual(expected);
  });

  it('by-customer: the successor who serves the province wins, then the industry, then the fewest', () => {
    const m = proposeSplit(
      [
        { id: 'gd', province: '广东', industry: '制造' },
        { id: 'sh', province: '上海', industry: '零售' },
        { id: 'mfg', province: '四川', industry: '制造' },
        { id: 'none', province: '西藏' },
      ],
      [succ('a', { 广东: 5 }, { 零售: 9 }), succ('b', { 上海: 1 }, { 制造: 2 })],
      'by-customer',
    );
    expect(Object.fromEntries(m)).toEqual({ gd: 'a', sh: 'b', mfg: 'b', none: 'a' });
  });

  it('no successors: nothing proposed', () => {
    expect(proposeSplit(customers(3), [], 'even').size).toBe(0);
  });
});
