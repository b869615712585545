import { Order } from '../../models';
import type { OrderDoc } from '../order-state';
import { paginate, sortedBy, type Page, type PageRequest } from '../pagination';
import { DESK_ORDER_FIELDS } from '../orders/list-fields';

export interface SearchOrdersQuery extends PageRequest {
  q: string;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ORDER_ID_SHAPE = /^[A-Z]{2,8}-\d{4}-\d{6,}$/i;

/**
 * Orders by exact order id, or by the start of the customer's email or name, ignoring
 * case (guide 3.2.2). FerretDB has no text index or collation (DESIGN.md 1), so prefixes
 * are anchored regexes on the lower-cased shadow fields: indexed on MongoDB, a scan on
 * FerretDB v1, which pushes only plain equality down to PostgreSQL. A query shaped like
 * an order id is therefore looked up by equality alone, the fast path on both.
 */
export async function searchOrders(q: SearchOrdersQuery): Promise<Page<OrderDoc>> {
  const prefix = { $regex: `^${escapeRegex(q.q.toLowerCase())}` };
  const filter = ORDER_ID_SHAPE.test(q.q)
    ? { orderId: q.q.toUpperCase() }
    : { $or: [{ customerEmailLower: prefix }, { customerNameLower: prefix }] };
  return paginate<OrderDoc>(Order, filter, sortedBy('orderDate', q.sortOrder), q.page, q.limit, DESK_ORDER_FIELDS);
}
