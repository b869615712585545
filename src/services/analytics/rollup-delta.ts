import { productKey, statusKey } from './rollup-keys';
import type { OrderStatus } from '../../shared/names';

/**
 * What one event adds to its day's rollup: counters to $inc and names to $set. Built by
 * both the incremental path (one event) and the rebuild (every order), so the two agree.
 */
export class RollupDelta {
  readonly inc: Record<string, number> = {};
  readonly set: Record<string, string> = {};

  constructor(readonly day: string) {}

  add(path: string, by: number): this {
    if (by !== 0) this.inc[path] = (this.inc[path] ?? 0) + by;
    return this;
  }

  /** An order placed: its count, value and units, and its first status. */
  placed(totalAmount: number, itemCount: number, status: OrderStatus): this {
    return this.add('orders', 1).add('gross', totalAmount).add('items', itemCount).inStatus(status, 1, totalAmount);
  }

  inStatus(status: OrderStatus, count: number, value: number): this {
    const key = statusKey(status);
    return this.add(`status.${key}.n`, count).add(`status.${key}.v`, value);
  }

  /** The order moved from one status to another: it counts under the new one only. */
  moved(from: OrderStatus, to: OrderStatus, value: number): this {
    if (from === to) return this;
    return this.inStatus(from, -1, -value).inStatus(to, 1, value);
  }

  /** Units and revenue of a product line; negative when a cancellation takes them back. */
  product(productId: string, productName: string, quantity: number, revenue: number): this {
    const key = productKey(productId);
    this.set[`products.${key}.id`] = productId;
    this.set[`products.${key}.name`] = productName;
    return this.add(`products.${key}.q`, quantity).add(`products.${key}.r`, revenue);
  }

  isEmpty(): boolean {
    return Object.keys(this.inc).length === 0 && Object.keys(this.set).length === 0;
  }
}
