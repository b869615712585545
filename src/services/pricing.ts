/**
 * Pricing in integer minor units (DESIGN.md 5):
 * finalPrice = quantity * unitPrice - discount + tax, totalAmount = Σ finalPrice,
 * itemCount = Σ quantity.
 */
export interface LineInput {
  quantity: number;
  unitPrice: number; // decimal, as the API speaks
  discount?: number;
  tax?: number;
}

export interface PricedLine {
  quantity: number;
  unitPrice: number;
  totalPrice: number;
  discount: number;
  tax: number;
  finalPrice: number;
}

/** Decimal with at most two places → minor units, without floating-point drift. */
export const toMinor = (amount: number): number => Math.round(amount * 100);
export const toDecimal = (minor: number): number => minor / 100;

/** True when a decimal amount has at most two decimal places. */
export function hasAtMostTwoDecimals(amount: number): boolean {
  return Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;
}

export function priceLine(line: LineInput): PricedLine {
  const unitPrice = toMinor(line.unitPrice);
  const totalPrice = line.quantity * unitPrice;
  const discount = toMinor(line.discount ?? 0);
  const tax = toMinor(line.tax ?? 0);
  return { quantity: line.quantity, unitPrice, totalPrice, discount, tax, finalPrice: totalPrice - discount + tax };
}

export function priceOrder<T extends LineInput>(
  lines: T[],
): { lines: (T & { priced: PricedLine })[]; totalAmount: number; itemCount: number } {
  const priced = lines.map((l) => ({ ...l, priced: priceLine(l) }));
  return {
    lines: priced,
    totalAmount: priced.reduce((s, l) => s + l.priced.finalPrice, 0),
    itemCount: priced.reduce((s, l) => s + l.quantity, 0),
  };
}
