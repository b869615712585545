import type { Response } from 'express';
import type { FieldError } from '../shared/errors';

/** The guide's response envelope (section 5.1). */
export function ok(res: Response, message: string, data: unknown, status = 200): Response {
  return res.status(status).json({ success: true, message, data });
}

export function fail(res: Response, status: number, message: string, errors: FieldError[] = []): Response {
  return res.status(status).json({ success: false, message, errors });
}
