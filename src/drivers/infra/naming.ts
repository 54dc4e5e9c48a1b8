import { createHash } from 'node:crypto';
import { InvalidInput } from '../../shared/errors.js';

export interface NameRule {
  /** Fixed lead-in, e.g. `baton`; must itself satisfy the rule (lowercase letter first, `[a-z0-9]`). */
  prefix: string;
  /** Joins prefix, readable part and hash, e.g. `_` for SQL identifiers or `-` for ACL users. */
  separator: '_' | '-' | '';
  /** Limit in bytes (all characters are ASCII, so bytes = characters). */
  maxLength: number;
}

const HASH_LENGTH = 12;

/**
 * Derives a server-side name (database, role, user, vhost, key prefix) from a GUResID.
 *
 * The result is deterministic, uses only `[a-z0-9]` plus the separator, starts with the prefix and
 * fits `maxLength`. A well-formed GUResID (lowercase hex) that fits is used verbatim, which keeps
 * names readable when debugging. Anything else (too long, other characters, a hostile id) keeps a
 * sanitised readable head and gets a hash of the full id appended, so two different ids never
 * collapse onto one name just because sanitising or truncating made them equal.
 */
export function deriveName(guresid: string, rule: NameRule): string {
  if (typeof guresid !== 'string' || guresid.length === 0) {
    throw new InvalidInput('a GUResID is required to derive resource names', { field: 'guresid' });
  }
  const lead = rule.prefix + rule.separator;
  if (lead.length + HASH_LENGTH + 1 > rule.maxLength) {
    throw new Error(`name rule with prefix "${rule.prefix}" cannot fit in ${rule.maxLength} characters`);
  }
  const sanitised = guresid.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (sanitised === guresid && lead.length + sanitised.length <= rule.maxLength) {
    return lead + sanitised;
  }
  const hash = createHash('sha256').update(guresid, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const room = rule.maxLength - lead.length - HASH_LENGTH - rule.separator.length;
  const head = sanitised.slice(0, room);
  return head.length > 0 ? lead + head + rule.separator + hash : lead + hash;
}
