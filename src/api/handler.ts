import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { ValidationError, type FieldError } from '../shared/errors';
import { toFieldErrors, unsafeInput } from './input-checks';

type Part = 'params' | 'query' | 'body';
type Schemas = Partial<Record<Part, z.ZodType>>;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A request's validated input, typed by the schemas that validated it. */
export interface Input<S extends Schemas> {
  params: Parsed<S['params']>;
  query: Parsed<S['query']>;
  body: Parsed<S['body']>;
}

/**
 * A route's handler with validated, typed input (in the spirit of Outline's APIContext):
 * each part given a schema is checked for unsafe input, then parsed; every offending field
 * of every part is reported at once as 400. The handler gets what the schemas produced,
 * so no route casts what it reads. A missing body is an empty object to its schema.
 */
export function handle<S extends Schemas>(
  schemas: S,
  fn: (input: Input<S>, req: Request, res: Response) => Promise<void> | void,
): RequestHandler {
  return async (req, res) => {
    const errors: FieldError[] = [];
    const parsed: Partial<Record<Part, unknown>> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const raw: unknown = part === 'body' && req.body === undefined ? {} : req[part];
      const bad = unsafeInput(raw);
      if (bad.length) {
        errors.push(...bad);
        continue;
      }
      const result = schema.safeParse(raw);
      if (result.success) parsed[part] = result.data;
      else errors.push(...toFieldErrors(result.error));
    }
    if (errors.length) throw new ValidationError(errors);
    await fn(parsed as Input<S>, req, res);
  };
}
