/** A request that can never succeed as sent: 4xx with a stable code and the field at fault. */
export class UserError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class NotFoundError extends UserError {
  constructor(what: string, field?: string) {
    super(404, 'not_found', `${what} not found`, field);
  }
}

export class ForbiddenError extends UserError {
  constructor(message = 'Your role does not allow this action') {
    super(403, 'forbidden', message);
  }
}

export class UnauthorizedError extends UserError {
  constructor(message = 'Sign in or send an API key (Authorization: Bearer kith_…)') {
    super(401, 'unauthorized', message);
  }
}

export class ConflictError extends UserError {
  constructor(code: string, message: string, field?: string) {
    super(409, code, message, field);
  }
}

export class TooManyRequestsError extends UserError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'rate_limited', message);
  }
}

/** A fault worth retrying (a dependency down, a lock timeout): 503, logged. */
export class OperationalError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'OperationalError';
  }
}
