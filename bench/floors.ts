import { randomUUID } from 'node:crypto';
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { QUEUE_PREFIX } from './config';
import { guideOrderBody } from '../test/helpers/fixtures';
import { QUEUE_NAMES } from '../src/shared/names';
import { queuePrefix } from '../src/queues/prefix';
import { DESK_ORDER_FIELDS, ORDER_SUMMARY_FIELDS } from '../src/services/orders/list-fields';

/**
 * The floors: the same database reads and writes (and enqueues) that each endpoint needs,
 * done with the raw driver and BullMQ, with no HTTP, framework, validation or ODM.
 * Filters, sorts, limits and projections are those of src/services, so any gap between
 * an endpoint and its floor is the service's own overhead.
 */

/** Same values as src/queues/queues.ts defaultJobOptions with the default config. */
export const JOB_OPTIONS: DefaultJobOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

const NEWEST = { orderDate: -1, _id: -1 } as const;
/** A server-side time limit, so a floor that is given up on stops using the database. */
const limit = (maxTimeMS?: number) => (maxTimeMS ? { maxTimeMS } : {});

export class Floors {
  readonly orders: Collection;
  readonly items: Collection;
  private readonly history: Collection;
  private readonly events: Collection<Document & { _id: string }>;
  private readonly counters: Collection<{ _id: string; seq: number }>;
  private readonly rollups: Collection<{ _id: string }>;
  private readonly idClaims: Collection<{ _id: string }>;
  private readonly locks: Collection<{ _id: ObjectId; token: string; until: Date }>;
  readonly queues: Record<'emails' | 'customer-stats' | 'analytics', Queue>;
  private created = 0;

  constructor(db: Db, redis: Redis) {
    this.orders = db.collection('orders');
    this.items = db.collection('order_items');
    this.history = db.collection('order_history');
    this.events = db.collection('order_events');
    this.counters = db.collection('counters');
    this.rollups = db.collection('analytics_daily');
    this.idClaims = db.collection('id_claims');
    this.locks = db.collection('order_locks');
    const q = (name: string) =>
      new Queue(name, { connection: redis, prefix: queuePrefix(QUEUE_PREFIX, name), defaultJobOptions: JOB_OPTIONS });
    this.queues = { emails: q('emails'), 'customer-stats': q('customer-stats'), analytics: q('analytics') };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }

  /** GET /api/orders/me?limit=10: one page newest first, and the total, together. */
  async myOrders(userId: string, maxTimeMS?: number): Promise<void> {
    await Promise.all([
      this.orders
        .find({ userId }, { projection: ORDER_SUMMARY_FIELDS, ...limit(maxTimeMS) })
        .sort(NEWEST)
        .limit(10)
        .toArray(),
      this.orders.countDocuments({ userId }, limit(maxTimeMS)),
    ]);
  }

  /** GET /api/orders/:orderId: the order, then its items. */
  async getOrder(orderId: string, maxTimeMS?: number): Promise<void> {
    const order = await this.orders.findOne({ orderId }, { projection: { outbox: 0 }, ...limit(maxTimeMS) });
    if (!order) throw new Error(`floor: order ${orderId} not found`);
    await this.items.find({ orderId: order._id }, limit(maxTimeMS)).sort({ _id: 1 }).toArray();
  }

  /** GET /api/orders?status=Delivered&minAmount=1000&page=2&limit=20. */
  async adminList(maxTimeMS?: number): Promise<void> {
    const filter = { status: 'Delivered', totalAmount: { $gte: 100_000 } };
    await Promise.all([
      this.orders
        .find(filter, { projection: DESK_ORDER_FIELDS, ...limit(maxTimeMS) })
        .sort(NEWEST)
        .skip(20)
        .limit(20)
        .toArray(),
      this.orders.countDocuments(filter, limit(maxTimeMS)),
    ]);
  }

  /** GET /api/orders/search?q=<email prefix>: anchored regex on the lower-cased shadow, and the count. */
  async search(prefix: string, maxTimeMS?: number): Promise<void> {
    const filter = { customerEmailLower: { $regex: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } };
    await Promise.all([
      this.orders
        .find(filter, { projection: DESK_ORDER_FIELDS, ...limit(maxTimeMS) })
        .sort(NEWEST)
        .limit(10)
        .toArray(),
      this.orders.countDocuments(filter, limit(maxTimeMS)),
    ]);
  }

  /** GET /api/orders/analytics: every daily rollup (services/analytics/report.ts reads them so). */
  async analytics(maxTimeMS?: number): Promise<void> {
    await this.rollups
      .find({}, { projection: { pending: 0 }, ...limit(maxTimeMS) })
      .sort({ _id: 1 })
      .toArray();
  }

  /**
   * POST /api/orders: counter $inc, items, the order with its outbox event, the history row
   * and the event record, three jobs keyed by the event id, then the outbox cleared. The order number is the
   * counter's round trip plus a local sequence: FerretDB v1 loses concurrent $inc, and the
   * service pays an extra id-claim insert for that, which the floor leaves out on purpose.
   * `apiShaped`: also every other write the service makes (the id claim, the order lock
   * around clearing the outbox): "the same database writes" the floor asks for,
   * which tells the cost of those round trips from the cost of the framework.
   */
  async createOrder(
    user: { userId: string; customerId: string; email: string; name: string },
    apiShaped = false,
  ): Promise<void> {
    const now = new Date();
    const year = now.getUTCFullYear();
    await this.counters.findOneAndUpdate(
      { _id: `FLR-${year}` },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const orderId = `FLR-${year}-${String(++this.created).padStart(6, '0')}${process.pid % 1000}`;
    if (apiShaped) await this.idClaims.insertOne({ _id: orderId });
    const _id = new ObjectId();
    const lines = [
      {
        productId: 'PROD-001',
        productName: 'Wireless Headphones',
        productDescription: 'Premium noise-cancelling headphones',
        sku: 'WH-NC-001',
        quantity: 2,
        unitPrice: 250_000,
        totalPrice: 500_000,
        discount: 25_000,
        tax: 22_500,
        finalPrice: 497_500,
      },
      {
        productId: 'PROD-002',
        productName: 'USB-C Cable',
        productDescription: null,
        sku: 'CABLE-USBC-01',
        quantity: 1,
        unitPrice: 50_000,
        totalPrice: 50_000,
        discount: 0,
        tax: 4_500,
        finalPrice: 54_500,
      },
    ];
    await this.items.insertMany(
      lines.map((l) => ({
        _id: new ObjectId(),
        orderId: _id,
        orderIdString: orderId,
        ...l,
        returnRequested: false,
        returnQuantity: 0,
        returnedQuantity: 0,
        returnReason: null,
        returnId: null,
        createdAt: now,
      })),
    );
    const meta = { ipAddress: '127.0.0.1', userAgent: 'bench-floor', platform: 'unknown' };
    const event = {
      eventId: randomUUID(),
      type: 'order.created',
      createdAt: now,
      actor: { userId: user.userId, role: 'Customer', name: user.name },
      change: { previousStatus: null, newStatus: 'Placed', notes: 'Order placed' },
      data: { ipAddress: meta.ipAddress, userAgent: meta.userAgent },
    };
    const order: Document = {
      _id,
      orderId,
      userId: user.userId,
      customerId: user.customerId,
      customerEmail: user.email,
      customerName: user.name,
      customerEmailLower: user.email.toLowerCase(),
      customerNameLower: user.name.toLowerCase(),
      deliveryAddress: guideOrderBody().deliveryAddress,
      orderDate: now,
      status: 'Placed',
      totalAmount: 552_000,
      itemCount: 3,
      cancellationReason: null,
      cancellationCategory: null,
      cancelledBy: null,
      cancelledAt: null,
      returnReason: null,
      returnRequestedBy: null,
      returnRequestedAt: null,
      returnApproved: null,
      returnApprovedBy: null,
      returnApprovedAt: null,
      notes: 'Please deliver between 10 AM - 2 PM',
      metadata: meta,
      updatedBy: user.userId,
      version: 0,
      outbox: [event],
      outboxPending: true,
      idempotencyKey: `none:${orderId}`,
      createdAt: now,
      updatedAt: now,
    };
    await this.orders.insertOne(order);
    const job = {
      eventId: event.eventId,
      type: 'order.created',
      orderRef: _id.toHexString(),
      orderId,
      userId: user.userId,
      customerId: user.customerId,
      occurredAt: now.toISOString(),
      previousStatus: null,
      newStatus: 'Placed',
      returnId: null,
    };
    // The history row and the event record workers check a job against, side by side as the relay writes them.
    const { eventId: _eventId, ...record } = job;
    await Promise.all([
      this.history.insertOne({
        eventId: event.eventId,
        orderId: _id,
        orderIdString: orderId,
        previousStatus: null,
        newStatus: 'Placed',
        changedBy: user.userId,
        changedByRole: 'Customer',
        changedByName: user.name,
        notes: 'Order placed',
        timestamp: now,
        metadata: { ipAddress: meta.ipAddress, userAgent: meta.userAgent },
      }),
      this.events.insertOne({ ...record, _id: event.eventId, orderRef: _id, occurredAt: now }),
    ]);
    await Promise.all(Object.values(this.queues).map((q) => q.add('order.created', job, { jobId: event.eventId })));
    if (apiShaped) await this.locks.insertOne({ _id, token: event.eventId, until: new Date(Date.now() + 15_000) });
    await this.orders.updateOne({ _id, version: 0 }, { $set: { outbox: [], outboxPending: false } });
    if (apiShaped) await this.locks.deleteOne({ _id, token: event.eventId });
  }
}

/** Removes every job of the bench's queues (the create scenario leaves thousands). */
export async function obliterateQueues(redis: Redis, names: readonly string[] = QUEUE_NAMES): Promise<void> {
  for (const name of names) {
    const q = new Queue(name, { connection: redis, prefix: queuePrefix(QUEUE_PREFIX, name) });
    try {
      await q.obliterate({ force: true });
    } finally {
      await q.close();
    }
  }
}
