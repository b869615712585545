import type { CustomerOrderStats } from '../../services/internal/customer-orders';
import { toDecimal } from '../../services/pricing';

/** A customer's order count and value for the Customer Service (guide 3.3.2). */
export const presentCustomerStats = (stats: CustomerOrderStats) => ({
  ...stats,
  totalValue: toDecimal(stats.totalValue),
});
