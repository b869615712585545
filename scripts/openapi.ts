/**
 * Writes the OpenAPI document to a file (default var/openapi.json) for linting and for
 * clients, without starting the service. Usage: tsx scripts/openapi.ts [out.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The document needs no secrets, but the config that names the API version insists on them.
process.env.JWT_SECRET ??= 'openapi-generation-only-not-a-real-secret';
process.env.SERVICE_API_KEY ??= 'openapi-generation-only';

async function main(): Promise<void> {
  const { buildOpenApiDocument } = await import('../src/api/openapi/document');
  const out = path.resolve(process.argv[2] ?? 'var/openapi.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  process.stdout.write(`openapi: wrote ${out}\n`);
}

void main();
