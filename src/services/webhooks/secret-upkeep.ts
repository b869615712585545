import { Webhook } from '../../models';
import type { WebhookDoc } from '../../models/webhook';
import { needsSealing, openSecret, sealSecret, SecretUnreadable, type SecretKeys } from './secret-box';

type Stored = Pick<WebhookDoc, '_id' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>;

/**
 * Keeps subscriptions' secrets as they should be at rest: a previous secret whose overlap
 * has ended is removed (it signs nothing any more, and need not be kept to be stolen), and a
 * secret stored as it is, or sealed under WEBHOOK_SECRET_KEY_PREVIOUS, is sealed under
 * WEBHOOK_SECRET_KEY, so the previous key can be retired once this has run. Each write is
 * filtered on the values it read: a subscription rotated meanwhile is left to the next run.
 */
export async function upkeepWebhookSecrets(
  keys: SecretKeys,
  now = new Date(),
): Promise<{ resealed: number; previousRemoved: number; unreadable: number }> {
  const outcome = { resealed: 0, previousRemoved: 0, unreadable: 0 };
  // Subscriptions are few (one per receiving system): one pass over them all.
  const all = await Webhook.find({}, { secret: 1, previousSecret: 1, previousSecretExpiresAt: 1 }).lean<Stored[]>();
  for (const w of all) {
    const expired = w.previousSecret !== null && (!w.previousSecretExpiresAt || w.previousSecretExpiresAt <= now);
    const reseal = (stored: string) => sealSecret(openSecret(stored, w._id, keys), w._id, keys);
    let secret: string;
    let previousSecret: string | null;
    try {
      secret = needsSealing(w.secret, keys) ? reseal(w.secret) : w.secret;
      previousSecret =
        expired || w.previousSecret === null
          ? null
          : needsSealing(w.previousSecret, keys)
            ? reseal(w.previousSecret)
            : w.previousSecret;
    } catch (err) {
      // Sealed under a key no longer configured: its deliveries fail with the reason; the others are kept up.
      if (!(err instanceof SecretUnreadable)) throw err;
      outcome.unreadable++;
      continue;
    }
    if (secret === w.secret && previousSecret === w.previousSecret) continue;
    const res = await Webhook.updateOne(
      { _id: w._id, secret: w.secret, previousSecret: w.previousSecret },
      { $set: { secret, previousSecret, ...(previousSecret === null && { previousSecretExpiresAt: null }) } },
    );
    if (!res.modifiedCount) continue;
    if (secret !== w.secret || (previousSecret !== null && previousSecret !== w.previousSecret)) outcome.resealed++;
    if (expired) outcome.previousRemoved++;
  }
  return outcome;
}
