import { BatonError, DriverFailed } from '../../shared/errors.js';

/** Network-level errors worth retrying: the server may come back. */
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  '57P03', // postgres: cannot_connect_now (starting up)
  '53300', // postgres: too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Replaces every occurrence of each secret with `***`, so an echoed password never reaches a log. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * Turns whatever a client library threw into a DriverFailed that says what the driver was doing,
 * keeps the server's own message (minus any secret) and marks connection trouble as retryable.
 * Domain errors (bad input, cancellation) pass through untouched.
 */
export function driverFailure(
  doing: string,
  error: unknown,
  secrets: readonly (string | undefined)[] = [],
): BatonError {
  if (error instanceof BatonError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  const message = redact(`${doing}: ${raw}${code && !raw.includes(code) ? ` (${code})` : ''}`, secrets);
  return new DriverFailed(message, code ? { code } : {}, {
    retryable: code !== undefined && RETRYABLE_CODES.has(code),
  });
}
