/**
 * The operator's allow-list of DNS name suffixes for the templates' `getHostByName` (`BATON_TEMPLATE_HOST_LOOKUP_ALLOW`,
 * enforced in src/templates/host-lookup.ts). Pure parsing, kept apart from the template engine so the configuration
 * can validate the setting without loading it.
 */

const LABEL = '[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?';
const SUFFIX = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
/** Enough for any real allow-list; bounds the work of every lookup check. */
export const MAX_ALLOWED_SUFFIXES = 100;

/**
 * A comma-separated allow-list as the operator writes it (`svc.cluster.local, .example.com`): entries are trimmed,
 * lower-cased and lose a leading or trailing dot. Throws an Error naming the first bad entry.
 */
export function parseHostSuffixes(text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > MAX_ALLOWED_SUFFIXES) throw new Error(`at most ${MAX_ALLOWED_SUFFIXES} name suffixes (got ${entries.length})`);
  const suffixes: string[] = [];
  for (const entry of entries) {
    const suffix = entry.toLowerCase().replace(/^\./, '').replace(/\.$/, '');
    if (suffix.length === 0 || suffix.length > 253 || !SUFFIX.test(suffix)) throw new Error(`"${entry}" is not a DNS name suffix`);
    if (!suffixes.includes(suffix)) suffixes.push(suffix);
  }
  return suffixes;
}
