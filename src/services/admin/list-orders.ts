import { Order } from '../../models';
import type { OrderDoc } from '../order-state';
import { DESK_ORDER_FIELDS } from '../orders/list-fields';
import { between, dropUnset, paginate, sortedBy, type Page, type PageRequest } from '../pagination';
import { toMinor } from '../pricing';
import type { OrderStatus } from '../../shared/names';

/** What the desk sees of each order in a list: the summary and whose order it is. */
/** The desk's filters of a list of orders, which an export takes too. */
export interface DeskOrderFilters {
  status?: OrderStatus;
  from?: Date;
  to?: Date;
  userId?: string;
  customerId?: string;
  /** Decimal amounts, as the API speaks. */
  minAmount?: number;
  maxAmount?: number;
}

export interface AdminOrdersQuery extends PageRequest, DeskOrderFilters {
  sortBy: 'orderDate' | 'totalAmount';
}

/** The query of the orders the desk's filters select (unset filters select everything). */
export function deskOrderFilter(f: DeskOrderFilters): Record<string, unknown> {
  const minor = (amount: number | undefined) => (amount === undefined ? undefined : toMinor(amount));
  return dropUnset({
    status: f.status,
    userId: f.userId,
    customerId: f.customerId,
    orderDate: between(f.from, f.to),
    totalAmount: between(minor(f.minAmount), minor(f.maxAmount)),
  });
}

/** Every customer's orders, filtered and sorted as asked (guide 3.2.1). */
export async function listOrders(q: AdminOrdersQuery): Promise<Page<OrderDoc>> {
  return paginate<OrderDoc>(
    Order,
    deskOrderFilter(q),
    sortedBy(q.sortBy, q.sortOrder),
    q.page,
    q.limit,
    DESK_ORDER_FIELDS,
  );
}
