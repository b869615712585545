import { Counter } from './counter';
import { IdempotencyRecord } from './idempotency-record';
import { Order } from './order';
import { OrderHistory } from './order-history';
import { OrderItem } from './order-item';
import { ReturnRequest } from './return-request';

export { Counter, IdempotencyRecord, Order, OrderHistory, OrderItem, ReturnRequest };
export const allModels = [Order, OrderItem, OrderHistory, ReturnRequest, Counter, IdempotencyRecord] as const;
