/*
 * What a list of orders reads of each: a customer's list, and the desk's (which adds who
 * placed it). A leaf, so the benchmark's floors and bare API project exactly the same.
 */

export const ORDER_SUMMARY_FIELDS = {
  orderId: 1,
  orderDate: 1,
  status: 1,
  totalAmount: 1,
  itemCount: 1,
  shipment: 1,
  'deliveryAddress.city': 1,
  'deliveryAddress.state': 1,
} as const;

export const DESK_ORDER_FIELDS = {
  ...ORDER_SUMMARY_FIELDS,
  userId: 1,
  customerId: 1,
  customerName: 1,
  customerEmail: 1,
} as const;
