/**
 * Domain errors. Services throw these and never speak HTTP; the API's error middleware
 * maps each kind to a status and the guide's envelope. A rule of the business that
 * refuses what was asked in the order's current state (cancel a shipped order, review a
 * reviewed return) is a BusinessRuleError, 400 as the guide says; a request that is
 * well-formed but cannot be applied as asked (a status the lifecycle does not allow next,
 * a refund above what was paid, an idempotency key reused for another request) is an
 * UnprocessableError, 422.
 */
export interface FieldError {
  field: string;
  message: string;
}

export type ErrorKind =
  | 'validation'
  | 'business_rule'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'gone'
  | 'upstream_unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

const field = (f: string | undefined, message: string): FieldError[] => (f ? [{ field: f, message }] : []);

export class ValidationError extends DomainError {
  constructor(errors: FieldError[], message = 'Validation failed') {
    super('validation', message, errors);
  }
}

/** A rule of the business refuses the request as asked (guide: 400, e.g. "Cannot cancel order"). */
export class BusinessRuleError extends DomainError {
  constructor(message: string, fieldName: string, detail: string) {
    super('business_rule', message, field(fieldName, detail));
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'Authentication required', fieldName = 'authorization') {
    super('unauthenticated', 'Unauthorized', field(fieldName, detail));
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string, message = 'Access denied') {
    super('forbidden', message, field('authorization', detail));
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, fieldName?: string) {
    super('not_found', `${what} not found`, field(fieldName, `${what} not found`));
  }
}

/** Someone else changed the resource first; nothing was written. */
export class ConflictError extends DomainError {
  constructor(detail: string, fieldName = 'status') {
    super('conflict', 'Conflict', field(fieldName, detail));
  }
}

export class UnprocessableError extends DomainError {
  constructor(message: string, fieldName: string, detail: string) {
    super('unprocessable', message, field(fieldName, detail));
  }
}

/** What was asked for existed once and was removed for good (an expired feed cursor). */
export class GoneError extends DomainError {
  constructor(message: string, fieldName: string, detail: string) {
    super('gone', message, field(fieldName, detail));
  }
}

/**
 * A return's decision is not in its document yet: the event announcing it outran it. Not a
 * domain error the API answers, but one a job retries later (analytics, refunds).
 */
export class ReturnNotSettledError extends Error {}

export class UpstreamUnavailableError extends DomainError {
  constructor(service: string) {
    super('upstream_unavailable', `${service} unavailable`, field('upstream', `${service} could not be reached`));
  }
}
