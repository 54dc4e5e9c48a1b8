/**
 * Masking secrets out of deployment logs and error messages: collect the secret strings a deployment (or a
 * deprovisioning) has seen, then replace each exact occurrence with `***`. One implementation for the pipeline, its
 * log and the environment lifecycle.
 *
 * Masking is by exact occurrence of a secret's value, and only of values that cannot be ordinary words: a secret
 * shorter than MIN_MASKED_LENGTH characters, or one of COMMON_VALUES (Redis's user `default`, PostgreSQL's user
 * `postgres`, …), is not masked — masking it would turn every "default" in a log into `***` and hide what the log
 * says, while such a value protects nothing by being hidden.
 */

/** Secrets shorter than this are not masked. */
export const MIN_MASKED_LENGTH = 8;

/** Values too common to be worth masking (compared case-insensitively), whatever their length. */
export const COMMON_VALUES: ReadonlySet<string> = new Set([
  'default', 'admin', 'administrator', 'root', 'postgres', 'postgresql', 'mysql', 'mariadb', 'redis', 'rabbitmq', 'guest',
  'user', 'username', 'password', 'secret', 'changeme', 'true', 'false', 'null', 'none', 'localhost', '127.0.0.1',
  'development', 'production', 'staging', 'default-user',
]);

/** Whether `value` is masked where it occurs: long enough and not a common value. */
export function isMaskable(value: string): boolean {
  return value.length >= MIN_MASKED_LENGTH && !COMMON_VALUES.has(value.toLowerCase());
}

/** Adds every maskable string inside `value` (see `isMaskable`). */
export function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (isMaskable(value)) into.add(value);
  } else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => collectStrings(v, into));
}

/** `message` with every maskable secret replaced by `***`, longest first (a secret containing another is masked whole). */
export function maskSecrets(message: string, secrets: ReadonlySet<string>): string {
  let out = message;
  for (const secret of [...secrets].filter(isMaskable).sort((a, b) => b.length - a.length)) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
