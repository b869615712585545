import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { minorUnits } from './money';

const address = new Schema(
  {
    recipientName: { type: String, required: true },
    street: { type: String, required: true },
    city: { type: String, required: true },
    state: { type: String, required: true },
    zipCode: { type: String, required: true },
    country: { type: String, required: true },
    phone: { type: String, required: true },
  },
  { _id: false },
);

/**
 * A pending side effect of a state change, written in the same atomic update as the change
 * (DESIGN.md 3). The relay turns it into history rows and jobs, then clears it.
 */
const outboxEvent = new Schema(
  {
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    createdAt: { type: Date, required: true },
    actor: {
      userId: String,
      role: String,
      name: String,
    },
    change: {
      previousStatus: { type: String, default: null },
      newStatus: String,
      notes: String,
    },
    data: { type: Schema.Types.Mixed },
  },
  { _id: false },
);

/** How a shipped order travels: set when it ships, corrected while it is Shipped. */
export const shipmentSchema = new Schema(
  {
    carrier: { type: String, required: true },
    trackingNumber: { type: String, required: true },
    trackingUrl: { type: String, default: null },
    shippedAt: { type: Date, required: true },
  },
  { _id: false },
);

const orderSchema = new Schema(
  {
    orderId: { type: String, required: true, match: /^[A-Z]{2,8}-\d{4}-\d{6,}$/ },
    userId: { type: String, required: true },
    customerId: { type: String, default: null },
    customerEmail: { type: String, required: true },
    customerName: { type: String, required: true },
    // Lower-cased shadows serve case-insensitive prefix search by index (FerretDB has no
    // text index or collation: DESIGN.md 1); they replace the guide's text index.
    customerEmailLower: { type: String, required: true },
    customerNameLower: { type: String, required: true },
    deliveryAddress: { type: address, required: true },
    orderDate: { type: Date, required: true },
    // One of ORDER_STATUSES (src/names.ts); the state machine in services/order-state.ts is the only writer.
    status: { type: String, required: true },
    totalAmount: { ...minorUnits, required: true, min: 1 },
    itemCount: { type: Number, required: true, min: 1 },
    cancellationReason: { type: String, default: null },
    cancellationCategory: { type: String, default: null },
    cancelledBy: { type: String, default: null },
    cancelledAt: { type: Date, default: null },
    returnReason: { type: String, default: null },
    returnRequestedBy: { type: String, default: null },
    returnRequestedAt: { type: Date, default: null },
    returnApproved: { type: Boolean, default: null },
    returnApprovedBy: { type: String, default: null },
    returnApprovedAt: { type: Date, default: null },
    notes: { type: String, default: null },
    shipment: { type: shipmentSchema, default: null },
    metadata: {
      ipAddress: String,
      userAgent: String,
      platform: String,
    },
    updatedBy: { type: String, default: null },
    // Incremented by every state change; compare-and-set writes filter on it.
    version: { type: Number, required: true, default: 0 },
    outbox: { type: [outboxEvent], default: [] },
    // True while the outbox holds events: the sweeper's filter. A top-level boolean, because
    // FerretDB v1 pushes only equality on scalar fields down to PostgreSQL; a range on
    // `outbox.createdAt` made it fetch and decode every order on every sweep.
    outboxPending: { type: Boolean, required: true, default: false },
    // The idempotency record it was created under (scope:user:key), or `none:<orderId>`
    // when the request had no key. Unique: should a retry take over a request that was only
    // slow, not dead, the second commit of the same key fails instead of doubling the order.
    // (Never null: FerretDB ignores `sparse`, so nulls would collide in a unique index.)
    idempotencyKey: { type: String, required: true },
  },
  { timestamps: true, collection: 'orders', versionKey: false },
);

orderSchema.index({ orderId: 1 }, { unique: true });
orderSchema.index({ userId: 1 });
orderSchema.index({ customerId: 1 });
orderSchema.index({ status: 1 });
orderSchema.index({ orderDate: -1 });
orderSchema.index({ userId: 1, status: 1 });
orderSchema.index({ orderDate: -1, status: 1 });
// The guide's text index on orderId/customerEmail/customerName is replaced by these
// (FerretDB refuses text indexes); search uses anchored prefixes on the shadows.
orderSchema.index({ customerEmailLower: 1 });
orderSchema.index({ customerNameLower: 1 });
// "My orders" sorted by date or amount without an in-memory sort.
orderSchema.index({ userId: 1, orderDate: -1 });
orderSchema.index({ idempotencyKey: 1 }, { unique: true });
orderSchema.index({ outboxPending: 1 });
// The overdue check and the attention list: one status (equality), oldest first, so the
// sort walks the index instead of sorting every unshipped order in memory.
orderSchema.index({ status: 1, orderDate: 1 });

/** An order as stored; `Status` is the domain's status type (src/names.ts names it). */
export type StoredOrder<Status extends string = string> = Omit<InferSchemaType<typeof orderSchema>, 'status'> & {
  status: Status;
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export type OutboxEvent = StoredOrder['outbox'][number];
export const Order = model('Order', orderSchema);
