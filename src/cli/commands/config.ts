/**
 * `baton login [URL]` and `baton config set|get|view|use-context`: the CLI's contexts in
 * ~/.config/baton/config.yaml (BATON_CONFIG overrides the path).
 *
 * `baton login` takes an API token (flag, stdin, or a prompt that does not echo), or with `--email` a password
 * (stdin or a prompt that does not echo) that `POST /baton/login` exchanges for a token.
 */
import { hostname } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { ApiClient } from '../client.js';
import { CONTEXT_KEYS, DEFAULT_URL, configPath, currentContext, isContextKey, loadConfig, saveConfig, setContextValue } from '../config-file.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { promptHidden } from '../prompt.js';
import { yaml } from '../lazy.js';
import { commandOf, example, flag, io, opt } from './common.js';

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What `POST /baton/login` answers (RBAC contract). */
interface LoginResponse {
  token: string;
  user_id: string;
  expires_at: string;
}

/** Exchanges e-mail and password for an API token (`POST /baton/login`). */
async function loginWithPassword(url: string, email: string, password: string, expiresIn: string | undefined): Promise<LoginResponse> {
  const hours = expiresIn === undefined ? undefined : Math.max(1, Math.ceil(parseDuration(expiresIn) / 3_600_000));
  const client = new ApiClient({ url });
  const body = await client.post<LoginResponse>('/baton/login', {
    email,
    password,
    description: `baton CLI on ${hostname()}`,
    ...(hours !== undefined ? { expires_in_hours: hours } : {}),
  });
  if (typeof body?.token !== 'string' || body.token === '') throw new UsageError(`${url}/baton/login answered without a token`);
  return body;
}

/** The first line of piped input, without its line break (a password may contain spaces, so no trimming). */
function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}

function mask(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  return token.length <= 8 ? '****' : `${token.slice(0, 4)}…${token.slice(-4)}`;
}

export function registerConfigCommands(program: Command): void {
  example(
    program
      .command('login')
      .description('store a Baton URL and API token in the current context (token from --token, stdin, or a prompt that does not echo; or log in with --email and a password)')
      .argument('[url]', `Baton API URL (default: the context's, else ${DEFAULT_URL})`)
      .option('--token <token>', 'API token (else read from stdin when piped, or prompted for)')
      .option('--email <email>', 'log in as this human user: the password is read from stdin when piped, else prompted for without echo')
      .option('--expires-in <duration>', 'with --email: lifetime of the token the login issues, e.g. 12h, 30d (default: the server\'s)')
      .option('--org <org>', 'organization to use (default: the only one the token sees)')
      .option('--context <name>', 'context to write (default: the current one)'),
    'baton login http://127.0.0.1:8080 --token "$BATON_BOOTSTRAP_TOKEN"',
    'echo "$TOKEN" | baton login https://baton.example.com',
    'baton login https://baton.example.com --email me@example.com',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const config = loadConfig();
    const contextName = opt(cmd, 'context') ?? config.currentContext;
    const url = (args[0] as string | undefined) ?? config.contexts[contextName]?.url ?? process.env.BATON_URL ?? DEFAULT_URL;
    const email = opt(cmd, 'email');
    let token: string | undefined;
    if (email !== undefined) {
      if (opt(cmd, 'token') !== undefined) throw new UsageError('--token and --email exclude each other');
      const password = io.stdinIsTty() ? await promptHidden('Password: ') : firstLine(await readAllStdin());
      if (!password) throw new UsageError('no password given (pipe it on stdin or type it at the prompt)');
      token = (await loginWithPassword(url, email, password, opt(cmd, 'expiresIn'))).token;
    } else {
      if (opt(cmd, 'expiresIn') !== undefined) throw new UsageError('--expires-in needs --email (for API tokens use `baton create token --expires-in`)');
      token = opt(cmd, 'token') ?? process.env.BATON_TOKEN;
      if (token === undefined) token = io.stdinIsTty() ? await promptHidden('API token: ') : (await readAllStdin()).trim();
    }
    if (!token) throw new UsageError('no token given (use --token, pipe it on stdin, or type it at the prompt)');
    const client = new ApiClient({ url, token });
    const user = await client.get<{ id?: string; name?: string }>('/current-user');
    let org = opt(cmd, 'org');
    if (org === undefined) {
      const orgs = await client.get<{ id: string }[]>('/orgs');
      if (orgs.length === 1) org = orgs[0]!.id;
    }
    let next = setContextValue(config, 'url', url, contextName);
    next = setContextValue(next, 'token', token, contextName);
    if (org !== undefined) next = setContextValue(next, 'org', org, contextName);
    saveConfig({ ...next, currentContext: contextName });
    io.out(`logged in to ${url} as ${user.name ?? user.id ?? 'unknown user'}${org ? ` (org ${org})` : ''}; saved to ${configPath()} context "${contextName}"`);
  });

  const config = program.command('config').description('read and change the CLI configuration (contexts of url, token, org, app, env)');
  example(config, 'baton config set app my-app', 'baton config view');

  example(
    config
      .command('set')
      .description(`set a value in the current context (${CONTEXT_KEYS.join(', ')})`)
      .argument('<key>', CONTEXT_KEYS.join('|'))
      .argument('[value]', 'the value; an empty string removes it')
      .option('--delete', 'remove the key from the context (humctl habit; same as an empty value)')
      .option('--context <name>', 'context to change (default: the current one)'),
    'baton config set env development',
    'baton config set env --delete',
  ).action((...args: unknown[]) => {
    const [key, given] = args as [string, string | undefined];
    const cmd = commandOf(args);
    if (!isContextKey(key)) throw new UsageError(`unknown key "${key}" (known: ${CONTEXT_KEYS.join(', ')})`);
    const remove = flag(cmd, 'delete');
    if (remove && given !== undefined && given !== '') throw new UsageError('give either a value or --delete, not both');
    if (!remove && given === undefined) throw new UsageError(`give a value for "${key}" (or --delete to remove it)`);
    const value = remove ? '' : (given ?? '');
    const cfg = loadConfig();
    saveConfig(setContextValue(cfg, key, value === '' ? undefined : value, opt(cmd, 'context')));
    io.out(`${key} ${value === '' ? 'removed' : 'set'}`);
  });

  example(
    config.command('get').description('print one value of the current context').argument('<key>', CONTEXT_KEYS.join('|')),
    'baton config get org',
  ).action((...args: unknown[]) => {
    const key = args[0] as string;
    if (!isContextKey(key)) throw new UsageError(`unknown key "${key}" (known: ${CONTEXT_KEYS.join(', ')})`);
    const value = currentContext(loadConfig())[key];
    if (value === undefined) throw new UsageError(`${key} is not set in the current context`);
    io.out(value);
  });

  example(
    config
      .command('view')
      .description('print the configuration (tokens masked unless --show-token)')
      .option('--show-token', 'print tokens in full')
      .addOption(new Option('-o, --output <format>', 'yaml|json').choices(['yaml', 'json']).default('yaml')),
    'baton config view -o json',
  ).action((...args: unknown[]) => {
    const cmd = commandOf(args);
    const cfg = loadConfig();
    const show = (cmd.opts() as { showToken?: boolean }).showToken === true;
    const contexts = Object.fromEntries(
      Object.entries(cfg.contexts).map(([name, context]) => [name, show ? context : { ...context, ...(context.token ? { token: mask(context.token) } : {}) }]),
    );
    const doc = { path: configPath(), 'current-context': cfg.currentContext, contexts };
    io.out(opt(cmd, 'output') === 'json' ? JSON.stringify(doc, null, 2) : yaml().stringify(doc).trimEnd());
  });

  example(
    config.command('use-context').description('switch the current context (created empty if new)').argument('<name>', 'context name'),
    'baton config use-context staging',
  ).action((...args: unknown[]) => {
    const name = args[0] as string;
    const cfg = loadConfig();
    saveConfig({ ...cfg, currentContext: name, contexts: { ...cfg.contexts, [name]: cfg.contexts[name] ?? {} } });
    io.out(`current context is now "${name}"`);
  });

  example(config.command('current-context').description('print the name of the current context'), 'baton config current-context').action(() => {
    io.out(loadConfig().currentContext);
  });

  example(
    config.command('get-contexts').description('list the contexts (* marks the current one)').addOption(new Option('-o, --output <format>', 'table|name').choices(['table', 'name']).default('table')),
    'baton config get-contexts',
  ).action(async (...args: unknown[]) => {
    const cmd = commandOf(args);
    const cfg = loadConfig();
    const names = Object.keys(cfg.contexts);
    if (!names.includes(cfg.currentContext)) names.unshift(cfg.currentContext);
    if (opt(cmd, 'output') === 'name') {
      io.out(names.join('\n'));
      return;
    }
    const { render } = await import('../render/format.js');
    type Row = { name: string; current: boolean; url?: string; org?: string; app?: string; env?: string };
    const rows: Row[] = names.map((name) => ({ name, current: name === cfg.currentContext, ...cfg.contexts[name] }));
    io.out(
      render(rows, 'table', [
        { header: 'CURRENT', value: (r: Row) => (r.current ? '*' : '') },
        { header: 'NAME', value: (r: Row) => r.name },
        { header: 'URL', value: (r: Row) => r.url },
        { header: 'ORG', value: (r: Row) => r.org },
        { header: 'APP', value: (r: Row) => r.app },
        { header: 'ENV', value: (r: Row) => r.env },
      ]),
    );
  });

  example(
    config.command('delete-context').description('remove a context (its token too); not the current one').argument('<name>', 'context name'),
    'baton config delete-context old-staging',
  ).action((...args: unknown[]) => {
    const name = args[0] as string;
    const cfg = loadConfig();
    if (name === cfg.currentContext) throw new UsageError(`"${name}" is the current context; switch first with \`baton config use-context OTHER\``);
    if (!Object.hasOwn(cfg.contexts, name)) throw new UsageError(`no context "${name}" (see \`baton config get-contexts\`)`);
    const contexts = Object.fromEntries(Object.entries(cfg.contexts).filter(([n]) => n !== name));
    saveConfig({ ...cfg, contexts });
    io.out(`context "${name}" deleted`);
  });
}
