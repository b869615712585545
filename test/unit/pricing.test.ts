import { hasAtMostTwoDecimals, priceLine, priceOrder, toDecimal, toMinor } from '../../src/services/pricing';

describe('pricing in integer paise (DESIGN.md 5)', () => {
  it('prices a line as quantity × unitPrice − discount + tax', () => {
    expect(priceLine({ quantity: 2, unitPrice: 2500, discount: 250, tax: 225 })).toEqual({
      quantity: 2,
      unitPrice: 250_000,
      totalPrice: 500_000,
      discount: 25_000,
      tax: 22_500,
      finalPrice: 497_500,
    });
  });

  it('prices an order as the sum of its lines, and counts its units', () => {
    const { totalAmount, itemCount } = priceOrder([
      { quantity: 2, unitPrice: 2500, discount: 250, tax: 225 },
      { quantity: 1, unitPrice: 500, tax: 45 },
    ]);

    expect({ totalAmount, itemCount }).toEqual({ totalAmount: 552_000, itemCount: 3 });
  });

  it('converts decimals to paise without floating-point drift, and back', () => {
    expect([0.1, 0.29, 1.005 - 0.005, 19.99, 10_000_000].map(toMinor)).toEqual([10, 29, 100, 1999, 1_000_000_000]);
    expect(toDecimal(552_000)).toBe(5520);
  });

  it.each([
    [10, true],
    [10.5, true],
    [0.29, true],
    [19.99, true],
    [1.005, false],
    [0.001, false],
    [1e-7, false],
  ])('says whether %p has at most two decimals: %p', (amount, expected) => {
    expect(hasAtMostTwoDecimals(amount)).toBe(expected);
  });
});
