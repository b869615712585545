import { AnalyticsAppliedEvent } from './analytics-applied-event';
import { AnalyticsDaily } from './analytics-daily';
import { Counter } from './counter';
import { EmailDelivery } from './email-delivery';
import { IdempotencyRecord } from './idempotency-record';
import { Order } from './order';
import { OrderEvent } from './order-event';
import { OrderHistory } from './order-history';
import { OrderItem } from './order-item';
import { Refund } from './refund';
import { ReturnRequest } from './return-request';

export { Counter, IdempotencyRecord, Order, OrderEvent, OrderHistory, OrderItem, ReturnRequest };
export { AnalyticsAppliedEvent, AnalyticsDaily, EmailDelivery, Refund };
export const allModels = [Order, OrderItem, OrderHistory, OrderEvent, ReturnRequest, Counter, IdempotencyRecord, EmailDelivery, Refund, AnalyticsDaily, AnalyticsAppliedEvent] as const;
