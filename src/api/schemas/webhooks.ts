import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../models/webhook-delivery';
import { onlyIfValid, pageQuery, queryInt, refuseDeepPage } from './common';
import { EVENT_TYPES } from '../../shared/names';

/**
 * Where deliveries go. The service judges the form (shared/address-policy.ts) and
 * where the host resolves; the pattern states the form for clients, never looser than the
 * guard (a lower-case scheme, no spaces), and docs.test holds it to that.
 */
const url = z.string().trim().min(1, 'Is required').max(2048, 'Must be at most 2048 characters').meta({
  format: 'uri',
  pattern: '^https?://[^\\s/?#@]+(?:[/?#]\\S*)?$',
  description:
    'An absolute http or https URL, without a user name or password (`user:pass@`); its host must resolve only to public addresses (loopback, private, link-local and other internal ones are refused)',
});

const EVENTS_RULE = `Must be a non-empty list of event types (${EVENT_TYPES.join(', ')}), or ["*"] alone for every type`;

/** Some event types, or `["*"]`: every type, those added later too. */
const events = z.union(
  [
    z.tuple([z.literal('*')]),
    z
      .array(z.enum(EVENT_TYPES, { error: EVENTS_RULE }))
      .min(1, EVENTS_RULE)
      .max(EVENT_TYPES.length * 2, EVENTS_RULE),
  ],
  { error: EVENTS_RULE },
);

const description = z.string().trim().max(500, 'Must be at most 500 characters').nullable();

export const createWebhookBody = z.strictObject({ url, events, description: description.optional() });

export const updateWebhookBody = z
  .strictObject({
    url: url.optional(),
    events: events.optional(),
    active: z.boolean().optional(),
    description: description.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Give at least one of url, events, active, description',
    path: ['body'],
  })
  .meta({ minProperties: 1 });

export const webhookIdParam = z.strictObject({
  webhookId: z
    .string()
    .max(27)
    .regex(/^wh_[0-9a-f]{24}$/, 'Must be a webhook id like wh_<24 hex digits>'),
});

export const deliveryParams = z.strictObject({
  webhookId: webhookIdParam.shape.webhookId,
  deliveryId: z
    .string()
    .max(36)
    .regex(/^dlv_[0-9a-f]{32}$/, 'Must be a delivery id like dlv_<32 hex digits>'),
});

export const deliveriesQuery = z
  .strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), page: pageQuery.page, limit: queryInt(1, 100, 20) })
  .superRefine(refuseDeepPage, { when: onlyIfValid });

/** The cursor is a place in the feed: digits (empty or absent: from the oldest kept event). */
export const eventsQuery = z.strictObject({
  after: z
    .string()
    .max(15)
    .regex(/^\d{0,15}$/, 'Must be a cursor from an earlier page (nextCursor or an event cursor)')
    .transform((s) => (s === '' ? null : Number(s)))
    .optional()
    .meta({ type: 'string', pattern: '^\\d{0,15}$', maxLength: 15 }),
  limit: queryInt(1, 500, 100),
});
