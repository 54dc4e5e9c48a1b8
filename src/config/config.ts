/**
 * Baton's configuration: environment variables, overridden by the same-named `baton serve` flags
 * (`BATON_DATA_DIR` ↔ `--data-dir`). Validated once at boot; a bad value is an `InvalidInput` naming the variable.
 * docs/configuration.md lists every setting; keep it in step with CONFIG_VARIABLES below.
 */
import { InvalidInput } from '../shared/errors.js';
import { checkId } from '../shared/ids.js';
import { parseAgeKeyFile, parseSecretKey } from '../secrets/index.js';
import { parseHostSuffixes } from '../shared/host-suffixes.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…` to use PostgreSQL; undefined for the embedded SQLite file in `dataDir`. */
  databaseUrl: string | undefined;
  /** Id of the org created on first start. */
  org: string;
  /** The admin's API token on first start; generated (and written to `<dataDir>/admin-token`) when undefined. */
  bootstrapToken: string | undefined;
  logLevel: LogLevel;
  /**
   * Key that seals secrets at rest (32 bytes as hex or base64). Unset: `<dataDir>/secret.key`, created on first
   * start. Several replicas sharing one PostgreSQL database must all be given the same key.
   */
  secretKey: string | undefined;
  /** Servers that `development` environments provision real databases on (src/resources/defaults/development.ts). */
  devPostgresUrl: string | undefined;
  devMysqlUrl: string | undefined;
  devRedisUrl: string | undefined;
  devAmqpUrl: string | undefined;
  /** Lease of a claimed deployment job; heartbeats renew it every third of it (docs/internals/engine.md). */
  engineLeaseMs: number;
  /** How often an idle worker polls the queue. */
  enginePollMs: number;
  /** Deployments one replica runs at once (different environments). */
  engineConcurrency: number;
  /** Time limit of one driver call, every driver (HTTP drivers included). */
  driverTimeoutMs: number;
  /** The terraform binary the `humanitec/terraform` driver runs. */
  terraformBin: string;
  /** Steps one Go-template render may take (definitions and workload profiles; docs/internals/templates.md). */
  templateMaxSteps: number;
  /** Characters one Go-template render may produce. */
  templateMaxOutput: number;
  /** Milliseconds one Go-template render may take. */
  templateTimeoutMs: number;
  /**
   * Whether sprig's `getHostByName` may resolve names at all (definitions, `humanitec/dns-wildcard` templates and
   * workload profiles). On by default so existing definitions render unchanged (docs/internals/templates.md).
   */
  templateHostLookup: boolean;
  /** Name suffixes `getHostByName` may resolve (lower-case, no leading dot); empty: any name. */
  templateHostLookupAllow: string[];
  /** PostgreSQL: time to get a connection before a request answers 503. */
  databaseConnectTimeoutMs: number;
  /** PostgreSQL: statement (and idle-in-transaction) timeout; a query fails after it (plus the connect timeout) at the latest. */
  databaseStatementTimeoutMs: number;
  /** On SIGTERM/SIGINT: how long running deployments may take to finish before they are handed back to the queue. */
  shutdownGraceMs: number;
  /**
   * Remote of the embedded gitops repository (a bare repository path, `file://`, SSH or HTTPS URL without a
   * password). Replicas on PostgreSQL need it to write one history.
   */
  gitopsUrl: string | undefined;
  /**
   * Baton's age identity (`AGE-SECRET-KEY-1…`): file targets SOPS-encrypt Kubernetes Secrets to it. Unset:
   * `<dataDir>/age.agekey`, created on first start. Replicas sharing one gitops remote must all be given the same one.
   */
  ageKey: string | undefined;
  /** Failed authentications one source address may make per minute before it gets 429 (0: no limit). */
  authFailureLimit: number;
  /**
   * `podman`: environments of type `development` without a cluster definition of their own run on this machine
   * with Podman (docs/local-runtime.md); `none` (default): the embedded gitops repository.
   */
  localRuntime: 'none' | 'podman';
  /**
   * `<store>/<ref>` of the HTTPS credentials of `gitopsUrl` in the bootstrap org's secret stores (docs/secrets.md):
   * the secret is `<username>:<password>` or a token alone. Read before every fetch and push, handed to git through
   * a credential helper reading the child's environment: never in the URL, on disk, in logs or in errors.
   */
  gitopsCredentials: string | undefined;
  /** Time limit of one webhook delivery request (docs/ci.md). */
  webhookTimeoutMs: number;
  /** Wait before a failed webhook delivery's first retry; doubles each retry, at most one hour, for 24 hours. */
  webhookRetryBaseMs: number;
  /** Let webhooks reach link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10); off by default. */
  webhookAllowLinkLocal: boolean;
  /** `/metrics` answers without a token (otherwise it needs one, permission `metrics.read`). Default false. */
  metricsPublic: boolean;
}

/** Every setting: env var, CLI flag (undefined: env only), default, description. The single source for docs and flags. */
export const CONFIG_VARIABLES = [
  { key: 'port', env: 'BATON_PORT', flag: '--port <port>', default: '8080', description: 'TCP port the API listens on' },
  { key: 'host', env: 'BATON_HOST', flag: '--host <host>', default: '127.0.0.1', description: 'address the API binds to' },
  { key: 'dataDir', env: 'BATON_DATA_DIR', flag: '--data-dir <dir>', default: './.baton', description: 'folder for the SQLite database and the generated admin token' },
  { key: 'databaseUrl', env: 'BATON_DATABASE_URL', flag: '--database-url <url>', default: undefined, description: 'postgres://… to store data in PostgreSQL instead of SQLite' },
  { key: 'org', env: 'BATON_ORG', flag: '--org <id>', default: 'local', description: 'id of the organization created on first start' },
  { key: 'bootstrapToken', env: 'BATON_BOOTSTRAP_TOKEN', flag: '--bootstrap-token <token>', default: undefined, description: "the administrator's API token on first start (random when unset)" },
  { key: 'secretKey', env: 'BATON_SECRET_KEY', flag: '--secret-key <key>', default: undefined, description: 'key sealing secrets at rest, 32 bytes as hex or base64 (unset: <data dir>/secret.key); give every replica the same one' },
  { key: 'devPostgresUrl', env: 'BATON_DEV_POSTGRES_URL', flag: '--dev-postgres-url <url>', default: undefined, description: 'postgres://user:pass@host:port/db where development environments get real databases (unset: in-namespace StatefulSets)' },
  { key: 'devMysqlUrl', env: 'BATON_DEV_MYSQL_URL', flag: '--dev-mysql-url <url>', default: undefined, description: 'mysql:// (or mariadb://) admin URL for real development databases' },
  { key: 'devRedisUrl', env: 'BATON_DEV_REDIS_URL', flag: '--dev-redis-url <url>', default: undefined, description: 'redis:// admin URL; development environments get an ACL user with a key prefix' },
  { key: 'devAmqpUrl', env: 'BATON_DEV_AMQP_URL', flag: '--dev-amqp-url <url>', default: undefined, description: 'amqp:// admin URL (management API on port 15672); development environments get a vhost and user' },
  { key: 'engineLeaseMs', env: 'BATON_ENGINE_LEASE_MS', flag: '--engine-lease-ms <ms>', default: '15000', description: 'lease of a claimed deployment job in milliseconds; another replica takes a job over once it expires' },
  { key: 'enginePollMs', env: 'BATON_ENGINE_POLL_MS', flag: '--engine-poll-ms <ms>', default: '250', description: 'how often an idle worker polls the job queue, in milliseconds' },
  { key: 'engineConcurrency', env: 'BATON_ENGINE_CONCURRENCY', flag: '--engine-concurrency <n>', default: '4', description: 'deployments one replica runs at once (different environments)' },
  { key: 'driverTimeoutMs', env: 'BATON_DRIVER_TIMEOUT_MS', flag: '--driver-timeout-ms <ms>', default: '600000', description: 'time limit of one driver call in milliseconds' },
  { key: 'databaseConnectTimeoutMs', env: 'BATON_DATABASE_CONNECT_TIMEOUT_MS', flag: '--database-connect-timeout-ms <ms>', default: '5000', description: 'PostgreSQL: time to get a connection, in milliseconds, before a request answers 503' },
  { key: 'databaseStatementTimeoutMs', env: 'BATON_DATABASE_STATEMENT_TIMEOUT_MS', flag: '--database-statement-timeout-ms <ms>', default: '30000', description: 'PostgreSQL: statement and idle-in-transaction timeout in milliseconds' },
  { key: 'shutdownGraceMs', env: 'BATON_SHUTDOWN_GRACE_MS', flag: '--shutdown-grace-ms <ms>', default: '10000', description: 'on SIGTERM/SIGINT, how long running deployments may take to finish before they are handed back to the queue' },
  { key: 'terraformBin', env: 'BATON_TERRAFORM_BIN', flag: '--terraform-bin <path>', default: 'terraform', description: 'terraform binary of the humanitec/terraform driver' },
  { key: 'templateMaxSteps', env: 'BATON_TEMPLATE_MAX_STEPS', flag: '--template-max-steps <n>', default: '1000000', description: 'steps (nodes, commands, range iterations, list elements) one Go-template render may take' },
  { key: 'templateMaxOutput', env: 'BATON_TEMPLATE_MAX_OUTPUT', flag: '--template-max-output <chars>', default: '4194304', description: 'characters one Go-template render may produce (also any one string a template function builds)' },
  { key: 'templateTimeoutMs', env: 'BATON_TEMPLATE_TIMEOUT_MS', flag: '--template-timeout-ms <ms>', default: '2000', description: 'time limit of one Go-template render in milliseconds' },
  { key: 'templateHostLookup', env: 'BATON_TEMPLATE_HOST_LOOKUP', flag: '--template-host-lookup <bool>', default: 'true', description: "false: the templates' getHostByName always fails (no DNS query); true: it resolves the names BATON_TEMPLATE_HOST_LOOKUP_ALLOW allows" },
  { key: 'templateHostLookupAllow', env: 'BATON_TEMPLATE_HOST_LOOKUP_ALLOW', flag: '--template-host-lookup-allow <suffixes>', default: undefined, description: 'comma-separated DNS name suffixes getHostByName may resolve (example.com allows example.com and *.example.com); unset: any name' },
  { key: 'gitopsUrl', env: 'BATON_GITOPS_URL', flag: '--gitops-url <url>', default: undefined, description: 'remote the embedded gitops repository fetches from and pushes to (bare repository path, file://, ssh:// or https:// without a password); needed by replicas on PostgreSQL' },
  { key: 'ageKey', env: 'BATON_AGE_KEY', flag: '--age-key <identity>', default: undefined, description: 'age identity (AGE-SECRET-KEY-1…) Secrets in the gitops repository are SOPS-encrypted to (unset: <data dir>/age.agekey); give every replica the same one' },
  { key: 'authFailureLimit', env: 'BATON_AUTH_FAILURE_LIMIT', flag: '--auth-failure-limit <n>', default: '10', description: 'failed authentications (bad token or password) one source address may make per minute before it is answered 429 until the minute ends; 0 turns the limit off' },
  { key: 'localRuntime', env: 'BATON_LOCAL_RUNTIME', flag: '--local-runtime <runtime>', default: 'none', description: 'podman: development environments run on this machine with Podman (needs podman on PATH); none: manifests go to the embedded gitops repository' },
  { key: 'gitopsCredentials', env: 'BATON_GITOPS_CREDENTIALS', flag: '--gitops-credentials <store/ref>', default: undefined, description: 'secret store reference <store>/<ref> of the HTTPS credentials (<username>:<password> or a token) of BATON_GITOPS_URL' },
  { key: 'webhookTimeoutMs', env: 'BATON_WEBHOOK_TIMEOUT_MS', flag: '--webhook-timeout-ms <ms>', default: '10000', description: 'time limit of one webhook delivery request in milliseconds' },
  { key: 'webhookRetryBaseMs', env: 'BATON_WEBHOOK_RETRY_BASE_MS', flag: '--webhook-retry-base-ms <ms>', default: '10000', description: 'wait before the first retry of a failed webhook delivery; doubles each retry (at most 1 h) for 24 h' },
  { key: 'webhookAllowLinkLocal', env: 'BATON_WEBHOOK_ALLOW_LINK_LOCAL', flag: '--webhook-allow-link-local <bool>', default: 'false', description: 'true lets webhooks reach link-local and cloud metadata addresses (refused by default)' },
  { key: 'metricsPublic', env: 'BATON_METRICS_PUBLIC', flag: '--metrics-public <bool>', default: 'false', description: 'true: GET /metrics answers without a token (restrict who reaches the port instead); false: it needs a token with the metrics.read permission' },
  { key: 'logLevel', env: 'BATON_LOG_LEVEL', flag: '--log-level <level>', default: 'info', description: `log level: ${LOG_LEVELS.join(', ')}` },
] as const satisfies ReadonlyArray<{ key: keyof Config; env: string; flag: string; default: string | undefined; description: string }>;

/** Flag values as commander parses them (camelCase keys), all optional strings. */
export type ConfigFlags = Partial<Record<keyof Config, string | undefined>>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const raw = (key: keyof Config): string | undefined => {
    const spec = CONFIG_VARIABLES.find((v) => v.key === key)!;
    const value = flags[key] ?? env[spec.env];
    return value === undefined || value === '' ? spec.default : value;
  };
  const name = (key: keyof Config) => CONFIG_VARIABLES.find((v) => v.key === key)!.env;

  const portText = raw('port')!;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    throw new InvalidInput(`${name('port')} must be a port number 0-65535 (got "${portText}")`, { field: name('port') });
  }
  const host = raw('host')!;
  if (/\s/.test(host)) throw new InvalidInput(`${name('host')} must be a host name or address (got "${host}")`, { field: name('host') });

  const databaseUrl = raw('databaseUrl');
  if (databaseUrl !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      throw new InvalidInput(`${name('databaseUrl')} is not a valid URL`, { field: name('databaseUrl') });
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      throw new InvalidInput(`${name('databaseUrl')} must start with postgres:// (unset it to use SQLite)`, { field: name('databaseUrl') });
    }
  }

  const org = raw('org')!;
  try {
    checkId(name('org'), org);
  } catch (error) {
    if (error instanceof InvalidInput) throw new InvalidInput(error.message, { field: name('org') });
    throw error;
  }

  const bootstrapToken = raw('bootstrapToken');
  if (bootstrapToken !== undefined && (bootstrapToken.length < 4 || /\s/.test(bootstrapToken))) {
    throw new InvalidInput(`${name('bootstrapToken')} must be at least 4 characters without spaces`, { field: name('bootstrapToken') });
  }

  const logLevel = raw('logLevel')!;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new InvalidInput(`${name('logLevel')} must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`, { field: name('logLevel') });
  }

  const secretKey = raw('secretKey');
  if (secretKey !== undefined) parseSecretKey(secretKey);

  const devServers = {
    devPostgresUrl: raw('devPostgresUrl'),
    devMysqlUrl: raw('devMysqlUrl'),
    devRedisUrl: raw('devRedisUrl'),
    devAmqpUrl: raw('devAmqpUrl'),
  };
  for (const [key, value] of Object.entries(devServers)) {
    if (value === undefined) continue;
    try {
      new URL(value);
    } catch {
      throw new InvalidInput(`${name(key as keyof Config)} is not a valid URL`, { field: name(key as keyof Config) });
    }
  }

  const positiveInteger = (key: 'webhookTimeoutMs' | 'webhookRetryBaseMs' | 'authFailureLimit' | 'engineLeaseMs' | 'enginePollMs' | 'engineConcurrency' | 'driverTimeoutMs' | 'templateMaxSteps' | 'templateMaxOutput' | 'templateTimeoutMs' | 'databaseConnectTimeoutMs' | 'databaseStatementTimeoutMs' | 'shutdownGraceMs', min: number, max: number): number => {
    const text = raw(key)!;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new InvalidInput(`${name(key)} must be an integer from ${min} to ${max} (got "${text}")`, { field: name(key) });
    }
    return value;
  };
  const engine = {
    engineLeaseMs: positiveInteger('engineLeaseMs', 100, 3_600_000),
    enginePollMs: positiveInteger('enginePollMs', 1, 60_000),
    engineConcurrency: positiveInteger('engineConcurrency', 1, 256),
    driverTimeoutMs: positiveInteger('driverTimeoutMs', 100, 24 * 3_600_000),
    databaseConnectTimeoutMs: positiveInteger('databaseConnectTimeoutMs', 100, 600_000),
    databaseStatementTimeoutMs: positiveInteger('databaseStatementTimeoutMs', 100, 24 * 3_600_000),
    shutdownGraceMs: positiveInteger('shutdownGraceMs', 0, 3_600_000),
  };
  const authFailureLimit = positiveInteger('authFailureLimit', 0, 1_000_000);
  const terraformBin = raw('terraformBin')!;
  function hostLookup(): Pick<Config, 'templateHostLookup' | 'templateHostLookupAllow'> {
    const enabled = raw('templateHostLookup')!;
    if (enabled !== 'true' && enabled !== 'false') throw new InvalidInput(`${name('templateHostLookup')} must be "true" or "false" (got "${enabled}")`, { field: name('templateHostLookup') });
    const allowText = raw('templateHostLookupAllow');
    let allow: string[] = [];
    if (allowText !== undefined) {
      try {
        allow = parseHostSuffixes(allowText);
        if (allow.length === 0) throw new Error('lists no name suffix (unset it to allow any name)');
      } catch (error) {
        throw new InvalidInput(`${name('templateHostLookupAllow')}: ${error instanceof Error ? error.message : String(error)}`, { field: name('templateHostLookupAllow') });
      }
    }
    // An allow-list with lookups off says two different things; refusing it beats guessing which one was meant.
    if (enabled === 'false' && allow.length > 0) {
      throw new InvalidInput(`${name('templateHostLookupAllow')} has no effect while ${name('templateHostLookup')} is false; unset one of them`, { field: name('templateHostLookupAllow') });
    }
    return { templateHostLookup: enabled === 'true', templateHostLookupAllow: allow };
  }

  const templates = {
    templateMaxSteps: positiveInteger('templateMaxSteps', 1_000, 1_000_000_000),
    templateMaxOutput: positiveInteger('templateMaxOutput', 1_024, 512 * 1024 * 1024),
    templateTimeoutMs: positiveInteger('templateTimeoutMs', 10, 600_000),
    ...hostLookup(),
  };

  const allowLinkLocal = raw('webhookAllowLinkLocal')!;
  if (allowLinkLocal !== 'true' && allowLinkLocal !== 'false') throw new InvalidInput(`${name('webhookAllowLinkLocal')} must be true or false (got "${allowLinkLocal}")`, { field: name('webhookAllowLinkLocal') });
  const webhooks = {
    webhookTimeoutMs: positiveInteger('webhookTimeoutMs', 100, 600_000),
    webhookRetryBaseMs: positiveInteger('webhookRetryBaseMs', 1, 3_600_000),
    webhookAllowLinkLocal: allowLinkLocal === 'true',
  };
  const gitopsUrl = raw('gitopsUrl');
  if (gitopsUrl !== undefined) checkGitopsUrl(gitopsUrl, name('gitopsUrl'));
  const ageKey = raw('ageKey');
  if (ageKey !== undefined && parseAgeKeyFileOrUndefined(ageKey)?.length !== 1) throw new InvalidInput(`${name('ageKey')} must be one age identity (AGE-SECRET-KEY-1…)`);

  const localRuntime = raw('localRuntime')!;
  if (localRuntime !== 'none' && localRuntime !== 'podman') {
    throw new InvalidInput(`${name('localRuntime')} must be "podman" or "none" (got "${localRuntime}")`, { field: name('localRuntime') });
  }

  const gitopsCredentials = raw('gitopsCredentials');
  if (gitopsCredentials !== undefined) {
    if (!/^[a-z0-9](?:-?[a-z0-9]+)+\/[^/\s].{0,511}$/.test(gitopsCredentials)) {
      throw new InvalidInput(`${name('gitopsCredentials')} must be <store>/<ref>, a secret store id and the secret's ref (docs/secrets.md)`, { field: name('gitopsCredentials') });
    }
    if (gitopsUrl === undefined || !/^https?:\/\//.test(gitopsUrl)) {
      throw new InvalidInput(`${name('gitopsCredentials')} needs ${name('gitopsUrl')} to be an https:// (or http://) URL`, { field: name('gitopsCredentials') });
    }
  }

  const metricsPublicText = raw('metricsPublic')!;
  if (metricsPublicText !== 'true' && metricsPublicText !== 'false') {
    throw new InvalidInput(`${name('metricsPublic')} must be "true" or "false" (got "${metricsPublicText}")`, { field: name('metricsPublic') });
  }
  const metricsPublic = metricsPublicText === 'true';

  return { port, host, dataDir: raw('dataDir')!, databaseUrl, org, bootstrapToken, logLevel: logLevel as LogLevel, secretKey, ...devServers, ...engine, terraformBin, ...templates, gitopsUrl, gitopsCredentials, ageKey, authFailureLimit, localRuntime, ...webhooks, metricsPublic };
}

/**
 * A remote git understands: an absolute path (a bare repository), `file://`, `ssh://`, `git@host:path` or `https://`.
 * A password in the URL is refused: git would keep it in clear in the work tree's config and print it in errors.
 */
function checkGitopsUrl(value: string, variable: string): void {
  const scp = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/.test(value);
  if (value.startsWith('/') || scp) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput(`${variable} must be an absolute path to a bare repository or a file://, ssh:// or https:// URL`, { field: variable });
  }
  if (!['file:', 'ssh:', 'https:', 'http:', 'git:'].includes(url.protocol)) {
    throw new InvalidInput(`${variable} must be an absolute path or a file://, ssh:// or https:// URL (got ${url.protocol})`, { field: variable });
  }
  if (url.password !== '') {
    throw new InvalidInput(`${variable} must not contain a password (use an SSH key or a git credential helper; see docs/operations.md)`, { field: variable });
  }
}

function parseAgeKeyFileOrUndefined(text: string): string[] | undefined {
  try {
    return parseAgeKeyFile(text);
  } catch {
    return undefined;
  }
}
