import { ORDER_STATUSES, type OrderStatus } from '../../shared/names';

/**
 * Keys of the daily rollup documents. Statuses lose their spaces and product ids are
 * base64url-encoded, because field names may not contain dots or start with `$`.
 */
export const statusKey = (status: OrderStatus): string => status.replace(/\s+/g, '');

export const productKey = (productId: string): string => Buffer.from(productId, 'utf8').toString('base64url');

/** The UTC calendar day of an instant, `YYYY-MM-DD`: the rollup a placed order belongs to. */
export const dayKey = (at: Date): string => at.toISOString().slice(0, 10);

export const isOrderStatus = (s: string | null | undefined): s is OrderStatus =>
  !!s && (ORDER_STATUSES as readonly string[]).includes(s);
