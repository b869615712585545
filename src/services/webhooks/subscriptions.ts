import { randomBytes } from 'node:crypto';
import { Webhook } from '../../models';
import type { WebhookDoc } from '../../models/webhook';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { markDeliveriesOfDeletedWebhook } from './deleted-subscriptions';
import { openSecret, sealSecret, type SecretKeys } from './secret-box';
import type { ServiceSettings } from '../settings';
import { newWebhookSecret } from './signature';
import { urlFormProblem } from '../../shared/address-policy';
import { addressProblem } from './url-guard';
import type { ServiceDeps } from '../deps';
import type { EventType } from '../../shared/names';

/** Event types a subscription asks for: some of them, or every one, now and added later. */
export type EventSelection = EventType[] | ['*'];

export interface CreateWebhookInput {
  url: string;
  events: EventSelection;
  description?: string | null;
}

export interface UpdateWebhookInput {
  url?: string;
  events?: EventSelection;
  active?: boolean;
  description?: string | null;
}

/** A subscription as shown: everything but its secrets. */
export type WebhookView = Omit<WebhookDoc, 'secret' | 'previousSecret'>;
/** …and, once, when it is made or rotated. */
export type WebhookWithSecret = WebhookView & { secret: string };

const view = ({ secret: _s, previousSecret: _p, ...rest }: WebhookDoc): WebhookView => rest;

type Deps = Pick<ServiceDeps, 'resolveHost' | 'settings'>;

async function assertReceivable(url: string, deps: Deps): Promise<void> {
  const problem =
    urlFormProblem(url) ?? (await addressProblem(url, deps.settings.WEBHOOK_ALLOW_PRIVATE_URLS, deps.resolveHost));
  if (problem) throw new ValidationError([{ field: 'url', message: problem }]);
}

const distinct = (events: EventSelection): string[] => [...new Set<string>(events)];

export async function createWebhook(input: CreateWebhookInput, deps: Deps): Promise<WebhookWithSecret> {
  await assertReceivable(input.url, deps);
  const now = new Date();
  const id = `wh_${randomBytes(12).toString('hex')}`;
  const secret = newWebhookSecret();
  const doc = await Webhook.create({
    _id: id,
    url: input.url,
    events: distinct(input.events),
    description: input.description ?? null,
    secret: sealSecret(secret, id, deps.settings),
    createdAt: now,
    updatedAt: now,
    activatedAt: now,
  });
  return { ...view(doc.toObject<WebhookDoc>()), secret };
}

export async function listWebhooks(): Promise<WebhookView[]> {
  return (await Webhook.find({}).sort({ createdAt: 1, _id: 1 }).lean<WebhookDoc[]>()).map(view);
}

async function load(webhookId: string): Promise<WebhookDoc> {
  const doc = await Webhook.findById(webhookId).lean<WebhookDoc>();
  if (!doc) throw new NotFoundError('Webhook', 'webhookId');
  return doc;
}

export const getWebhook = async (webhookId: string): Promise<WebhookView> => view(await load(webhookId));

/** Enabling a disabled subscription starts it afresh: no failure streak, a new notice period. */
export async function updateWebhook(webhookId: string, input: UpdateWebhookInput, deps: Deps): Promise<WebhookView> {
  const current = await load(webhookId);
  if (input.url !== undefined) await assertReceivable(input.url, deps);
  const now = new Date();
  const enabling = input.active === true && !current.active;
  const set = {
    ...(input.url !== undefined && { url: input.url }),
    ...(input.events !== undefined && { events: distinct(input.events) }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.active !== undefined && { active: input.active }),
    ...(input.active === false &&
      current.active && { disabledAt: now, disabledReason: 'disabled by an administrator' }),
    ...(enabling && { activatedAt: now, failingSince: null, disabledAt: null, disabledReason: null }),
    updatedAt: now,
  };
  const updated = await Webhook.findOneAndUpdate({ _id: webhookId }, { $set: set }, { new: true }).lean<WebhookDoc>();
  if (!updated) throw new NotFoundError('Webhook', 'webhookId');
  return view(updated);
}

/**
 * The subscription goes, and with it its deliveries log as far as anyone can see. The log is
 * marked rather than deleted (deleted-subscriptions.ts): delivery jobs still queued for it
 * find their delivery, see the subscription gone, and are skipped.
 */
export async function deleteWebhook(webhookId: string): Promise<void> {
  const { deletedCount } = await Webhook.deleteOne({ _id: webhookId });
  if (!deletedCount) throw new NotFoundError('Webhook', 'webhookId');
  await markDeliveriesOfDeletedWebhook(webhookId);
}

/** A new secret; the one it replaces keeps signing for WEBHOOK_SECRET_OVERLAP_HOURS. */
export async function rotateWebhookSecret(
  webhookId: string,
  settings: SecretKeys & Pick<ServiceSettings, 'WEBHOOK_SECRET_OVERLAP_HOURS'>,
): Promise<WebhookWithSecret> {
  const current = await load(webhookId);
  const now = new Date();
  const secret = newWebhookSecret();
  const updated = await Webhook.findOneAndUpdate(
    { _id: webhookId },
    // The previous secret stays as stored (sealed for this subscription, under whichever key).
    {
      $set: {
        secret: sealSecret(secret, webhookId, settings),
        previousSecret: current.secret,
        previousSecretExpiresAt: new Date(now.getTime() + settings.WEBHOOK_SECRET_OVERLAP_HOURS * 3600_000),
        updatedAt: now,
      },
    },
    { new: true },
  ).lean<WebhookDoc>();
  if (!updated) throw new NotFoundError('Webhook', 'webhookId');
  return { ...view(updated), secret };
}

/** The secrets that sign a delivery now, opened: the current one, and the previous while it overlaps. */
export function signingSecrets(
  w: Pick<WebhookDoc, '_id' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  keys: SecretKeys,
  now = Date.now(),
): string[] {
  const overlapping = w.previousSecret && w.previousSecretExpiresAt && w.previousSecretExpiresAt.getTime() > now;
  return (overlapping && w.previousSecret ? [w.secret, w.previousSecret] : [w.secret]).map((stored) =>
    openSecret(stored, w._id, keys),
  );
}

/** Whether a subscription wants events of this type. */
export const wants = (w: Pick<WebhookDoc, 'events'>, type: string): boolean =>
  w.events.includes('*') || w.events.includes(type);
