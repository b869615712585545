import request from 'supertest';
import { buildOpenApiDocument, isPaginated } from '../src/api/openapi/document';
import { operations, type Operation } from '../src/api/openapi/operations';
import { MAX_PAGE_DEPTH } from '../src/api/schemas/common';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp();

/** Every list read by page and limit, as the OpenAPI operations declare them. */
const PAGINATED = operations.filter(isPaginated);

/** Path parameters well-formed for their patterns (what they name need not exist: validation comes first). */
const SAMPLE_PARAMS: Record<string, string> = { webhookId: `wh_${'0'.repeat(24)}`, customerId: 'c-deep-pages' };
/** Query parameters an operation requires besides its page. */
const REQUIRED_QUERY: Record<string, string> = { '/api/orders/search': 'q=alice' };

function callOf(op: Operation, page: number, limit: number) {
  const path = op.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = SAMPLE_PARAMS[name];
    if (!value) throw new Error(`no sample for path parameter ${name} of ${op.path}: add one`);
    return value;
  });
  const query = [REQUIRED_QUERY[op.path], `page=${page}`, `limit=${limit}`].filter(Boolean).join('&');
  const headers: Record<string, string> =
    op.access === 'service'
      ? { 'x-service-api-key': process.env.SERVICE_API_KEY ?? '' }
      : as(op.access === 'user' || op.access === 'owner' ? 'alice' : 'admin');
  return request(t.app).get(`${path}?${query}`).set(headers);
}

describe('deep pages are bounded', () => {
  it('finds the paginated lists in the OpenAPI operations, the attention list among them', () => {
    const paths = PAGINATED.map((op) => op.path);

    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/orders/me',
        '/api/orders',
        '/api/orders/search',
        '/api/orders/attention',
        '/api/orders/returns',
        '/api/orders/dead-letters',
      ]),
    );
  });

  it.each(PAGINATED.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
    '%s refuses page × limit over 10,000 with 400 in the envelope, naming page',
    async (_name, op) => {
      const res = await callOf(op, MAX_PAGE_DEPTH / 10 + 1, 10);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        success: false,
        errors: [{ field: 'page', message: expect.stringContaining('page × limit must be at most 10,000') }],
      });
    },
  );

  it.each(PAGINATED.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
    '%s still serves the deepest page allowed (page × limit = 10,000)',
    async (_name, op) => {
      const res = await callOf(op, MAX_PAGE_DEPTH / 10, 10);

      // A made-up webhook id is 404: what matters is that the page passed validation.
      expect([200, 404]).toContain(res.status);
    },
  );

  it('the OpenAPI document says so: the page parameter and the 400 of every paginated list', () => {
    const doc = buildOpenApiDocument() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters: { in: string; schema: { properties: { page: { description?: string } } } }[];
            responses: Record<string, { description: string }>;
          }
        >
      >;
    };

    for (const op of PAGINATED) {
      const described = doc.paths[op.path.replace(/:([A-Za-z]+)/g, '{$1}')][op.method];
      const query = described.parameters.find((p) => p.in === 'query');
      expect({ op: op.path, page: query?.schema.properties.page.description }).toEqual({
        op: op.path,
        page: expect.stringContaining('page × limit must be at most 10,000'),
      });
      expect({ op: op.path, bad: described.responses['400'].description }).toEqual({
        op: op.path,
        bad: expect.stringContaining('page × limit must be at most 10,000'),
      });
    }
  });
});
