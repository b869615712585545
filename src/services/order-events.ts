import { createHash, randomUUID } from 'node:crypto';
import type { EventType, OrderStatus } from '../shared/names';
import type { Principal } from './principal';

export interface RequestMeta {
  ipAddress?: string;
  userAgent?: string;
  platform?: string;
  /**
   * Names the change when a caller may have to ask whether it already committed (a bulk run
   * that died between an order's change and writing its outcome): its events then get ids
   * derived from the key (keyedEventId) instead of random ones.
   */
  changeKey?: string;
}

/** The id of the event of type `type` that the change named `changeKey` makes: a UUID (version 8) from a SHA-256 of both. */
export function keyedEventId(changeKey: string, type: EventType): string {
  const hex = createHash('sha256').update(`${changeKey}\n${type}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
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
    eventId: meta.changeKey ? keyedEventId(meta.changeKey, type) : randomUUID(),
    type,
    createdAt: at,
    actor: { userId: actor.userId, role: actor.role, name: actor.name ?? null },
    change: { previousStatus: change.from, newStatus: change.to, notes: change.notes ?? null },
    data: { ...data, ipAddress: meta.ipAddress, userAgent: meta.userAgent },
  };
}
