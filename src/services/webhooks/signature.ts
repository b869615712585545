import { createHmac, randomBytes } from 'node:crypto';

/** `whsec_` + 32 random bytes, base64url: shown once, signs every delivery. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

const hmac = (secret: string, t: number, body: string): string => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/**
 * `ORMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, one
 * `v1=` per secret (two while a rotation overlaps).
 */
export function signatureHeader(secrets: readonly string[], body: string, t: number = Math.floor(Date.now() / 1000)): string {
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmac(s, t, body)}`)].join(',');
}
