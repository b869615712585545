import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser';
import request from 'supertest';
import { operations } from '../src/api/openapi/operations';
import { startTestApp, type TestApp } from './helpers/test-app';


let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document with every operation, its body, its success and its errors', async () => {
    const res = await request(t.app).get('/openapi.json');

    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const op of operations) {
      const doc = res.body.paths[op.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[op.method];
      expect({ op: `${op.method} ${op.path}`, documented: Boolean(doc) }).toEqual({ op: `${op.method} ${op.path}`, documented: true });
      expect(doc.responses[String(op.success.status)]).toBeDefined();
      expect(doc.responses['500']).toBeDefined();
      if (op.body) expect(doc.requestBody.content['application/json'].schema.type).toBe('object');
    }
    const create = res.body.paths['/api/orders'].post;
    expect(create.requestBody.content['application/json'].schema.properties.items.maxItems).toBe(100);
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
  });

  it('renders Swagger UI at /docs in headless Chromium, listing the operations, without calling out', async () => {
    const ctx = await browser.newContext();
    const outside: string[] = [];
    await ctx.route('**/*', (route) => {
      if (route.request().url().startsWith(base)) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    const page = await ctx.newPage();

    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
    const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.textContent?.replace(/\u200b/g, '')));
    const title = await page.textContent('.info .title');

    expect(title).toContain('ORMS');
    expect(paths).toEqual(expect.arrayContaining(['/api/orders', '/api/orders/{orderId}/cancel', '/api/orders/returns/{returnId}/review']));
    expect(outside).toEqual([]);
    await ctx.close();
  });
});
