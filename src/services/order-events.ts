import { randomUUID } from 'node:crypto';
import type { OrderStatus } from './order-state';
import type { Principal } from './principal';

/** What a committed change can emit. */
export const EVENT_TYPES = [
  'order.created',
  'order.cancelled',
  'order.status_changed',
  'return.requested',
  'return.reviewed',
  'return.completed',
  'order.shipment_updated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The side effects of events, each done by the worker queue of the same name. `webhooks`
 * fans an event out to the subscriptions that want it (one delivery job each).
 */
export const EFFECTS = ['emails', 'customer-stats', 'analytics', 'refunds', 'webhooks'] as const;
export type Effect = (typeof EFFECTS)[number];

/** Which effects each event has. */
export const EVENT_EFFECTS: Record<EventType, readonly Effect[]> = {
  'order.created': ['emails', 'customer-stats', 'analytics', 'webhooks'],
  'order.cancelled': ['emails', 'customer-stats', 'analytics', 'webhooks'],
  'order.status_changed': ['emails', 'customer-stats', 'analytics', 'webhooks'],
  'return.requested': ['emails', 'analytics', 'webhooks'],
  'return.reviewed': ['emails', 'analytics', 'refunds', 'webhooks'],
  'return.completed': ['emails', 'customer-stats', 'analytics', 'refunds', 'webhooks'],
  // A tracking correction: the customer is told, other services hear of it; no totals move.
  'order.shipment_updated': ['emails', 'webhooks'],
};

export interface RequestMeta {
  ipAddress?: string;
  userAgent?: string;
  platform?: string;
}

export interface NewEvent {
  eventId: string;
  type: EventType;
  createdAt: Date;
  actor: { userId: string; role: string; name: string | null };
  change: { previousStatus: OrderStatus | null; newStatus: OrderStatus | null; notes: string | null };
  data: Record<string, unknown>;
}

/** An outbox event for one change, with who made it and what changed. */
export function newEvent(
  type: EventType,
  actor: Principal,
  change: { from: OrderStatus | null; to: OrderStatus | null; notes?: string | null },
  meta: RequestMeta = {},
  data: Record<string, unknown> = {},
  at: Date = new Date(),
): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    createdAt: at,
    actor: { userId: actor.userId, role: actor.role, name: actor.name ?? null },
    change: { previousStatus: change.from, newStatus: change.to, notes: change.notes ?? null },
    data: { ...data, ipAddress: meta.ipAddress, userAgent: meta.userAgent },
  };
}
