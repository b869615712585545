import net from 'node:net';
import mongoose from 'mongoose';
import request from 'supertest';
import { z } from 'zod';
import { buildOpenApiDocument } from '../src/api/openapi/document';
import { operations } from '../src/api/openapi/operations';
import { errorEnvelope } from '../src/api/openapi/responses';
import { listen } from './helpers/orders';
import { useTestApp } from './helpers/test-app';
import { as, tokenOf } from './helpers/tokens';

/**
 * Every operation the document gives a request body refuses a body that is not
 * application/json with 415 in the envelope. The list comes from the document, so an
 * operation added with a body is covered without touching this file.
 *
 * The 415 is judged before the credentials (as 413 is): each body is sent once with
 * credentials the operation accepts (an Administrator's token for bearer operations, the
 * service key for internal ones), so no 401 or 403 could hide a missing 415, and once
 * with none, which must get the same 415.
 */

const t = useTestApp();
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(t.app);
  t.onClose(() => server.close());
});

const docOperation = z.object({
  requestBody: z.object({ content: z.record(z.string(), z.unknown()) }).optional(),
  security: z.array(z.record(z.string(), z.array(z.string()))),
  parameters: z.array(
    z.object({ name: z.string(), in: z.string(), schema: z.object({ pattern: z.string().optional() }).loose() }),
  ),
});
const docPaths = z.record(z.string(), z.record(z.string(), docOperation));

/** An id of each shape a path names, so each request reaches the route the document describes. */
const EXAMPLE_IDS: Record<string, string> = {
  orderId: 'ORD-2026-000001',
  returnId: 'RET-2026-000001',
  webhookId: `wh_${'0'.repeat(24)}`,
  deliveryId: `dlv_${'0'.repeat(32)}`,
  bulkId: `blk_${'0'.repeat(24)}`,
  exportId: `exp_${'0'.repeat(24)}`,
  id: 'emails-00000000-0000-4000-8000-000000000000',
  customerId: 'c-alice',
};

interface WithBody {
  name: string;
  method: 'post' | 'put' | 'patch';
  path: string;
  credentials: Record<string, string>;
}

function operationsWithBody(): WithBody[] {
  const out: WithBody[] = [];
  for (const [template, item] of Object.entries(docPaths.parse(buildOpenApiDocument().paths))) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.requestBody) continue;
      if (method !== 'post' && method !== 'put' && method !== 'patch')
        throw new Error(`${method} ${template} takes a body; send it here too`);
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
        const id = EXAMPLE_IDS[name];
        const pattern = op.parameters.find((p) => p.in === 'path' && p.name === name)?.schema.pattern;
        if (!id || (pattern && !new RegExp(pattern).test(id)))
          throw new Error(`give EXAMPLE_IDS a ${name} for ${template}`);
        return id;
      });
      const schemes = op.security.flatMap((s) => Object.keys(s));
      const credentials: Record<string, string> = schemes.includes('bearerAuth')
        ? as('admin')
        : schemes.includes('serviceKey')
          ? { 'x-service-api-key': process.env.SERVICE_API_KEY ?? '' }
          : {};
      out.push({ name: `${method} ${template}`, method, path, credentials });
    }
  }
  return out;
}

/** The four forms a client might send instead of JSON; the text one even holds JSON. */
const NOT_JSON: { type: string; send: (req: request.Test) => request.Test }[] = [
  {
    type: 'text/plain',
    send: (req) => req.set('content-type', 'text/plain').send('{"notes":"JSON, but not declared as JSON"}'),
  },
  {
    type: 'application/xml',
    send: (req) => req.set('content-type', 'application/xml').send('<order><notes>XML</notes></order>'),
  },
  { type: 'application/x-www-form-urlencoded', send: (req) => req.type('form').send('notes=a+form&status=Processing') },
  { type: 'multipart/form-data', send: (req) => req.field('notes', 'a multipart form') },
];

const REFUSED = {
  success: false,
  message: 'Unsupported media type',
  errors: [{ field: 'content-type', message: 'Send the body as application/json' }],
};

/** Documents in every collection: a refused request writes none. */
async function documentCounts(): Promise<Record<string, number>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const counts: Record<string, number> = {};
  for (const { name } of await db.listCollections().toArray())
    counts[name] = await db.collection(name).countDocuments();
  return counts;
}

/** A request written by hand: the exact headers given, and not a byte of body. */
function rawStatus(method: string, path: string, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(server.url);
  const head = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed socket is a client gone, and gets no answer.
    const socket = net.connect(Number(port), hostname, () => socket.write(`${head.join('\r\n')}\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('bodies that are not JSON', () => {
  it('every operation with a body answers 415 in the envelope to text, XML, a form and multipart, with or without credentials, and writes nothing', async () => {
    const ops = operationsWithBody();
    // Derived, not listed: the derivation must find every operation the routes give a body.
    expect(ops.map((o) => o.name).sort()).toEqual(
      operations
        .filter((o) => o.body)
        .map((o) => `${o.method} ${o.path.replace(/:(\w+)/g, '{$1}')}`)
        .sort(),
    );
    const before = await documentCounts();

    const wrong: string[] = [];
    for (const op of ops) {
      for (const { type, send } of NOT_JSON) {
        for (const [who, credentials] of [
          ['with credentials', op.credentials],
          ['without credentials', {}],
        ] as const) {
          const res = await send(request(server.url)[op.method](op.path).set(credentials));
          const enveloped = errorEnvelope.safeParse(res.body).success;
          if (res.status !== 415 || !enveloped || JSON.stringify(res.body) !== JSON.stringify(REFUSED))
            wrong.push(`${op.name} as ${type} ${who}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }

    expect(wrong).toEqual([]);
    expect(await documentCounts()).toEqual(before);
  });

  it('still takes JSON, with a charset parameter too, and a POST that needs no body without one, however it is labelled', async () => {
    const created = await request(server.url)
      .post('/api/orders/webhooks')
      .set(as('admin'))
      .set('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['order.created'] }));
    expect(created.status).toBe(201);
    const rotate = `/api/orders/webhooks/${created.body.data.webhookId}/rotate-secret`;
    const admin = { Authorization: `Bearer ${tokenOf('admin')}` };

    // No Content-Length, no Transfer-Encoding: no body, whatever Content-Type claims.
    const unlabelled = await rawStatus('POST', rotate, admin);
    const labelledAsForm = await rawStatus('POST', rotate, {
      ...admin,
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    const emptyText = await rawStatus('POST', rotate, {
      ...admin,
      'Content-Type': 'text/plain',
      'Content-Length': '0',
    });

    expect([unlabelled, labelledAsForm, emptyText]).toEqual([200, 200, 200]);
  });
});
