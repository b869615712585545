import { z } from 'zod';
import { config } from '../../config';
import { errorEnvelope } from './responses';
import { operations, type Access, type Operation } from './operations';

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'Validation failed or a business rule refused the request; `errors[]` names each field',
  401: 'Missing or invalid credentials',
  403: 'Not allowed for this role, or not your order',
  404: 'Not found',
  409: 'Changed by another request at the same time; nothing was written',
  413: 'Body larger than the configured limit',
  422: 'The request is well-formed but cannot be applied (illegal status change, refund above the refundable value, idempotency key reused)',
  429: 'Rate limit exceeded',
  500: 'Unexpected error; no internals are returned',
  502: 'The Auth Service could not be reached',
  503: 'A dependency is down',
};

const SECURITY: Record<Access, Json[]> = {
  public: [],
  user: [{ bearerAuth: [] }],
  owner: [{ bearerAuth: [] }],
  admin: [{ bearerAuth: [] }],
  service: [{ serviceKey: [] }],
};

const AUTH_ERRORS: Record<Access, number[]> = {
  public: [],
  user: [401],
  owner: [401, 403],
  admin: [401, 403],
  service: [401],
};

/** JSON Schema of what a client sends (input side of transforms and defaults). */
function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const schema = z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  delete schema.$schema; // the document's dialect applies; a per-schema $schema is noise
  return schema;
}

function parametersOf(op: Operation): Json[] {
  const out: Json[] = [];
  for (const [where, s] of [['path', op.params], ['query', op.query]] as const) {
    if (!s) continue;
    const js = schemaOf(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema });
    }
  }
  if (op.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Replays the first response to the same user for 24 h; the same key with a different body answers 422',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,128}$' },
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
  const errors = [...new Set([...AUTH_ERRORS[op.access], ...op.errors, ...(op.access === 'public' ? [] : [429]), 500])].sort();
  const responses: Json = {
    [String(op.success.status)]: {
      description: op.success.description,
      content: { 'application/json': { schema: envelope(schemaOf(op.success.data, 'output')) } },
    },
  };
  for (const status of errors) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    };
  }
  const operationId = `${op.method}${op.path.replace(/\/:?([a-zA-Z])/g, (_m, c: string) => c.toUpperCase()).replace(/[^a-zA-Z]/g, '')}`;
  return {
    operationId,
    summary: op.summary,
    tags: [op.tag],
    security: SECURITY[op.access],
    parameters: parametersOf(op),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
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
        'Beside this API the service serves Prometheus metrics at `/metrics` (optionally behind a bearer token) and the operators\' job board at `/admin/queues` (basic auth).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 'Health', description: 'Liveness and readiness' },
      { name: 'Orders', description: 'Customers: place, read, cancel and follow orders' },
      { name: 'Returns', description: 'Return requests and their review' },
      { name: 'Order desk', description: 'Administrators: find, edit, move and delete orders' },
      { name: 'Internal', description: 'Other services of the platform, with the service API key' },
      { name: 'Operations', description: 'Operators: dead letters and metrics' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 access token from the Auth Service; `role` Customer or Administrator' },
        serviceKey: { type: 'apiKey', in: 'header', name: 'x-service-api-key', description: 'Shared key of the platform services' },
      },
      schemas: { ErrorEnvelope: schemaOf(errorEnvelope, 'output') },
    },
  };
}
