import { english, type Language, type Message, pm, render } from './messages.js';

/** Text for a person: a catalog `Message` (translated), or plain English (not translated). */
export type UserText = string | Message;

/** A request that can never succeed as sent: 4xx with a stable code and the field at fault. */
export class UserError extends Error {
  /** The catalog message, when the text was given as one; `message` is its English rendering. */
  readonly text: Message | null;

  constructor(
    readonly status: number,
    readonly code: string,
    message: UserText,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(typeof message === 'string' ? message : english(message));
    this.name = 'UserError';
    this.text = typeof message === 'string' ? null : message;
  }

  /** The message in a person's language (English when it was written as plain text). */
  localized(language: Language): string {
    return this.text ? render(this.text, language) : this.message;
  }
}

export class NotFoundError extends UserError {
  /** `what` is a catalog message ("Customer not found"), or an English noun (untranslated). */
  constructor(what: UserText, field?: string) {
    super(404, 'not_found', typeof what === 'string' ? `${what} not found` : what, field);
  }
}

export class ForbiddenError extends UserError {
  constructor(message: UserText = pm('forbidden')) {
    super(403, 'forbidden', message);
  }
}

export class UnauthorizedError extends UserError {
  constructor(message: UserText = pm('unauthorized')) {
    super(401, 'unauthorized', message);
  }
}

export class ConflictError extends UserError {
  constructor(code: string, message: UserText, field?: string) {
    super(409, code, message, field);
  }
}

export class TooManyRequestsError extends UserError {
  constructor(
    message: UserText,
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
