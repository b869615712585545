import type { Types } from 'mongoose';
import { OrderHistory } from '../models';
import type { OutboxEvent } from '../models/order';
import { insertOnce } from '../models/insert-once';
import type { Shipment } from './orders/shipment';

interface OrderRef {
  _id: Types.ObjectId;
  orderId: string;
}

/**
 * Writes the history row of a status-changing event. Keyed by event id, so running it
 * again (a re-relay after a crash) writes nothing new.
 */
export async function projectHistory(order: OrderRef, event: OutboxEvent): Promise<void> {
  if (!event.change?.newStatus) return;
  const meta = (event.data ?? {}) as { ipAddress?: string; userAgent?: string; shipment?: Shipment };
  // A plain insert guarded by the unique eventId (not an upsert: FerretDB v1 drops null
  // fields of $setOnInsert, and previousStatus of a new order is null).
  await insertOnce(OrderHistory, {
    eventId: event.eventId,
    orderId: order._id,
    orderIdString: order.orderId,
    previousStatus: event.change.previousStatus ?? null,
    newStatus: event.change.newStatus,
    changedBy: event.actor?.userId ?? 'system',
    changedByRole: event.actor?.role ?? 'System',
    changedByName: event.actor?.name ?? null,
    notes: event.change.notes ?? null,
    shipment: meta.shipment ?? null,
    timestamp: event.createdAt,
    metadata: { ipAddress: meta.ipAddress, userAgent: meta.userAgent },
  });
}
