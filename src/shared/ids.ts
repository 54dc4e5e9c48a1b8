import { InvalidInput } from './errors.js';

/**
 * Humanitec's id rule for orgs, apps, envs, env types and most other objects:
 * lowercase letters, digits and `-`, starting with a letter, not ending with `-`, at most 50 characters.
 */
export const ID_PATTERN = '^[a-z0-9](?:-?[a-z0-9]+)*$';
export const ID_MAX_LENGTH = 50;
const idRegex = new RegExp(ID_PATTERN);

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInput(`${field} must be a non-empty string`, { field });
  }
  if (value.length > ID_MAX_LENGTH) {
    throw new InvalidInput(`${field} must be at most ${ID_MAX_LENGTH} characters (got ${value.length})`, { field });
  }
  if (!idRegex.test(value) || !/^[a-z]/.test(value)) {
    throw new InvalidInput(
      `${field} "${value}" is not a valid id: use lowercase letters, digits and "-", starting with a letter`,
      { field },
    );
  }
  return value;
}
