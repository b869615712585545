import type { Types } from 'mongoose';
import type { ResolveHost } from '../shared/address-policy';
import type { AuthUser } from '../shared/messages';
import type { OrderDoc } from './order-state';
import type { ServiceSettings } from './settings';

/** An order as just written, with what its relay needs: no re-read. */
export type RelayableOrder = Pick<
  OrderDoc,
  '_id' | 'orderId' | 'userId' | 'customerId' | 'version' | 'outbox' | 'totalAmount' | 'itemCount' | 'status'
>;

/** What the use cases need from the outside, passed in so services stay free of HTTP and queues. */
export interface ServiceDeps {
  /** The Auth Service (clients/auth-service.ts): who the user of a token is. */
  authService: { getUser(userId: string): Promise<AuthUser> };
  /**
   * Delivers an order's outbox right after its commit; failures are left to the sweeper.
   * Given the document the commit returned, it skips reading the order again.
   */
  relay: (order: Types.ObjectId | RelayableOrder) => Promise<void>;
  /** The DNS, asked before a webhook URL is accepted (its addresses must be public). */
  resolveHost: ResolveHost;
  /** What the use cases read of the configuration. */
  settings: ServiceSettings;
}
