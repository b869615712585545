import { createHmac, randomBytes } from 'node:crypto';

/**
 * `whsec_` + standard base64 of 32 random bytes: the Standard Webhooks form, whose bytes
 * (after the prefix, decoded) are the HMAC key of `webhook-signature`; the whole string is
 * the key of `ORMS-Signature`. Shown once, signs every delivery.
 */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const hmac = (secret: string, t: number, body: string): string =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/**
 * `ORMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, one
 * `v1=` per secret (two while a rotation overlaps).
 */
export function signatureHeader(
  secrets: readonly string[],
  body: string,
  t: number = Math.floor(Date.now() / 1000),
): string {
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmac(s, t, body)}`)].join(',');
}

/**
 * The key a Standard Webhooks receiver derives from a secret: the bytes its base64 encodes,
 * after `whsec_`. (Secrets made before this form are base64url, which Node decodes too; the
 * official libraries want standard base64, so such a subscription should rotate its secret.)
 */
const standardKey = (secret: string): Buffer => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/**
 * The Standard Webhooks headers (https://www.standardwebhooks.com): `webhook-id` (the
 * delivery's id, the same on every attempt), `webhook-timestamp` (unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`, one per
 * secret, space-separated, as the specification allows during a rotation.
 */
export function standardWebhookHeaders(
  id: string,
  secrets: readonly string[],
  body: string,
  t: number = Math.floor(Date.now() / 1000),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const signed = `${id}.${t}.${body}`;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(t),
    'webhook-signature': secrets
      .map((s) => `v1,${createHmac('sha256', standardKey(s)).update(signed).digest('base64')}`)
      .join(' '),
  };
}
