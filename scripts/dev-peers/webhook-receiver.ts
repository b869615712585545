/**
 * A webhook receiver on the Customer stand-in, so a developer (and `npm run demo`) can
 * subscribe ORMS to a local URL and watch what a receiver gets:
 *
 *   PUT  /webhook-receiver/:name  {"secret": "whsec_…", "answer": 200}  set it up (both optional)
 *   POST /webhook-receiver/:name  a delivery from ORMS: verified, recorded, answered
 *   GET  /webhook-receiver/:name  {name, answer, received: [...]}
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Delivery, PeerState } from './state';

export const RECEIVER_PATH = /^\/webhook-receiver\/([^/]+)$/;
const NAME = /^[A-Za-z0-9._~-]{1,64}$/;
/** ORMS's events are a few hundred bytes; anything far larger is not a delivery. */
const MAX_BODY_BYTES = 1024 * 1024;
const TOLERANCE_SECONDS = 5 * 60;

/**
 * README's recipe for receivers (section Webhooks), as a receiver of ORMS would write it, so
 * the stand-in checks what a real receiver would and not what the signer happens to do.
 */
export function verifyOrmsSignature(rawBody: string, header: string, secret: string, nowMs = Date.now()): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
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
export async function handleReceiver(state: PeerState, rawName: string, req: http.IncomingMessage, onDelivery: (name: string, d: Delivery) => void): Promise<Reply | null> {
  const name = decodeURIComponent(rawName);
  if (!NAME.test(name)) throw new HttpError(400, 'A receiver name is 1-64 letters, digits, ".", "_", "~" or "-"');
  const tooMany = new HttpError(409, 'Too many webhook receivers; remove var/dev-peers/state.json to start afresh');

  if (req.method === 'GET') return { status: 200, body: { name, answer: state.receivers.get(name)?.answer ?? 200, received: state.deliveriesOf(name) } };

  if (req.method === 'PUT') {
    const raw = await readRaw(req);
    const body = raw.trim() ? parseJson(raw) : {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body is a JSON object: {"secret": "whsec_…", "answer": 200}');
    const { secret, answer } = body as { secret?: unknown; answer?: unknown };
    if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0 || secret.length > 256)) throw new HttpError(400, '"secret" is a non-empty string');
    if (answer !== undefined && (!Number.isInteger(answer) || (answer as number) < 200 || (answer as number) > 599)) throw new HttpError(400, '"answer" is an HTTP status, 200-599');
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
    const signature = header(req, 'orms-signature');
    const verified = receiver.secret !== null && signature !== null && verifyOrmsSignature(raw, signature, receiver.secret);
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
        : { received: false, message: receiver.secret === null ? `No secret is set for receiver ${name}: PUT {"secret": "whsec_…"} first` : 'The ORMS-Signature does not verify with this receiver’s secret' },
    };
  }
  return null;
}
