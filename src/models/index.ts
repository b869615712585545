import { AnalyticsAppliedEvent } from './analytics-applied-event';
import { AnalyticsDaily } from './analytics-daily';
import { Counter } from './counter';
import { Cursor } from './cursor';
import { CustomerStatsSync } from './customer-stats-sync';
import { EmailDelivery } from './email-delivery';
import { IdempotencyRecord } from './idempotency-record';
import { Order } from './order';
import { OrderEvent } from './order-event';
import { OrderHistory } from './order-history';
import { OrderItem } from './order-item';
import { Refund } from './refund';
import { ReturnRequest } from './return-request';
import { FeedEntry } from './feed-entry';
import { AttentionCheck } from './attention-check';
import { BulkOperation } from './bulk-operation';
import { OrderExport } from './order-export';
import { Webhook } from './webhook';
import { WebhookDelivery, WebhookMark } from './webhook-delivery';

export { Counter, IdempotencyRecord, Order, OrderEvent, OrderHistory, OrderItem, ReturnRequest };
export { AnalyticsAppliedEvent, AnalyticsDaily, CustomerStatsSync, EmailDelivery, Refund };
export { AttentionCheck, BulkOperation, Cursor, OrderExport, FeedEntry, Webhook, WebhookDelivery, WebhookMark };
export const allModels = [
  Cursor,
  Order,
  OrderItem,
  OrderHistory,
  OrderEvent,
  ReturnRequest,
  Counter,
  IdempotencyRecord,
  EmailDelivery,
  Refund,
  AnalyticsDaily,
  AnalyticsAppliedEvent,
  CustomerStatsSync,
  FeedEntry,
  Webhook,
  WebhookDelivery,
  WebhookMark,
  AttentionCheck,
  BulkOperation,
  OrderExport,
] as const;
