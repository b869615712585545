/** What the desk says of a shipment: who carries it and how to follow it. */
export interface ShipmentInput {
  carrier: string;
  trackingNumber: string;
  /** https only. */
  trackingUrl?: string | null;
}

/** A shipment as the order keeps it. */
export interface Shipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
  shippedAt: Date;
}

export const shipmentOf = (input: ShipmentInput, shippedAt: Date): Shipment => ({
  carrier: input.carrier,
  trackingNumber: input.trackingNumber,
  trackingUrl: input.trackingUrl ?? null,
  shippedAt,
});
