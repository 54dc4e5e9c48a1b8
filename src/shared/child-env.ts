/**
 * The process environment for a child process Baton runs (terraform, git) without Baton's own settings: those hold
 * the secret key and the database URL, which a driver script must never be able to read.
 */
export function childProcessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BATON_')) env[key] = value;
  return { ...env, ...extra };
}
