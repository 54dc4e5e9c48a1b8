/**
 * Masking secrets out of deployment logs and error messages: collect the secret strings a deployment (or a
 * deprovisioning) has seen, then replace each occurrence with `***`. One implementation for the pipeline, its log
 * and the environment lifecycle.
 */

/** Adds every string of at least 4 characters inside `value` (shorter ones would mask ordinary text). */
export function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.length >= 4) into.add(value);
  } else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => collectStrings(v, into));
}

/** `message` with every secret replaced by `***`, longest first (a secret containing another is masked whole). */
export function maskSecrets(message: string, secrets: ReadonlySet<string>): string {
  let out = message;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
