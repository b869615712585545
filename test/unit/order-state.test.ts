import { TRANSITIONS, canTransition, nextStatuses } from '../../src/services/order-state';
import { ORDER_STATUSES, type OrderStatus } from '../../src/shared/names';

describe('the order lifecycle (DESIGN.md 4)', () => {
  it('has exactly the edges of the design', () => {
    const edges = ORDER_STATUSES.flatMap((from) => nextStatuses(from).map((to) => `${from} → ${to}`));

    expect(edges.sort()).toEqual(
      [
        'Placed → Processing',
        'Placed → Cancelled',
        'Processing → Shipped',
        'Processing → Cancelled',
        'Shipped → Delivered',
        'Delivered → Return Requested',
        'Return Requested → Delivered',
        'Return Requested → Returned',
      ].sort(),
    );
  });

  it.each(['Cancelled', 'Returned'] as OrderStatus[])('makes %s final', (status) => {
    expect(nextStatuses(status)).toEqual([]);
    for (const to of ORDER_STATUSES) expect(canTransition(status, to)).toBe(false);
  });

  it('never goes back to Placed, and no status follows itself', () => {
    for (const from of ORDER_STATUSES) {
      expect(canTransition(from, 'Placed')).toBe(false);
      expect(canTransition(from, from)).toBe(false);
    }
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
