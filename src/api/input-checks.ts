import type { z } from 'zod';
import type { FieldError } from '../shared/errors';
import { unstorable } from './text-safety';

/** Turns zod issues into the envelope's `errors[]`, one entry per offending field. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).filter((p) => p !== '');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: [...base, key].join('.'), message: 'Unknown field' });
    } else {
      out.push({ field: base.join('.') || 'body', message: issue.message });
    }
  }
  return out;
}

/**
 * What no schema should have to think about: keys that could be read as MongoDB operators
 * or paths (`$where`, `a.b`), and strings the database cannot store (NUL, unpaired UTF-16
 * surrogates: PostgreSQL under FerretDB refuses them, MongoDB mangles them). One visit per
 * value, one shared path (joined only for a finding), so the cost is linear in the input;
 * bodies reach here at most MAX_JSON_DEPTH deep (json-body.ts).
 */
export function unsafeInput(value: unknown): FieldError[] {
  const found: FieldError[] = [];
  const path: string[] = [];
  const visit = (v: unknown): void => {
    if (found.length >= 10) return;
    if (typeof v === 'string') {
      if (unstorable(v))
        found.push({ field: path.join('.') || 'value', message: 'Must not contain NUL or invalid Unicode characters' });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(String(i));
        visit(v[i]);
        path.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        path.push(k);
        if (k.startsWith('$') || k.includes('.') || k === '__proto__')
          found.push({ field: path.join('.'), message: 'Field names may not start with $ or contain dots' });
        else visit(child);
        path.pop();
      }
    }
  };
  visit(value);
  return found;
}
