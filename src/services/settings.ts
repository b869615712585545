import type { OrderStatus } from '../shared/names';

/**
 * What the use cases read of the configuration. The entry points parse the environment once
 * (src/config.ts) and pass it in, through ServiceDeps or as an argument: no service reads the
 * environment. The keys are the configuration's own, so the parsed configuration is one.
 */
export interface ServiceSettings {
  ORDER_ID_PREFIX: string;
  RETURN_ID_PREFIX: string;
  ORDER_CANCELLATION_ALLOWED_STATUSES: readonly OrderStatus[];
  ORDER_RETURN_ALLOWED_STATUSES: readonly OrderStatus[];
  IDEMPOTENCY_LOCK_MS: number;
  IDEMPOTENCY_RETENTION_HOURS: number;
  EXPORT_DIR: string;
  EXPORT_TTL_HOURS: number;
  FULFILMENT_SLA_HOURS: number;
  RETURN_REVIEW_SLA_HOURS: number;
  OPS_EMAIL: string;
  EMAIL_CLAIM_LOCK_MS: number;
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean;
  WEBHOOK_BACKOFF_MS: number;
  WEBHOOK_MAX_RETRY_DELAY_MS: number;
  WEBHOOK_DISABLE_AFTER_HOURS: number;
  WEBHOOK_SECRET_OVERLAP_HOURS: number;
  WEBHOOK_SECRET_KEY: string;
  WEBHOOK_SECRET_KEY_PREVIOUS: string;
}

/** How long the logs and marks of finished work are kept (services/retention). */
export interface RetentionWindows {
  WEBHOOK_DELIVERY_RETENTION_DAYS: number;
  EMAIL_DELIVERY_RETENTION_DAYS: number;
  BULK_RETENTION_DAYS: number;
  WEBHOOK_MARK_RETENTION_DAYS: number;
  ANALYTICS_MARK_RETENTION_DAYS: number;
  ATTENTION_CHECK_RETENTION_DAYS: number;
}
