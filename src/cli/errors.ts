/**
 * The one place where errors become exit codes:
 * 0 ok, 1 failed operation, 2 usage (bad flags/arguments/config), 3 auth (also: too many failed attempts), 4 not found,
 * 5 conflict; 130 when a second Ctrl-C ends a command at once (the shell's code for SIGINT; one Ctrl-C ends a
 * `get -w` normally, exit 0).
 */
import { BatonError, Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthenticated } from '../shared/errors.js';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  conflict: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong invocation detected by a command itself (commander's own usage errors are mapped too). */
export class UsageError extends BatonError {
  readonly code = 'USAGE';
}

/** An operation the server refused or that could not succeed (exit 1), e.g. a plan showing the deployment would fail. */
export class OperationFailed extends BatonError {
  readonly code = 'FAILED';
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof InvalidInput) return EXIT.usage;
  if (error instanceof Unauthenticated || error instanceof Forbidden || error instanceof TooManyAttempts) return EXIT.auth;
  if (error instanceof NotFound) return EXIT.notFound;
  if (error instanceof Conflict) return EXIT.conflict;
  if (isCommanderError(error)) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return EXIT.failed;
}

/** commander's CommanderError, recognised by shape so this module does not depend on commander. */
export function isCommanderError(error: unknown): error is Error & { code: string; exitCode: number } {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as unknown as { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}

/** One line for the terminal: the message, plus which field when the error names one. No stack traces. */
export function describeError(error: unknown): string {
  if (error instanceof BatonError) return `error: ${error.message}`;
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
