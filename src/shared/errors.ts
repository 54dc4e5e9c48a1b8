/**
 * Domain errors. They say what went wrong in the domain's words and carry no transport detail:
 * the API maps them to HTTP statuses (src/api/errors.ts) and the CLI to exit codes (src/cli/errors.ts),
 * each in exactly one place.
 */

export type ErrorDetails = Record<string, unknown>;

export abstract class BatonError extends Error {
  /** Stable, machine-readable code, e.g. `API-001`-style or a short upper-case word. */
  abstract readonly code: string;
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Input that breaks a rule: bad shape, bad id, failed schema. `details.issues` may list every problem. */
export class InvalidInput extends BatonError {
  readonly code = 'INVALID_INPUT';
}

/** A referenced object does not exist. `details.kind` and `details.id` name it. */
export class NotFound extends BatonError {
  readonly code = 'NOT_FOUND';
  constructor(kind: string, id: string, message?: string, details: ErrorDetails = {}) {
    super(message ?? `${kind} "${id}" not found`, { kind, id, ...details });
  }
}

/** The request contradicts stored state: a duplicate id, an object still in use, a stale plan. */
export class Conflict extends BatonError {
  readonly code = 'CONFLICT';
}

/** A Humanitec API operation Baton deliberately does not serve (docs/compatibility.md says why). */
export class NotImplemented extends BatonError {
  readonly code = 'NOT_IMPLEMENTED';
}

export class Unauthenticated extends BatonError {
  readonly code = 'UNAUTHENTICATED';
}

export class Forbidden extends BatonError {
  readonly code = 'FORBIDDEN';
}

/**
 * Too many failed attempts (authentication) from one source; `retryAfterSeconds` says when trying again may
 * succeed (HTTP: 429 with `Retry-After`).
 */
export class TooManyAttempts extends BatonError {
  readonly code = 'TOO_MANY_ATTEMPTS';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, details: ErrorDetails = {}) {
    super(message, { retry_after_seconds: retryAfterSeconds, ...details });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A driver could not provision or deprovision. `retryable` says whether trying again may help. */
export class DriverFailed extends BatonError {
  readonly code = 'DRIVER_FAILED';
  readonly retryable: boolean;
  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, details, options);
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * A secret store could not give or take a secret: the reference is absent, the store refused the credentials, or
 * it did not answer. `details.store` and `details.ref` name the secret; the message never holds a secret value.
 */
export class SecretStoreFailed extends BatonError {
  readonly code = 'SECRET_STORE_FAILED';
}

export class Timeout extends BatonError {
  readonly code = 'TIMEOUT';
}

/**
 * The database cannot be reached or answered too late (connection refused or dropped, connect or statement
 * timeout, SQLite busy). Nothing about the request was wrong; the caller may retry once the database is back.
 */
export class StoreUnavailable extends BatonError {
  readonly code = 'STORE_UNAVAILABLE';
}

export function isBatonError(value: unknown): value is BatonError {
  return value instanceof BatonError;
}
