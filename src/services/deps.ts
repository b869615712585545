import type { Types } from 'mongoose';
import type { AuthServiceClient } from '../clients/auth-service';
import type { OrderDoc } from './order-state';

/** An order as just written, with what its relay needs: no re-read. */
export type RelayableOrder = Pick<
  OrderDoc,
  '_id' | 'orderId' | 'userId' | 'customerId' | 'version' | 'outbox' | 'totalAmount' | 'itemCount' | 'status'
>;

/** What the use cases need from the outside, passed in so services stay free of HTTP and queues. */
export interface ServiceDeps {
  authService: AuthServiceClient;
  /**
   * Delivers an order's outbox right after its commit; failures are left to the sweeper.
   * Given the document the commit returned, it skips reading the order again.
   */
  relay: (order: Types.ObjectId | RelayableOrder) => Promise<void>;
}
