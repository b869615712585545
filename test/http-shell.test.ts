import { Router } from 'express';
import net from 'node:net';
import request from 'supertest';
import { listen } from './helpers/orders';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const boom = Router();
boom.get('/', () => {
  throw new Error('secret internals: mongodb://user:pass@db');
});
const t = useTestApp({ extraRouters: [{ path: '/boom', router: boom }] });

describe('the HTTP shell', () => {
  it('answers an unknown route with 404 in the envelope', async () => {
    const res = await request(t.app).get('/no/such/route');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      success: false,
      message: 'Route not found',
      errors: [{ field: 'path', message: 'No route for GET /no/such/route' }],
    });
  });

  it('answers malformed JSON with 400 in the envelope', async () => {
    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('content-type', 'application/json')
      .send('{"items": [');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Malformed JSON',
      errors: [{ field: 'body', message: expect.any(String) }],
    });
  });

  it('answers headers over 16 KB, which Node refuses before express sees them, with 431 in the envelope', async () => {
    const server = await listen(t.app);
    try {
      const res = await request(server.url)
        .get(`/api/orders/me?q=${'a'.repeat(9000)}`)
        .set('Authorization', `Bearer ${'x'.repeat(9000)}`);

      expect(res.status).toBe(431);
      expect(res.body).toEqual({
        success: false,
        message: 'Request Header Fields Too Large',
        errors: [{ field: 'headers', message: expect.any(String) }],
      });
    } finally {
      await server.close();
    }
  });

  it('answers bytes that are not HTTP with 400 in the envelope', async () => {
    const server = await listen(t.app);
    try {
      const { port } = new URL(server.url);
      const reply = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('HELLO THERE\r\n\r\n'));
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });

      expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toEqual({
        success: false,
        message: 'Bad Request',
        errors: [{ field: 'request', message: expect.any(String) }],
      });
    } finally {
      await server.close();
    }
  });

  it('answers a body over the limit with 413 in the envelope', async () => {
    const huge = JSON.stringify({ notes: 'x'.repeat(200 * 1024) });

    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('content-type', 'application/json')
      .send(huge);

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ success: false, message: 'Payload too large', errors: [{ field: 'body' }] });
  });

  it('refuses strings the database cannot store (NUL, unpaired surrogates) with 400 naming the field', async () => {
    const nul = await request(t.app)
      .get('/api/orders/internal/customer/a%00b/count')
      .set('x-service-api-key', process.env.SERVICE_API_KEY as string);
    const surrogate = await request(t.app)
      .post('/api/orders/ORD-2026-000001/cancel')
      .set(as('alice'))
      .set('content-type', 'application/json')
      .send('{"reason": "broken \\ud800 text here"}');

    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([
      { field: 'customerId', message: 'Must not contain NUL or invalid Unicode characters' },
    ]);
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.errors).toEqual([
      { field: 'reason', message: 'Must not contain NUL or invalid Unicode characters' },
    ]);
  });

  it('answers an unexpected error with 500 and no stack or internals', async () => {
    const res = await request(t.app).get('/boom');

    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      message: 'Internal server error',
      errors: [{ field: 'server', message: 'An unexpected error occurred' }],
    });
    expect(res.text).not.toMatch(/secret internals|mongodb:|at .*\.ts/);
  });

  it('gives every response a request id, echoing a sane one the caller sent', async () => {
    const mine = await request(t.app).get('/health').set('x-request-id', 'trace-123');
    const fresh = await request(t.app).get('/health');

    expect(mine.headers['x-request-id']).toBe('trace-123');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets the security headers and allows only the configured CORS origins', async () => {
    const allowed = await request(t.app).get('/health').set('origin', 'http://localhost:3000');
    const other = await request(t.app).get('/health').set('origin', 'http://evil.example');

    expect(allowed.headers['x-content-type-options']).toBe('nosniff');
    expect(allowed.headers['x-powered-by']).toBeUndefined();
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers GET /health with 200 while the process is alive', async () => {
    const res = await request(t.app).get('/health');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, data: { status: 'ok' } });
  });
});

describe('bodies that would burn CPU', () => {
  const nested = (depth: number, kind: 'object' | 'array') =>
    kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it.each([
    [33, 'object'],
    [33, 'array'],
    [16_000, 'object'],
    [16_000, 'array'],
  ] as const)('refuses JSON nested %i levels deep (%s) with 400 naming the body', async (depth, kind) => {
    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('content-type', 'application/json')
      .send(nested(depth, kind));

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Validation failed',
      errors: [{ field: 'body', message: 'JSON nested deeper than 32 levels is not accepted' }],
    });
  });

  it('reads JSON nested 32 levels deep, brackets inside strings not counted, and judges it by the schema', async () => {
    const body = `{"notes": "${'[{'.repeat(40)}", "items": ${'['.repeat(31)}${']'.repeat(31)}}`;

    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('content-type', 'application/json')
      .send(body);

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([{ field: 'deliveryAddress', message: expect.any(String) }]),
    );
  });

  it('refuses JSON in UTF-16 with 415', async () => {
    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('content-type', 'application/json; charset=utf-16le')
      .send(Buffer.from('{"notes": "x"}', 'utf16le'));

    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({
      success: false,
      errors: [{ field: 'body', message: 'Send JSON encoded as UTF-8' }],
    });
  });
});

describe('paths that are not valid percent-encoding', () => {
  it.each([
    '/api/orders/%ff',
    '/api/orders/%E0%A4%A/cancel',
    '/api/orders/returns/%c0%af/review',
    '/api/orders/internal/customer/%ff/count',
  ])('answers %s with 400 naming the path', async (path) => {
    const method = path.endsWith('/cancel') ? 'post' : path.endsWith('/review') ? 'patch' : 'get';
    const res = await request(t.app)
      [method](path)
      .set(path.includes('/internal/') ? { 'x-service-api-key': process.env.SERVICE_API_KEY as string } : as('admin'));

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Validation failed',
      errors: [{ field: 'path', message: 'The path is not valid percent-encoded UTF-8' }],
    });
  });
});
