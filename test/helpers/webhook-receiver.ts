import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The README's verification recipe for receivers, as a receiver would write it: the
 * signature over "<t>.<raw body>" with the secret, any v1 matching, t within 5 minutes.
 */
export function verifyOrmsSignature(rawBody: string, header: string, secret: string, now = Date.now()): boolean {
  const parts = header.split(',').map((p) => p.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return parts.some(
    ([k, v]) => k === 'v1' && v?.length === expected.length && timingSafeEqual(Buffer.from(v), Buffer.from(expected)),
  );
}

export interface ReceivedWebhook {
  at: number;
  rawBody: string;
  body: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
  headers: http.IncomingHttpHeaders;
  signature: string;
  /** What the receiver answered. */
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Hold the answer this long (a slow receiver). */
  delayMs?: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** How to answer the next requests, in order; then `otherwise`. */
  answerNext(...answers: Answer[]): void;
  /** How to answer once the planned answers are used up (200 at first). */
  answerOtherwise(answer: Answer): void;
  /** Requests answered 2xx. */
  accepted(): ReceivedWebhook[];
  /** The most requests it held at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** A receiver of webhooks: a real HTTP server on an ephemeral port that records every request. */
export async function startWebhookReceiver(path = '/hooks/orms'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const planned: Answer[] = [];
  let otherwise: Answer = { status: 200 };
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = planned.shift() ?? otherwise;
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body = {} as ReceivedWebhook['body'];
      try {
        body = JSON.parse(rawBody) as ReceivedWebhook['body'];
      } catch {
        /* recorded as received */
      }
      const reply = () => {
        received.push({
          at: Date.now(),
          rawBody,
          body,
          headers: req.headers,
          signature: String(req.headers['orms-signature'] ?? ''),
          status: answer.status,
        });
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end('ok');
      };
      if (req.url !== path || req.method !== 'POST') res.writeHead(404).end();
      else if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answerNext: (...answers) => void planned.push(...answers),
    answerOtherwise: (answer) => void (otherwise = answer),
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}
