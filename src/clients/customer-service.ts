import { platformHttp, type PeerOptions } from './platform-http';

/** The statistics body of `PATCH /api/customers/internal/:customerId/statistics`: absolute totals. */
export interface CustomerStatisticsBody {
  totalOrders: number;
  totalSpent: number; // decimal, orders not cancelled
  lastOrderDate: string | null;
  ordersByStatus: Record<string, number>;
  calculatedAt: string;
}

/** A failed call; `retryable` says whether the same call may succeed later. */
export class CustomerServiceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'CustomerServiceError';
  }
}

export interface CustomerServiceClient {
  updateStatistics(customerId: string, body: CustomerStatisticsBody): Promise<void>;
}

/** Timeouts, rate limits and server errors pass; other 4xx mean this call can never succeed. */
const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export function createCustomerServiceClient(peer: PeerOptions): CustomerServiceClient {
  const http = platformHttp(peer);
  return {
    async updateStatistics(customerId, body) {
      let status: number;
      try {
        ({ status } = await http.patch(`/api/customers/internal/${encodeURIComponent(customerId)}/statistics`, body));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new CustomerServiceError(`Customer Service could not be reached: ${reason}`, true);
      }
      if (status >= 200 && status < 300) return;
      throw new CustomerServiceError(`Customer Service answered ${status}`, retryableStatus(status), status);
    },
  };
}
