/**
 * The CLI's own configuration: named contexts (URL, token, org, app, env) in `~/.config/baton/config.yaml`
 * (or the file named by `BATON_CONFIG`). Flags beat environment variables, which beat the current context.
 * The file holds a token, so it is written with mode 0600 (atomically: a fresh 0600 file renamed into place) and
 * its folder, when created here, with 0700.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput } from '../shared/errors.js';
import { writePrivateFile } from '../shared/private-fs.js';
import { yaml } from './lazy.js';

export const CONTEXT_KEYS = ['url', 'token', 'org', 'app', 'env'] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];
export type Context = Partial<Record<ContextKey, string>>;

export interface CliConfig {
  currentContext: string;
  contexts: Record<string, Context>;
}

export const DEFAULT_CONTEXT = 'default';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BATON_CONFIG) return env.BATON_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'baton', 'config.yaml');
}

export function isContextKey(key: string): key is ContextKey {
  return (CONTEXT_KEYS as readonly string[]).includes(key);
}

/** Validates a parsed config document; unknown keys inside a context are refused so typos surface. */
export function parseConfig(text: string, source = 'config'): CliConfig {
  const raw: unknown = text.trim() === '' ? {} : yaml().parse(text);
  if (raw === null || raw === undefined) return { currentContext: DEFAULT_CONTEXT, contexts: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidInput(`${source}: expected a mapping`);
  const doc = raw as Record<string, unknown>;
  const current = doc['current-context'] ?? DEFAULT_CONTEXT;
  if (typeof current !== 'string') throw new InvalidInput(`${source}: current-context must be a string`);
  const contexts: Record<string, Context> = {};
  const rawContexts = doc.contexts ?? {};
  if (typeof rawContexts !== 'object' || rawContexts === null || Array.isArray(rawContexts)) {
    throw new InvalidInput(`${source}: contexts must be a mapping of name to context`);
  }
  for (const [name, value] of Object.entries(rawContexts as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidInput(`${source}: context "${name}" must be a mapping`);
    }
    const context: Context = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (!isContextKey(key)) throw new InvalidInput(`${source}: context "${name}" has unknown key "${key}" (known: ${CONTEXT_KEYS.join(', ')})`);
      if (typeof field !== 'string') throw new InvalidInput(`${source}: context "${name}".${key} must be a string`);
      context[key] = field;
    }
    contexts[name] = context;
  }
  return { currentContext: current, contexts };
}

export function serializeConfig(config: CliConfig): string {
  return yaml().stringify({ 'current-context': config.currentContext, contexts: config.contexts });
}

export function loadConfig(path = configPath()): CliConfig {
  if (!existsSync(path)) return { currentContext: DEFAULT_CONTEXT, contexts: {} };
  return parseConfig(readFileSync(path, 'utf8'), path);
}

export function saveConfig(config: CliConfig, path = configPath()): void {
  writePrivateFile(path, serializeConfig(config));
}

/** Returns a copy with `key` set (or removed when `value` is undefined) in `contextName` (default: current). */
export function setContextValue(config: CliConfig, key: ContextKey, value: string | undefined, contextName?: string): CliConfig {
  const name = contextName ?? config.currentContext;
  const context: Context = { ...(config.contexts[name] ?? {}) };
  if (value === undefined) delete context[key];
  else context[key] = value;
  return { ...config, contexts: { ...config.contexts, [name]: context } };
}

export function currentContext(config: CliConfig): Context {
  return config.contexts[config.currentContext] ?? {};
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * The effective connection settings: flag > BATON_* > HUMANITEC_* > context. Only the url has a default;
 * missing org/app/env are reported by the command that needs them. An empty flag value means "none" (so
 * `--env ""` reaches app scope even when the context names an env); an empty variable is skipped.
 */
export function resolveContext(flags: Context, env: NodeJS.ProcessEnv, config: CliConfig): Context & { url: string } {
  const pick = (key: ContextKey): string | undefined => {
    // An empty flag (`--env ""`) unsets the key for this command: app-scoped values, no env from the context.
    if (flags[key] === '' && key !== 'url') return undefined;
    const upper = key.toUpperCase();
    const candidates = [flags[key], env[`BATON_${upper}`], key === 'url' ? undefined : env[`HUMANITEC_${upper}`], currentContext(config)[key]];
    return candidates.find((value) => value !== undefined && value !== '');
  };
  const resolved: Context & { url: string } = { url: pick('url') ?? DEFAULT_URL };
  for (const key of CONTEXT_KEYS) {
    if (key === 'url') continue;
    const value = pick(key);
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}
