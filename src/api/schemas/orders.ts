import { z } from 'zod';
import type { CreateOrderInput } from '../../services/orders/create-order';
import type { OrdersOfQuery } from '../../services/orders/list-my-orders';
import type { CancelOrderInput } from '../../services/orders/cancel-order';
import { priceOrder } from '../../services/pricing';
import { money, onlyIfValid, orderIdParam, pageQuery, orderSortQuery, refuseDeepPage, text } from './common';
import { ORDER_STATUSES } from '../../shared/names';

export const deliveryAddressSchema = z.strictObject({
  recipientName: text(100),
  street: text(200),
  city: text(100),
  state: text(100),
  zipCode: text(12).regex(/^[A-Za-z0-9 -]{3,12}$/, 'Must be a postal code'),
  country: text(100),
  phone: text(20).regex(/^\+?[0-9 ()-]{6,20}$/, 'Must be a phone number'),
});

export const orderItemSchema = z
  .strictObject({
    productId: text(100),
    productName: text(200),
    productDescription: text(2000).optional(),
    sku: text(100).optional(),
    quantity: z
      .number({ message: 'Must be a number' })
      .int('Must be a whole number')
      .min(1, 'Must be greater than 0')
      .max(10_000, 'Must be at most 10000'),
    unitPrice: money({ positive: true }),
    discount: money().default(0).describe('Off the whole line; must not exceed quantity × unitPrice'),
    tax: money().default(0),
  })
  .superRefine(
    (item, ctx) => {
      if (item.discount > item.quantity * item.unitPrice) {
        ctx.addIssue({ code: 'custom', path: ['discount'], message: 'Must not exceed quantity × unitPrice' });
      }
    },
    // Cross-field rules only judge fields that are valid on their own, so a bad quantity is
    // reported once, not again as a "discount above the line total".
    { when: onlyIfValid },
  );

export const createOrderBody = z
  .strictObject({
    deliveryAddress: deliveryAddressSchema,
    items: z
      .array(orderItemSchema)
      .min(1, 'At least one item is required')
      .max(100, 'At most 100 items')
      .describe('The order total, Σ (quantity × unitPrice − discount + tax), must be greater than 0'),
    notes: text(1000, 0).optional(),
  })
  .superRefine(
    (body, ctx) => {
      // Guide 2.2.1: totalAmount > 0; lines discounted to nothing would make an order of 0.
      if (priceOrder(body.items).totalAmount <= 0) {
        ctx.addIssue({ code: 'custom', path: ['items'], message: 'The order total must be greater than 0' });
      }
    },
    { when: onlyIfValid },
  );
createOrderBody satisfies z.ZodType<CreateOrderInput>;

export const myOrdersQuery = z
  .strictObject({
    ...pageQuery,
    status: z.enum(ORDER_STATUSES).optional(),
    ...orderSortQuery,
  })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
myOrdersQuery satisfies z.ZodType<OrdersOfQuery>;

export const cancelOrderBody = z.strictObject({
  reason: text(500, 10),
  reasonCategory: text(100).optional(),
});
cancelOrderBody satisfies z.ZodType<CancelOrderInput>;

export { orderIdParam };
