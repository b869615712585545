import type { ServiceDeps } from '../../services/deps';
import { Router } from 'express';
import type { RedisClient } from '../../infra/redis';
import type { Queues } from '../../queues/queues';
import { scheduleDelivery } from '../../queues/webhook-jobs';
import { listDeliveries, pingWebhook, redeliver, type ScheduleDelivery } from '../../services/webhooks/deliveries';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from '../../services/webhooks/subscriptions';
import { ok } from '../envelope';
import { handle } from '../handler';
import { administratorsOnly } from '../middleware/authenticate';
import { needsRedis } from '../middleware/dependencies';
import {
  presentDeliveryPage,
  presentWebhook,
  presentWebhookList,
  presentWebhookWithSecret,
} from '../presenters/webhooks';
import {
  createWebhookBody,
  deliveriesQuery,
  deliveryParams,
  updateWebhookBody,
  webhookIdParam,
} from '../schemas/webhooks';

/** Webhook subscriptions and their deliveries, for administrators (README "Webhooks"). */
export function webhooksRoutes(redis: RedisClient, queues: Queues, services: ServiceDeps): Router {
  const r = Router();
  r.use(...administratorsOnly);
  const schedule: ScheduleDelivery = (deliveryId, attempt) => scheduleDelivery(queues, deliveryId, attempt);

  r.post(
    '/',
    handle({ body: createWebhookBody }, async ({ body }, _req, res) => {
      ok(
        res,
        'Webhook created; keep its secret, it is not shown again',
        presentWebhookWithSecret(await createWebhook(body, services)),
        201,
      );
    }),
  );

  r.get(
    '/',
    handle({}, async (_input, _req, res) => {
      ok(res, 'Webhooks retrieved successfully', presentWebhookList(await listWebhooks()));
    }),
  );

  r.get(
    '/:webhookId',
    handle({ params: webhookIdParam }, async ({ params }, _req, res) => {
      ok(res, 'Webhook retrieved successfully', presentWebhook(await getWebhook(params.webhookId)));
    }),
  );

  r.patch(
    '/:webhookId',
    handle({ params: webhookIdParam, body: updateWebhookBody }, async ({ params, body }, _req, res) => {
      ok(res, 'Webhook updated', presentWebhook(await updateWebhook(params.webhookId, body, services)));
    }),
  );

  r.delete(
    '/:webhookId',
    handle({ params: webhookIdParam }, async ({ params }, _req, res) => {
      await deleteWebhook(params.webhookId);
      ok(res, 'Webhook deleted', { webhookId: params.webhookId });
    }),
  );

  r.post(
    '/:webhookId/test',
    needsRedis(redis),
    handle({ params: webhookIdParam }, async ({ params }, _req, res) => {
      ok(res, 'Ping queued', await pingWebhook(params.webhookId, schedule), 202);
    }),
  );

  r.post(
    '/:webhookId/rotate-secret',
    handle({ params: webhookIdParam }, async ({ params }, _req, res) => {
      ok(
        res,
        'Secret rotated; the previous one keeps signing for the overlap',
        presentWebhookWithSecret(await rotateWebhookSecret(params.webhookId, services.settings)),
      );
    }),
  );

  r.get(
    '/:webhookId/deliveries',
    handle({ params: webhookIdParam, query: deliveriesQuery }, async ({ params, query }, _req, res) => {
      ok(res, 'Deliveries retrieved successfully', presentDeliveryPage(await listDeliveries(params.webhookId, query)));
    }),
  );

  r.post(
    '/:webhookId/deliveries/:deliveryId/redeliver',
    needsRedis(redis),
    handle({ params: deliveryParams }, async ({ params }, _req, res) => {
      ok(res, 'Redelivery queued', await redeliver(params.webhookId, params.deliveryId, schedule), 202);
    }),
  );

  return r;
}
