import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { ServiceSettings } from '../settings';

/**
 * Webhook secrets at rest: AES-256-GCM under WEBHOOK_SECRET_KEY, so a copy of the database
 * (a backup, a read replica, a stolen dump) cannot sign deliveries receivers trust. Stored
 * as `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url), the subscription's id bound in
 * as associated data (a sealed secret copied to another subscription does not open). The
 * key id (the first bytes of the key's SHA-256) says which key sealed it: while keys rotate,
 * WEBHOOK_SECRET_KEY_PREVIOUS opens what the old key sealed, and the upkeep seals it again
 * under the new one. With no key (development without one) secrets are stored as they are.
 */
const PREFIX = 'enc:v1:';

/** A stored secret no configured key opens: the key was changed without WEBHOOK_SECRET_KEY_PREVIOUS. */
export class SecretUnreadable extends Error {}

interface Key {
  id: string;
  bytes: Buffer;
}

const keyOf = (base64: string): Key | null => {
  if (!base64) return null;
  const bytes = Buffer.from(base64, 'base64');
  return { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), bytes };
};

/** The keys secrets are sealed under: WEBHOOK_SECRET_KEY, and WEBHOOK_SECRET_KEY_PREVIOUS while keys rotate. */
export type SecretKeys = Pick<ServiceSettings, 'WEBHOOK_SECRET_KEY' | 'WEBHOOK_SECRET_KEY_PREVIOUS'>;

function keys(k: SecretKeys): { current: Key | null; previous: Key | null } {
  return { current: keyOf(k.WEBHOOK_SECRET_KEY), previous: keyOf(k.WEBHOOK_SECRET_KEY_PREVIOUS) };
}

/** The secret as stored for subscription `webhookId`: sealed under the current key, if there is one. */
export function sealSecret(secret: string, webhookId: string, k: SecretKeys): string {
  const key = keys(k).current;
  if (!key) return secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv).setAAD(Buffer.from(webhookId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return (
    PREFIX +
    [key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join(
      ':',
    )
  );
}

/** The secret a stored value holds (one stored before encryption is itself). */
export function openSecret(stored: string, webhookId: string, k: SecretKeys): string {
  if (!stored.startsWith(PREFIX)) return stored;
  const [keyId, iv, tag, sealed] = stored.slice(PREFIX.length).split(':');
  const { current, previous } = keys(k);
  const key = [current, previous].find((k) => k?.id === keyId);
  if (!key)
    throw new SecretUnreadable(
      `the secret of webhook ${webhookId} was sealed with a key that is neither WEBHOOK_SECRET_KEY nor WEBHOOK_SECRET_KEY_PREVIOUS`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(webhookId))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnreadable(
      `the secret of webhook ${webhookId} does not open: it was altered or copied from another subscription`,
    );
  }
}

/** Whether the upkeep should seal it again: stored as it is, or under a key that is not the current one. */
export function needsSealing(stored: string, k: SecretKeys): boolean {
  const key = keys(k).current;
  if (!key) return false;
  return !stored.startsWith(`${PREFIX}${key.id}:`);
}
