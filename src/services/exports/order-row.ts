import { csvRow } from './csv';

/** The columns of an order export, in order (issue 15 fixes them). */
export const EXPORT_COLUMNS = [
  'orderId',
  'orderDate',
  'status',
  'customerId',
  'customerEmail',
  'customerName',
  'itemCount',
  'totalAmount',
  'cancelledAt',
  'shippedCarrier',
  'trackingNumber',
] as const;
export const EXPORT_HEADER = csvRow(EXPORT_COLUMNS);

/** Only what the columns need is read. */
export const EXPORT_FIELDS = {
  _id: 0,
  orderId: 1,
  orderDate: 1,
  status: 1,
  customerId: 1,
  customerEmail: 1,
  customerName: 1,
  itemCount: 1,
  totalAmount: 1,
  cancelledAt: 1,
  shipment: 1,
} as const;

export interface ExportedOrder {
  orderId: string;
  orderDate: Date;
  status: string;
  customerId?: string | null;
  customerEmail: string;
  customerName: string;
  itemCount: number;
  totalAmount: number;
  cancelledAt?: Date | null;
  shipment?: { carrier: string; trackingNumber: string } | null;
}

/** Rupees with two decimals, from minor units, without floating-point rounding. */
const rupees = (minor: number) => `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** One order as a CSV line: dates in ISO 8601 (UTC), money in rupees, absent values empty. */
export function exportRowOf(o: ExportedOrder): string {
  return csvRow([
    o.orderId,
    o.orderDate.toISOString(),
    o.status,
    o.customerId ?? null,
    o.customerEmail,
    o.customerName,
    o.itemCount,
    rupees(o.totalAmount),
    o.cancelledAt ? o.cancelledAt.toISOString() : null,
    o.shipment?.carrier ?? null,
    o.shipment?.trackingNumber ?? null,
  ]);
}
