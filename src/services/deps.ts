import type { Types } from 'mongoose';
import type { AuthServiceClient } from '../clients/auth-service';

/** What the use cases need from the outside, passed in so services stay free of HTTP and queues. */
export interface ServiceDeps {
  authService: AuthServiceClient;
  /** Delivers an order's outbox right after its commit; failures are left to the sweeper. */
  relay: (orderRef: Types.ObjectId) => Promise<void>;
}
