import { Types } from 'mongoose';
import { OrderEvent, type OrderEventDoc } from '../models/order-event';
import { driverCollection } from '../models/driver-collection';
import type { OutboxEvent } from '../models/order';
import type { RelayableOrder } from './deps';
import { insertOnce } from '../models/insert-once';
import type { EventType } from '../shared/names';

/** An event of a committed change, as jobs carry it: identifiers and the change, no personal data. */
export interface CommittedEvent {
  eventId: string;
  type: EventType;
  orderRef: string;
  orderId: string;
  userId: string;
  customerId: string | null;
  occurredAt: string;
  previousStatus: string | null;
  newStatus: string | null;
  returnId: string | null;
}

export function committedEventOf(order: RelayableOrder, event: OutboxEvent): CommittedEvent {
  const data = (event.data ?? {}) as { returnId?: string };
  return {
    eventId: event.eventId,
    type: event.type as EventType,
    orderRef: order._id.toHexString(),
    orderId: order.orderId,
    userId: order.userId,
    customerId: order.customerId ?? null,
    occurredAt: event.createdAt.toISOString(),
    previousStatus: event.change?.previousStatus ?? null,
    newStatus: event.change?.newStatus ?? null,
    returnId: data.returnId ?? null,
  };
}

/** What an event tells other services beyond its ids (webhooks, the feed): no personal data. */
export interface EventDetails {
  /** Minor units. */
  totalAmount: number | null;
  itemCount: number | null;
  /** The order's status when the event was recorded: what an event that changes none reports. */
  orderStatus: string | null;
  decision: string | null;
  reasonCategory: string | null;
}

export function eventDetailsOf(order: RelayableOrder, event: OutboxEvent): EventDetails {
  const data = (event.data ?? {}) as { decision?: unknown; reasonCategory?: unknown };
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    totalAmount: order.totalAmount ?? null,
    itemCount: order.itemCount ?? null,
    orderStatus: order.status ?? null,
    decision: text(data.decision),
    reasonCategory: text(data.reasonCategory),
  };
}

/** Records the event once; running it again (a re-relay after a crash) writes nothing new. */
export async function recordCommittedEvent(e: CommittedEvent, details: EventDetails): Promise<void> {
  await insertOnce(OrderEvent, {
    ...e,
    _id: e.eventId,
    orderRef: new Types.ObjectId(e.orderRef),
    occurredAt: new Date(e.occurredAt),
    details,
  });
}

/**
 * The recorded event with this id, as jobs carry it; null when no committed change made it.
 * Every event job of every worker asks this once, so it is a lean read through the driver
 * (the id is a string: nothing to cast), like the API's hottest reads (load-order.ts).
 */
export async function findCommittedEvent(eventId: string): Promise<CommittedEvent | null> {
  const doc = await driverCollection<OrderEventDoc>(OrderEvent).findOne({ _id: eventId });
  return doc && committedEventFromRecord(doc);
}

/** A recorded event as jobs carry it. */
export function committedEventFromRecord(doc: OrderEventDoc): CommittedEvent {
  const {
    _id,
    type,
    orderRef,
    orderId,
    userId,
    customerId = null,
    occurredAt,
    previousStatus = null,
    newStatus = null,
    returnId = null,
  } = doc;
  return {
    eventId: _id,
    type: type as EventType,
    orderRef: orderRef.toHexString(),
    orderId,
    userId,
    customerId,
    occurredAt: occurredAt.toISOString(),
    previousStatus,
    newStatus,
    returnId,
  };
}

/** How a claimed event compares with the one recorded under its id. */
export interface CommittedComparison {
  /** The fields in which the claim differs from the record: none for a true copy. */
  differences: string[];
  /** The event's order was deleted since (events/deleted-order-events.ts): it has no effects left to do. */
  orderDeleted: boolean;
}

/** `claimed` compared with the recorded event of its id; null when no committed change recorded one. */
export async function compareWithCommitted(claimed: CommittedEvent): Promise<CommittedComparison | null> {
  const doc = await driverCollection<OrderEventDoc>(OrderEvent).findOne({ _id: claimed.eventId });
  if (!doc) return null;
  const recorded = committedEventFromRecord(doc);
  const differences = (Object.keys(recorded) as (keyof CommittedEvent)[]).filter((k) => recorded[k] !== claimed[k]);
  return { differences, orderDeleted: doc.orderDeleted === true };
}
