/**
 * A webhook receiver on the Customer stand-in, so a developer (and `npm run demo`) can
 * subscribe ORMS to a local URL and watch what a receiver gets:
 *
 *   PUT  /webhook-receiver/:name  {"secret": "whsec_…", "answer": 200}  set it up (both optional)
 *   POST /webhook-receiver/:name  a delivery from ORMS: verified, recorded, answered
 *   GET  /webhook-receiver/:name  {name, answer, received: [...]}
 */
import type http from 'node:http';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { Delivery, PeerState } from './state';

export const RECEIVER_PATH = /^\/webhook-receiver\/([^/]+)$/;
const NAME = /^[A-Za-z0-9._~-]{1,64}$/;
/** ORMS's events are a few hundred bytes; anything far larger is not a delivery. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What README recommends receivers do (section Webhooks): verify with the official Standard
 * Webhooks library, so the stand-in checks what a real receiver would and not what the
 * signer happens to do. It refuses a timestamp more than five minutes off.
 */
export function verifyDelivery(rawBody: string, headers: Record<string, string | null>, secret: string): boolean {
  try {
    new StandardWebhook(secret).verify(rawBody, {
      'webhook-id': headers['webhook-id'] ?? '',
      'webhook-timestamp': headers['webhook-timestamp'] ?? '',
      'webhook-signature': headers['webhook-signature'] ?? '',
    });
    return true;
  } catch {
    return false;
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readRaw(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `A body of at most ${MAX_BODY_BYTES} bytes is accepted`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const header = (req: http.IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
};

function parseJson(raw: string): unknown {
  try {
    return raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    return null;
  }
}

export interface Reply {
  status: number;
  body: unknown;
}

/** The answer to a request at /webhook-receiver/:name, or null when the method is not one of its three. */
export async function handleReceiver(
  state: PeerState,
  rawName: string,
  req: http.IncomingMessage,
  onDelivery: (name: string, d: Delivery) => void,
): Promise<Reply | null> {
  const name = decodeURIComponent(rawName);
  if (!NAME.test(name)) throw new HttpError(400, 'A receiver name is 1-64 letters, digits, ".", "_", "~" or "-"');
  const tooMany = new HttpError(409, 'Too many webhook receivers; remove var/dev-peers/state.json to start afresh');

  if (req.method === 'GET')
    return {
      status: 200,
      body: { name, answer: state.receivers.get(name)?.answer ?? 200, received: state.deliveriesOf(name) },
    };

  if (req.method === 'PUT') {
    const raw = await readRaw(req);
    const body = raw.trim() ? parseJson(raw) : {};
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new HttpError(400, 'The body is a JSON object: {"secret": "whsec_…", "answer": 200}');
    const { secret, answer } = body as { secret?: unknown; answer?: unknown };
    if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0 || secret.length > 256))
      throw new HttpError(400, '"secret" is a non-empty string');
    if (answer !== undefined && (!Number.isInteger(answer) || (answer as number) < 200 || (answer as number) > 599))
      throw new HttpError(400, '"answer" is an HTTP status, 200-599');
    const receiver = state.receiver(name);
    if (!receiver) throw tooMany;
    if (typeof secret === 'string') receiver.secret = secret;
    if (typeof answer === 'number') receiver.answer = answer;
    state.changed();
    return { status: 200, body: { name, answer: receiver.answer, hasSecret: receiver.secret !== null } };
  }

  if (req.method === 'POST') {
    const raw = await readRaw(req);
    const receiver = state.receiver(name);
    if (!receiver) throw tooMany;
    const signed = {
      'webhook-id': header(req, 'webhook-id'),
      'webhook-timestamp': header(req, 'webhook-timestamp'),
      'webhook-signature': header(req, 'webhook-signature'),
    };
    const verified = receiver.secret !== null && verifyDelivery(raw, signed, receiver.secret);
    const answered = verified ? receiver.answer : 401;
    const delivery: Delivery = {
      deliveryId: header(req, 'orms-delivery-id'),
      eventId: header(req, 'orms-event-id'),
      eventType: header(req, 'orms-event-type'),
      verified,
      answered,
      receivedAt: new Date().toISOString(),
      body: parseJson(raw),
    };
    state.addDelivery(name, delivery);
    onDelivery(name, delivery);
    return {
      status: answered,
      body: verified
        ? { received: true, deliveryId: delivery.deliveryId }
        : {
            received: false,
            message:
              receiver.secret === null
                ? `No secret is set for receiver ${name}: PUT {"secret": "whsec_…"} first`
                : 'The webhook-signature does not verify with this receiver’s secret (Standard Webhooks)',
          },
    };
  }
  return null;
}
