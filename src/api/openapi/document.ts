import { z } from 'zod';
import { config } from '../../config';
import { DEEP_PAGE_MESSAGE } from '../schemas/common';
import { errorEnvelope } from './responses';
import { operations, type Access, type Operation } from './operations';

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'Validation failed or a business rule refused the request; `errors[]` names each field',
  401: 'Missing or invalid credentials',
  403: 'Not allowed for this role, or not your order',
  404: 'Not found',
  409: 'Changed by another request at the same time; nothing was written',
  410: 'Gone: removed by retention',
  413: 'Body larger than the configured limit',
  415: 'The body is not `application/json` in UTF-8 (text, XML, a form or multipart); judged before the credentials',
  422: 'The request is well-formed but cannot be applied (illegal status change, refund above the refundable value, idempotency key reused)',
  429: 'Rate limit exceeded (requests per client address, or wrong credentials); see Retry-After',
  500: 'Unexpected error; no internals are returned',
  502: 'The Auth Service could not be reached',
  503: 'A dependency (MongoDB or Redis, named in `errors[]`) is down; see Retry-After',
};

const SECURITY: Record<Access, Json[]> = {
  public: [],
  user: [{ bearerAuth: [] }],
  owner: [{ bearerAuth: [] }],
  admin: [{ bearerAuth: [] }],
  service: [{ serviceKey: [] }],
  // Alternatives: either one will do.
  'admin-or-service': [{ bearerAuth: [] }, { serviceKey: [] }],
};

const AUTH_ERRORS: Record<Access, number[]> = {
  public: [],
  user: [401],
  owner: [401, 403],
  admin: [401, 403],
  service: [401],
  'admin-or-service': [401, 403],
};

const INT32 = 2 ** 31;

/** Integers say how wide they are; one read from a query string keeps no string pattern. */
function describeIntegers(node: unknown): void {
  if (Array.isArray(node)) node.forEach(describeIntegers);
  if (node === null || typeof node !== 'object') return;
  const schema = node as Json;
  if (schema.type === 'integer') {
    delete schema.pattern;
    const fits = Number(schema.minimum ?? -Infinity) >= -INT32 && Number(schema.maximum ?? Infinity) < INT32;
    schema.format ??= fits ? 'int32' : 'int64';
  }
  Object.values(schema).forEach(describeIntegers);
}

/**
 * A tuple of one repeated item, stated as an array of that item of a fixed size (an
 * `items: false` is read as "no items" by some tools).
 */
function describeImplied(node: unknown): void {
  if (Array.isArray(node)) node.forEach(describeImplied);
  if (node === null || typeof node !== 'object') return;
  const schema = node as Json;
  const prefix = schema.prefixItems;
  if (
    schema.type === 'array' &&
    schema.items === false &&
    Array.isArray(prefix) &&
    prefix.length &&
    prefix.every((p) => JSON.stringify(p) === JSON.stringify(prefix[0]))
  ) {
    delete schema.prefixItems;
    Object.assign(schema, { items: prefix[0], minItems: prefix.length, maxItems: prefix.length });
  }
  Object.values(schema).forEach(describeImplied);
}

/** JSON Schema of what a client sends (`input`: before transforms and defaults) or gets. */
function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const schema = z.toJSONSchema(s, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    // zod leaves out the default of a value read through a transform (query integers); state it.
    override: (ctx) => {
      if (ctx.zodSchema instanceof z.ZodDefault) ctx.jsonSchema.default ??= ctx.zodSchema.def.defaultValue;
    },
  }) as Json;
  delete schema.$schema; // the document's dialect applies; a per-schema $schema is noise
  describeIntegers(schema);
  describeImplied(schema);
  return schema;
}

/**
 * What stands in front of an operation (src/api/app.ts): every /api route is rate-limited
 * (the public limit, or for internal routes the limit on wrong service keys); dead letters
 * live in Redis, every other /api route needs MongoDB (those that queue jobs, Redis too:
 * either answers 503 while down).
 */
function guardsOf(op: Operation): { limit: 'public' | 'wrong-keys' | null; needs: 'mongodb' | 'redis' | null } {
  if (!op.path.startsWith('/api/')) return { limit: null, needs: null };
  return {
    limit: op.access === 'service' ? 'wrong-keys' : 'public',
    needs: op.path.startsWith('/api/orders/dead-letters') ? 'redis' : 'mongodb',
  };
}

const header = (name: string): Json => ({ $ref: `#/components/headers/${name}` });
const CORS_HEADER = { 'Access-Control-Allow-Origin': header('Access-Control-Allow-Origin') };
const RATE_LIMIT_HEADERS = { RateLimit: header('RateLimit'), 'RateLimit-Policy': header('RateLimit-Policy') };

/** The response headers the service sends, declared once. */
const HEADERS: Json = {
  'Access-Control-Allow-Origin': {
    description: "The calling page's origin when it is one of CORS_ORIGINS; absent otherwise (no wildcard)",
    schema: { type: 'string', format: 'uri', maxLength: 2000 },
  },
  RateLimit: {
    description:
      'What is left of the client\'s budget in this window (IETF draft-8), e.g. `"ratelimit";r=597;t=42`. Absent while the limiter cannot count.',
    schema: { type: 'string', maxLength: 200 },
  },
  'RateLimit-Policy': {
    description: 'The limit and its window in seconds (IETF draft-8), e.g. `"ratelimit";q=600;w=60`.',
    schema: { type: 'string', maxLength: 200 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400 },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', const: 'true' },
  },
};

function headersOf(op: Operation, status: number): Json {
  const { limit } = guardsOf(op);
  const out: Json = { ...CORS_HEADER };
  // A right service key is never counted, so only refused internal calls carry the headers.
  if (limit === 'public' || (limit === 'wrong-keys' && (status === 401 || status === 429)))
    Object.assign(out, RATE_LIMIT_HEADERS);
  if (status === 429 || status === 503) out['Retry-After'] = header('Retry-After');
  if (op.idempotent && status === op.success.status) out['Idempotent-Replayed'] = header('Idempotent-Replayed');
  return out;
}

/** Every status an operation can answer besides its success. */
function errorsOf(op: Operation): number[] {
  const { limit, needs } = guardsOf(op);
  const errors = new Set([...AUTH_ERRORS[op.access], ...op.errors, 500]);
  if (op.params || op.query || op.body) errors.add(400);
  if (op.body) [413, 415].forEach((s) => errors.add(s));
  if (limit) errors.add(429);
  if (needs) errors.add(503);
  return [...errors].sort();
}

/** A list read by `page` and `limit`: its pages are bounded (schemas/common.ts, MAX_PAGE_DEPTH). */
export function isPaginated(op: Operation): boolean {
  if (!op.query) return false;
  const properties = schemaOf(op.query, 'input').properties;
  return typeof properties === 'object' && properties !== null && 'page' in properties && 'limit' in properties;
}

function parametersOf(op: Operation): Json[] {
  const out: Json[] = [];
  if (op.params) {
    const js = schemaOf(op.params, 'input') as { properties?: Record<string, Json> };
    for (const [name, schema] of Object.entries(js.properties ?? {}))
      out.push({ name, in: 'path', required: true, schema });
  }
  if (op.query) {
    // One object, exploded into `name=value` pairs as usual: only an object can say that
    // a parameter not listed is refused (its strict schema's additionalProperties: false).
    const schema = schemaOf(op.query, 'input') as { required?: string[] };
    out.push({
      name: 'query',
      in: 'query',
      style: 'form',
      explode: true,
      required: Boolean(schema.required?.length),
      description:
        'Each property is one query parameter (`?page=2&limit=20`); a parameter not listed here is refused (400)',
      schema,
    });
  }
  if (op.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Replays the first response to the same user for 24 h; the same key with a different body answers 422',
      schema: { type: 'string', minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]{8,128}$' },
    });
  }
  return out;
}

const envelope = (data: Json): Json => ({
  type: 'object',
  required: ['success', 'message', 'data'],
  properties: { success: { const: true }, message: { type: 'string' }, data },
});

function operationObject(op: Operation): Json {
  const withHeaders = (status: number, response: Json): Json => ({ ...response, headers: headersOf(op, status) });
  const responses: Json = {
    [String(op.success.status)]: withHeaders(op.success.status, {
      description: op.success.description,
      content: op.success.mediaType
        ? { [op.success.mediaType]: { schema: schemaOf(op.success.data, 'output') } }
        : { 'application/json': { schema: envelope(schemaOf(op.success.data, 'output')) } },
    }),
  };
  for (const status of errorsOf(op)) {
    responses[String(status)] = withHeaders(status, {
      description:
        op.why?.[status] ??
        (status === 400 && isPaginated(op)
          ? `${ERROR_TEXT[400]}; also a page too deep (${DEEP_PAGE_MESSAGE})`
          : ERROR_TEXT[status]) ??
        'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    });
  }
  const operationId = `${op.method}${op.path.replace(/\/:?([a-zA-Z])/g, (_m, c: string) => c.toUpperCase()).replace(/[^a-zA-Z]/g, '')}`;
  return {
    operationId,
    summary: op.summary,
    tags: [op.tag],
    security: SECURITY[op.access],
    parameters: parametersOf(op),
    ...(op.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API, generated from the same zod schemas the routes use. */
export function buildOpenApiDocument(ops: Operation[] = operations): Json {
  const paths: Record<string, Json> = {};
  for (const op of ops) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] = { ...(paths[path] ?? {}), [op.method]: operationObject(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ORMS — Order Management Service',
      version: config.API_VERSION,
      description:
        'Orders, returns and the order desk of the R-MAN e-commerce platform. Every answer uses the envelope ' +
        '`{success, message, data}`; errors `{success: false, message, errors: [{field, message}]}`. Money is in rupees with at most two decimals. ' +
        'A body is `application/json` in UTF-8 (415 otherwise, whatever its content). Refused with 400: a body field not in its schema, a query parameter ' +
        "not in the operation's `query` object, a key starting with `$` or holding a dot, a string with NUL or broken Unicode. Strings are trimmed before their length is judged. " +
        "Beside this API the service serves Prometheus metrics at `/metrics` (optionally behind a bearer token) and the operators' job board at `/admin/queues` (basic auth).",
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      {
        url: '/',
        description: 'The host serving this document: local, staging or production alike',
        'x-internal': false,
      },
    ],
    tags: [
      { name: 'Health', description: 'Liveness and readiness' },
      { name: 'Orders', description: 'Customers: place, read, cancel and follow orders' },
      { name: 'Returns', description: 'Return requests and their review' },
      { name: 'Order desk', description: 'Administrators: find, edit, move and delete orders' },
      {
        name: 'Webhooks',
        description:
          'Webhook subscriptions (administrators), their deliveries log, and the event feed (administrators or other services). ' +
          'Each delivery is a signed POST, with the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`: verify with the official `standardwebhooks` library) and `ORMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, one signature per secret, two while a rotation overlaps; retried with backoff; the feed serves every event once, in a stable order, from a cursor.',
      },
      { name: 'Internal', description: 'Other services of the platform, with the service API key' },
      { name: 'Operations', description: 'Operators: dead letters and metrics' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'HS256 access token from the Auth Service; `role` Customer or Administrator. Validated as RFC8725 recommends: one algorithm (HS256, never `none`), `exp` required, and `iss`, `aud` and lifetime when configured.',
        },
        serviceKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-service-api-key',
          description: 'Shared key of the platform services',
        },
      },
      schemas: { ErrorEnvelope: schemaOf(errorEnvelope, 'output') },
      headers: HEADERS,
    },
  };
}
