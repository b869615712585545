import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import request from 'supertest';
import { operations } from '../src/api/openapi/operations';
import { shipmentBody } from '../src/api/schemas/admin';
import { urlFormProblem } from '../src/shared/address-policy';
import { listen } from './helpers/orders';
import { useTestApp } from './helpers/test-app';

const t = useTestApp();

/** An operation's query: one object parameter, each property a `name=value` pair. */
interface Parameter {
  in: string;
  required: boolean;
  schema: { properties: Record<string, { description?: string }> };
}
function queryOf(
  doc: { paths: Record<string, Record<string, { parameters: Parameter[] }>> },
  path: string,
  method: string,
): Parameter {
  const found = doc.paths[path][method].parameters.filter((p) => p.in === 'query');
  expect(found).toHaveLength(1);
  return found[0];
}
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;
beforeAll(async () => {
  server = await listen(t.app);
  browser = await launchChromium();
  t.onClose(() => Promise.all([browser.close(), server.close()]));
}, 30_000);

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document with every operation, its body, its success and its errors', async () => {
    const res = await request(t.app).get('/openapi.json');

    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const op of operations) {
      const doc = res.body.paths[op.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[op.method];
      expect({ op: `${op.method} ${op.path}`, documented: Boolean(doc) }).toEqual({
        op: `${op.method} ${op.path}`,
        documented: true,
      });
      expect(doc.responses[String(op.success.status)]).toBeDefined();
      expect(doc.responses['500']).toBeDefined();
      if (op.body) {
        const schema = doc.requestBody.content['application/json'].schema;
        for (const shape of schema.oneOf ?? [schema]) expect(shape.type).toBe('object');
      }
    }
    const create = res.body.paths['/api/orders'].post;
    expect(create.requestBody.content['application/json'].schema.properties.items.maxItems).toBe(100);
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
  });

  it('states every status an operation can answer: 400 with path ids, 413 and 415 with a body, 429 behind a limit, 503 behind a dependency', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;

    for (const op of operations) {
      const responses = doc.paths[op.path.replace(/:([A-Za-z]+)/g, '{$1}')][op.method].responses as Record<
        string,
        { headers?: Record<string, unknown> }
      >;
      const has = (status: number) => String(status) in responses;
      const name = `${op.method} ${op.path}`;
      const underApi = op.path.startsWith('/api/');
      expect({ name, 400: has(400) }).toEqual({ name, 400: Boolean(op.params || op.query || op.body) });
      expect({ name, 413: has(413), 415: has(415) }).toEqual({ name, 413: Boolean(op.body), 415: Boolean(op.body) });
      expect({ name, 429: has(429) }).toEqual({ name, 429: underApi });
      expect({ name, 503: has(503) }).toEqual({ name, 503: underApi || op.path === '/ready' });
      if (has(429))
        expect(Object.keys(responses['429'].headers ?? {})).toEqual(
          expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']),
        );
      if (has(503)) expect(Object.keys(responses['503'].headers ?? {})).toContain('Retry-After');
      if (op.idempotent)
        expect(Object.keys(responses[String(op.success.status)].headers ?? {})).toContain('Idempotent-Replayed');
    }
    expect(Object.keys(doc.components.headers).sort()).toEqual([
      'Access-Control-Allow-Origin',
      'Idempotent-Replayed',
      'RateLimit',
      'RateLimit-Policy',
      'Retry-After',
    ]);
  });

  it('puts the enforced rules into the schemas', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const body = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema;
    const query = (path: string, method: string) => queryOf(doc, path, method).schema;

    expect(body('/api/orders', 'post').properties.items.items.properties.unitPrice).toMatchObject({
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 10_000_000,
      multipleOf: 0.01,
    });
    expect(query('/api/orders/me', 'get').properties.limit).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 50,
      default: 10,
    });
    expect(query('/api/orders/me', 'get').properties.page).toMatchObject({ type: 'integer', minimum: 1 });
    expect(body('/api/orders/{orderId}', 'put').minProperties).toBe(1);
    const [approve, reject] = body('/api/orders/returns/{returnId}/review', 'patch').oneOf;
    expect(approve).toMatchObject({
      properties: { decision: { const: 'approved' }, refundAmount: { exclusiveMinimum: 0 } },
      required: expect.arrayContaining(['refundAmount']),
    });
    expect(reject).toMatchObject({ properties: { decision: { const: 'rejected' }, refundAmount: { not: {} } } });
    expect(body('/api/orders/{orderId}/cancel', 'post').properties.reason).toMatchObject({
      minLength: 10,
      maxLength: 500,
    });
  });

  it('states the rules the service enforces: in a schema where JSON Schema can, in a description where it cannot', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const body = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema;

    // A query parameter not listed is refused, so each operation's query is one strict object.
    for (const op of operations.filter((o) => o.query)) {
      const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect({ op: `${op.method} ${path}`, ...queryOf(doc, path, op.method) }).toMatchObject({
        in: 'query',
        style: 'form',
        explode: true,
        schema: { type: 'object', additionalProperties: false },
      });
    }
    expect(queryOf(doc, '/api/orders/search', 'get').required).toBe(true);
    expect(queryOf(doc, '/api/orders/me', 'get').required).toBe(false);

    const shipment = body('/api/orders/{orderId}/shipment', 'put').properties.trackingUrl.anyOf[0];
    expect(shipment).toMatchObject({
      format: 'uri',
      pattern: expect.stringMatching(/^\^https:\/\/[^?]/),
      maxLength: 2048,
    });
    const hook = body('/api/orders/webhooks', 'post').properties.url;
    expect(hook).toMatchObject({
      format: 'uri',
      maxLength: 2048,
      description: expect.stringMatching(/user name or password/),
    });
    expect(body('/api/orders/webhooks/{webhookId}', 'patch').properties.url).toEqual(hook);
    // The patterns are never looser than what enforces them: a URL they allow is accepted.
    const urls = [
      'https://track.example.com/BD-1',
      'http://track.example.com/BD-1',
      'HTTPS://TRACK.EXAMPLE.COM/x',
      'ftp://93.184.216.34/hook',
      'file:///etc/passwd',
      'http://user:pw@93.184.216.34/hook',
      'http://@93.184.216.34/',
      'https://93.184.216.34:8443/h?a=@',
      'http:93.184.216.34',
      'javascript:alert(1)',
      'https://',
      ' https://a.example ',
    ];
    const allowed = (pattern: string) => urls.filter((u) => new RegExp(pattern, 'u').test(u));
    expect(allowed(shipment.pattern).filter((u) => !shipmentBody.shape.trackingUrl.safeParse(u).success)).toEqual([]);
    expect(allowed(hook.pattern).filter((u) => urlFormProblem(u) !== null)).toEqual([]);
    expect(allowed(hook.pattern)).toEqual([
      'https://track.example.com/BD-1',
      'http://track.example.com/BD-1',
      'https://93.184.216.34:8443/h?a=@',
    ]);

    // What no JSON Schema keyword says is said on the field the 400 names.
    expect(body('/api/orders', 'post').properties.items.items.properties.discount.description).toMatch(
      /must not exceed quantity × unitPrice/,
    );
    expect(body('/api/orders', 'post').properties.items.description).toMatch(/order total.*must be greater than 0/);
    for (const [path, method] of [
      ['/api/orders', 'get'],
      ['/api/orders/returns', 'get'],
    ])
      expect(queryOf(doc, path, method).schema.properties.to.description).toMatch(/must not be before `from`/);
    expect(queryOf(doc, '/api/orders/analytics', 'get').schema.properties.from.description).toMatch(
      /must not be after `to`/,
    );
    expect(queryOf(doc, '/api/orders', 'get').schema.properties.maxAmount.description).toMatch(
      /not be less than `minAmount`/,
    );
    expect(body('/api/orders/exports', 'post').properties).toMatchObject({
      to: { description: expect.stringMatching(/before `from`/) },
      maxAmount: { description: expect.stringMatching(/`minAmount`/) },
    });
    expect(body('/api/orders/{orderId}/status', 'patch').dependentSchemas).toEqual({
      shipment: { properties: { status: { const: 'Shipped' } } },
    });
    expect(body('/api/orders/{orderId}/return', 'post').properties.items.description).toMatch(/at most once/);
    expect(doc.info.description).toMatch(/`application\/json` in UTF-8 \(415 otherwise/);
  });

  it('gives path ids their pattern, so no static path can be taken for an id', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const pattern = (path: string, method: string, name: string) =>
      new RegExp(doc.paths[path][method].parameters.find((p: { name: string }) => p.name === name).schema.pattern);

    expect(pattern('/api/orders/{orderId}/cancel', 'post', 'orderId').test('ORD-2026-000001')).toBe(true);
    expect(pattern('/api/orders/{orderId}/cancel', 'post', 'orderId').test('dead-letters')).toBe(false);
    expect(pattern('/api/orders/returns/{returnId}/review', 'patch', 'returnId').test('RET-2026-000001')).toBe(true);
    expect(
      pattern('/api/orders/dead-letters/{id}', 'get', 'id').test('emails-6f1c2a7e-0000-4000-8000-000000000000'),
    ).toBe(true);
    expect(pattern('/api/orders/dead-letters/{id}', 'get', 'id').test('cancel')).toBe(false);
    expect(pattern('/api/orders/webhooks/{webhookId}', 'get', 'webhookId').test('wh_0123456789abcdef01234567')).toBe(
      true,
    );
    expect(pattern('/api/orders/webhooks/{webhookId}', 'get', 'webhookId').test('ORD-2026-000001')).toBe(false);
    expect(
      pattern('/api/orders/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', 'post', 'deliveryId').test(
        `dlv_${'0a'.repeat(16)}`,
      ),
    ).toBe(true);
  });

  it('bounds every string a client sends, stating the length a pattern implies', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const param = (path: string, method: string, name: string) =>
      doc.paths[path][method].parameters.find((p: { name: string }) => p.name === name).schema;

    expect(param('/api/orders/webhooks/{webhookId}', 'get', 'webhookId')).toMatchObject({
      pattern: '^wh_[0-9a-f]{24}$',
      maxLength: 27,
    });
    expect(
      param('/api/orders/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', 'post', 'deliveryId'),
    ).toMatchObject({ maxLength: 36 });
    expect(queryOf(doc, '/api/orders/events', 'get').schema.properties.after).toMatchObject({
      type: 'string',
      maxLength: 15,
    });
    // One type for all or some types: `["*"]` is an array of exactly that item, not a tuple tools read as "no items".
    const events =
      doc.paths['/api/orders/webhooks'].post.requestBody.content['application/json'].schema.properties.events;
    expect(events.anyOf[0]).toEqual({ type: 'array', items: { type: 'string', const: '*' }, minItems: 1, maxItems: 1 });
  });

  it('documents the webhooks: the secret only where it is shown, the feed for a token or the service key, 409 and 410 where they happen', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const data = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status].content['application/json'].schema.properties.data;

    expect(data('/api/orders/webhooks', 'post', '201').required).toContain('secret');
    expect(data('/api/orders/webhooks/{webhookId}/rotate-secret', 'post', '200').required).toContain('secret');
    expect(data('/api/orders/webhooks/{webhookId}', 'get', '200').properties.secret).toBeUndefined();
    expect(data('/api/orders/webhooks', 'get', '200').properties.webhooks.items.properties.secret).toBeUndefined();

    const feed = doc.paths['/api/orders/events'].get;
    expect(feed.security).toEqual([{ bearerAuth: [] }, { serviceKey: [] }]);
    expect(Object.keys(feed.responses)).toEqual(['200', '400', '401', '403', '410', '429', '500', '503']);
    expect(feed.responses['410'].description).toMatch(/retention/);
    const redeliver = doc.paths['/api/orders/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver'].post;
    expect(Object.keys(redeliver.responses)).toEqual(expect.arrayContaining(['202', '404', '409', '503']));
    expect(redeliver.responses['409'].description).toMatch(/still being attempted/);
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toContain('Webhooks');
  });

  it('renders Swagger UI at /docs in headless Chromium, listing the operations, without calling out', async () => {
    const ctx = await browser.newContext();
    const outside: string[] = [];
    await ctx.route('**/*', (route) => {
      if (route.request().url().startsWith(server.url)) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    const page = await ctx.newPage();

    await page.goto(`${server.url}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
    const paths = await page.$$eval('.opblock-summary-path', (els) =>
      els.map((e) => e.textContent?.replace(/\u200b/g, '')),
    );
    const title = await page.textContent('.info .title');

    expect(title).toContain('ORMS');
    expect(paths).toEqual(
      expect.arrayContaining(['/api/orders', '/api/orders/{orderId}/cancel', '/api/orders/returns/{returnId}/review']),
    );
    expect(outside).toEqual([]);
    await ctx.close();
  });
});
