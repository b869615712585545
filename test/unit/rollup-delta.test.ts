import { RollupDelta } from '../../src/services/analytics/rollup-delta';
import { productKey } from '../../src/services/analytics/rollup-keys';

describe('a rollup delta: what one event adds to its day', () => {
  it('counts a placed order, its value and units, under its first status', () => {
    const d = new RollupDelta('2026-11-29').placed(552_000, 3, 'Placed');

    expect(d.inc).toEqual({ orders: 1, gross: 552_000, items: 3, 'status.Placed.n': 1, 'status.Placed.v': 552_000 });
  });

  it('moves an order from one status to another, so it counts under the new one only', () => {
    const d = new RollupDelta('2026-11-29').moved('Return Requested', 'Returned', 1000);

    expect(d.inc).toEqual({
      'status.ReturnRequested.n': -1,
      'status.ReturnRequested.v': -1000,
      'status.Returned.n': 1,
      'status.Returned.v': 1000,
    });
  });

  it('adds nothing for a move to the same status, and is then empty', () => {
    expect(new RollupDelta('2026-11-29').moved('Shipped', 'Shipped', 500).isEmpty()).toBe(true);
  });

  it('sums what is added to one path, and keeps product names beside their counters', () => {
    const d = new RollupDelta('2026-11-29')
      .product('PROD-001', 'Headphones', 2, 497_500)
      .product('PROD-001', 'Headphones', -1, -248_750);

    const key = productKey('PROD-001');
    expect(d.inc).toEqual({ [`products.${key}.q`]: 1, [`products.${key}.r`]: 248_750 });
    expect(d.set).toEqual({ [`products.${key}.id`]: 'PROD-001', [`products.${key}.name`]: 'Headphones' });
  });
});
