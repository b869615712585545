/*
 * What other services and servers answer or are sent, as both sides read it: the clients
 * that speak to them (src/clients) and the use cases that act on what they said.
 */

/** The customer as the Auth Service knows them (DESIGN.md 8). */
export interface AuthUser {
  userId: string;
  email: string;
  name: string;
  customerId: string | null;
}

/** An email as the mailer sends it (clients/mailer.ts). */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** `<id@domain>`: the same for every attempt at one message, so receivers can drop repeats. */
  messageId: string;
}

/**
 * How a receiver answered one delivery attempt: what the webhook client reports
 * (clients/webhook-http.ts) and the deliveries log records (services/webhooks/attempts.ts).
 */
export interface WebhookAnswer {
  statusCode: number | null;
  error: string | null;
  retryAfterMs: number | null;
  durationMs: number;
  /** The receiver's address is not public: no attempt will reach it. */
  addressRefused: boolean;
}

/** What other services are told of an order, with an event (webhook bodies, the feed). */
export interface PublicEventData {
  orderId: string;
  customerId: string | null;
  status: string | null;
  previousStatus: string | null;
  totals: { totalAmount: number | null; itemCount: number | null };
  return: { returnId: string; decision: string | null; reasonCategory: string | null } | null;
}
