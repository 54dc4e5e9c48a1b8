/**
 * What every client command shares: the connection flags (--url --token --org --app --env --context), reading
 * them with environment and config-file fallbacks, `-o` output, and the "Example:" help footer.
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { ApiClient } from '../client.js';
import { loadConfig, resolveContext } from '../config-file.js';
import type { Context } from '../config-file.js';
import { EXIT, UsageError } from '../errors.js';
import { chooseFormat } from '../render/format.js';
import type { RefScope } from '../refs.js';

export interface Connection {
  client: ApiClient;
  context: Context & { url: string };
  org(): string;
  app(): string;
  env(): string;
}

/** Process-level I/O, in one place so commands never reach for `process` directly in their logic. */
export const io = {
  out: (text: string) => void process.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n'),
  err: (text: string) => void process.stderr.write(text.endsWith('\n') || text === '' ? text : text + '\n'),
  stdoutIsTty: () => process.stdout.isTTY === true,
  stdinIsTty: () => process.stdin.isTTY === true,
};

/**
 * Runs `task` with a signal that Ctrl-C aborts (the watch then ends normally, exit 0); a second Ctrl-C while a
 * request hangs ends the process at once (exit 130, as a shell reports SIGINT).
 */
export async function withInterrupt<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await task(controller.signal);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

export function withConnection<C extends CommandUnknownOpts>(cmd: C): C {
  cmd.addOption(new Option('--url <url>', 'Baton API URL (env BATON_URL)'));
  cmd.addOption(new Option('--token <token>', 'API token (env BATON_TOKEN, HUMANITEC_TOKEN)'));
  cmd.addOption(new Option('--org <org>', 'organization id (env BATON_ORG, HUMANITEC_ORG)'));
  cmd.addOption(new Option('--app <app>', 'application id (env BATON_APP, HUMANITEC_APP)'));
  cmd.addOption(new Option('--env <env>', 'environment id (env BATON_ENV, HUMANITEC_ENV; "" for none)'));
  cmd.addOption(new Option('-v, --verbose', 'print each API request (method, URL, status, time) to stderr'));
  return cmd;
}

export function withOutput<C extends CommandUnknownOpts>(cmd: C, formats: readonly string[] = ['table', 'json', 'yaml']): C {
  cmd.addOption(new Option('-o, --output <format>', `output format: ${formats.join('|')} (default: ${formats[0]} on a terminal, json when piped)`));
  return cmd;
}

export function example<C extends CommandUnknownOpts>(cmd: C, ...lines: string[]): C {
  cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  return cmd;
}

/** The command object commander passes as the last action argument. */
export function commandOf(args: readonly unknown[]): CommandUnknownOpts {
  return args[args.length - 1] as CommandUnknownOpts;
}

export function opt(cmd: CommandUnknownOpts, name: string): string | undefined {
  const value = (cmd.opts() as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(cmd: CommandUnknownOpts, name: string): boolean {
  return (cmd.opts() as Record<string, unknown>)[name] === true;
}

export function list(cmd: CommandUnknownOpts, name: string): string[] {
  const value = (cmd.opts() as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function outputFormat(cmd: CommandUnknownOpts, formats: readonly string[] = ['table', 'json', 'yaml']): string {
  return chooseFormat(opt(cmd, 'output'), io.stdoutIsTty(), formats);
}

export function connect(cmd: CommandUnknownOpts): Connection {
  const flags: Context = {};
  for (const key of ['url', 'token', 'org', 'app', 'env'] as const) {
    const value = opt(cmd, key);
    if (value !== undefined) flags[key] = value;
  }
  const context = resolveContext(flags, process.env, loadConfig());
  const need = (key: 'org' | 'app' | 'env') => (): string => {
    const value = context[key];
    if (value === undefined) {
      throw new UsageError(`no ${key} given: pass --${key}, set BATON_${key.toUpperCase()}, or run \`baton config set ${key} <id>\``);
    }
    return value;
  };
  const trace = flag(cmd, 'verbose') ? (line: string) => io.err(`> ${line}`) : undefined;
  return { client: new ApiClient({ url: context.url, token: context.token, ...(trace ? { trace } : {}) }), context, org: need('org'), app: need('app'), env: need('env') };
}

/** A value from a JSON response as text: scalars as themselves, objects as JSON, nothing as "". */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

/** Where `.`/`+N`/prefix references of this connection are resolved (src/cli/refs.ts). */
export function refScope(c: Connection): RefScope {
  return { client: c.client, org: c.org(), app: c.app(), env: () => c.env() };
}
