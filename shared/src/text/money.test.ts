import { formatMoneyShort } from './money';

describe('formatMoneyShort', () => {
  it.each([
    [null, ''],
    [0, '¥0'],
    [8_600_00, '¥8,600'],
    [99_999_00, '¥99,999'],
    [100_000_00, '¥10万'],
    [125_000_00, '¥12.5万'],
    [150_000_00, '¥15万'],
    [1_200_000_00, '¥120万'],
    [12_345_678_00, '¥1,235万'],
    [-5_000_00, '-¥5,000'],
  ])('%p fen → %p', (fen, shown) => {
    expect(formatMoneyShort(fen)).toBe(shown);
  });
});
