import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { InvalidInput } from '../../shared/errors.js';

/**
 * Validates driver inputs at the edge: applies schema defaults, converts obvious scalar forms
 * (a port given as `"5432"` after placeholder resolution) and reports every problem at once.
 * The caller's object is never mutated.
 */
export function parseInputs<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  const prepared = Value.Convert(schema, Value.Default(schema, Value.Clone(value ?? {})));
  if (Value.Check(schema, prepared)) return prepared;
  const issues = Value.Errors(schema, prepared).map((error) => ({
    path: error.instancePath || '/',
    message: error.message,
  }));
  const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  throw new InvalidInput(`invalid ${what}: ${summary}`, { issues });
}
