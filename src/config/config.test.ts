import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { generateAgeIdentity } from '../secrets/age.js';
import { loadConfig } from './config.js';

it('uses the documented defaults when nothing is set', () => {
  assert.deepEqual(loadConfig({}), {
    port: 8080,
    host: '127.0.0.1',
    dataDir: './.baton',
    databaseUrl: undefined,
    org: 'local',
    bootstrapToken: undefined,
    logLevel: 'info',
    secretKey: undefined,
    devPostgresUrl: undefined,
    devMysqlUrl: undefined,
    devRedisUrl: undefined,
    devAmqpUrl: undefined,
    engineLeaseMs: 15_000,
    enginePollMs: 250,
    engineConcurrency: 4,
    driverTimeoutMs: 600_000,
    databaseConnectTimeoutMs: 5_000,
    databaseStatementTimeoutMs: 30_000,
    shutdownGraceMs: 10_000,
    terraformBin: 'terraform',
    templateMaxSteps: 1_000_000,
    templateMaxOutput: 4_194_304,
    templateTimeoutMs: 2_000,
    templateHostLookup: true,
    templateHostLookupAllow: [],
    gitopsUrl: undefined,
    ageKey: undefined,
    authFailureLimit: 10,
    localRuntime: 'none',
    gitopsCredentials: undefined,
    webhookTimeoutMs: 10_000,
    webhookRetryBaseMs: 10_000,
    webhookAllowLinkLocal: false,
    metricsPublic: false,
  });
});

it('BATON_METRICS_PUBLIC: true or false, anything else names the variable', () => {
  assert.equal(loadConfig({ BATON_METRICS_PUBLIC: 'true' }).metricsPublic, true);
  assert.equal(loadConfig({}, { metricsPublic: 'false' }).metricsPublic, false);
  assert.throws(() => loadConfig({ BATON_METRICS_PUBLIC: 'yes' }), /BATON_METRICS_PUBLIC must be "true" or "false"/);
});

it('BATON_AUTH_FAILURE_LIMIT: 0 turns the limit off; a negative or non-integer value names the variable', () => {
  assert.equal(loadConfig({ BATON_AUTH_FAILURE_LIMIT: '0' }).authFailureLimit, 0);
  assert.equal(loadConfig({}, { authFailureLimit: '25' }).authFailureLimit, 25);
  for (const bad of ['-1', '2.5', 'many']) assert.throws(() => loadConfig({ BATON_AUTH_FAILURE_LIMIT: bad }), /BATON_AUTH_FAILURE_LIMIT must be an integer/);
});

it('reads environment variables and lets same-named flags override them', () => {
  const config = loadConfig(
    { BATON_PORT: '9000', BATON_ORG: 'acme', BATON_DATABASE_URL: 'postgres://u@h/db', BATON_LOG_LEVEL: 'silent' },
    { port: '9001', dataDir: '/tmp/x' },
  );
  assert.equal(config.port, 9001);
  assert.equal(config.org, 'acme');
  assert.equal(config.dataDir, '/tmp/x');
  assert.equal(config.databaseUrl, 'postgres://u@h/db');
  assert.equal(config.logLevel, 'silent');
});

it('rejects bad values naming the variable', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ BATON_PORT: 'eighty' }, 'BATON_PORT'],
    [{ BATON_PORT: '70000' }, 'BATON_PORT'],
    [{ BATON_ORG: 'Not_An_Id' }, 'BATON_ORG'],
    [{ BATON_DATABASE_URL: 'mysql://x/y' }, 'BATON_DATABASE_URL'],
    [{ BATON_LOG_LEVEL: 'loud' }, 'BATON_LOG_LEVEL'],
    [{ BATON_ENGINE_LEASE_MS: '10' }, 'BATON_ENGINE_LEASE_MS'],
    [{ BATON_ENGINE_POLL_MS: 'soon' }, 'BATON_ENGINE_POLL_MS'],
    [{ BATON_ENGINE_CONCURRENCY: '0' }, 'BATON_ENGINE_CONCURRENCY'],
    [{ BATON_DRIVER_TIMEOUT_MS: '-5' }, 'BATON_DRIVER_TIMEOUT_MS'],
    [{ BATON_TEMPLATE_MAX_STEPS: '10' }, 'BATON_TEMPLATE_MAX_STEPS'],
    [{ BATON_TEMPLATE_MAX_OUTPUT: 'big' }, 'BATON_TEMPLATE_MAX_OUTPUT'],
    [{ BATON_TEMPLATE_TIMEOUT_MS: '0' }, 'BATON_TEMPLATE_TIMEOUT_MS'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof InvalidInput && e.message.includes(variable) && e.details.field === variable);
  }
});

it('BATON_SECRET_KEY is checked at boot and a short key names the variable', () => {
  assert.throws(() => loadConfig({ BATON_SECRET_KEY: 'c2hvcnQ=' }), /BATON_SECRET_KEY must be 32 bytes/);
  assert.equal(loadConfig({ BATON_SECRET_KEY: 'ab'.repeat(32) }).secretKey, 'ab'.repeat(32));
});

it('engine settings, the driver deadline and the terraform binary come from the one config', () => {
  const defaults = loadConfig({});
  assert.deepEqual(
    [defaults.engineLeaseMs, defaults.enginePollMs, defaults.engineConcurrency, defaults.driverTimeoutMs, defaults.terraformBin],
    [15_000, 250, 4, 600_000, 'terraform'],
  );
  const set = loadConfig({ BATON_ENGINE_LEASE_MS: '2000', BATON_ENGINE_CONCURRENCY: '2', BATON_TERRAFORM_BIN: '/opt/tf' }, { driverTimeoutMs: '5000' });
  assert.deepEqual([set.engineLeaseMs, set.engineConcurrency, set.driverTimeoutMs, set.terraformBin], [2_000, 2, 5_000, '/opt/tf']);
});

it('template render limits come from the config, flags over variables', () => {
  const set = loadConfig({ BATON_TEMPLATE_MAX_STEPS: '5000', BATON_TEMPLATE_TIMEOUT_MS: '100' }, { templateMaxOutput: '2048' });
  assert.deepEqual([set.templateMaxSteps, set.templateMaxOutput, set.templateTimeoutMs], [5_000, 2_048, 100]);
});

it('template host lookups: on for any name by default, off, or limited to normalised name suffixes; bad values name the variable', () => {
  assert.deepEqual([loadConfig({}).templateHostLookup, loadConfig({}).templateHostLookupAllow], [true, []]);
  assert.equal(loadConfig({ BATON_TEMPLATE_HOST_LOOKUP: 'false' }).templateHostLookup, false);
  assert.equal(loadConfig({ BATON_TEMPLATE_HOST_LOOKUP: 'false' }, { templateHostLookup: 'true' }).templateHostLookup, true);
  assert.deepEqual(loadConfig({ BATON_TEMPLATE_HOST_LOOKUP_ALLOW: 'svc.cluster.local, .Example.com' }).templateHostLookupAllow, ['svc.cluster.local', 'example.com']);
  assert.deepEqual(loadConfig({}, { templateHostLookupAllow: 'localhost' }).templateHostLookupAllow, ['localhost']);
  const refused = (env: Record<string, string>, pattern: RegExp) =>
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof InvalidInput && pattern.test(error.message), JSON.stringify(env));
  refused({ BATON_TEMPLATE_HOST_LOOKUP: 'no' }, /^BATON_TEMPLATE_HOST_LOOKUP must be "true" or "false"/);
  refused({ BATON_TEMPLATE_HOST_LOOKUP_ALLOW: 'example.com,*.corp' }, /^BATON_TEMPLATE_HOST_LOOKUP_ALLOW: "\*\.corp" is not a DNS name suffix/);
  refused({ BATON_TEMPLATE_HOST_LOOKUP_ALLOW: ' , ' }, /^BATON_TEMPLATE_HOST_LOOKUP_ALLOW: lists no name suffix/);
  refused({ BATON_TEMPLATE_HOST_LOOKUP: 'false', BATON_TEMPLATE_HOST_LOOKUP_ALLOW: 'example.com' }, /BATON_TEMPLATE_HOST_LOOKUP_ALLOW has no effect while BATON_TEMPLATE_HOST_LOOKUP is false/);
});

it('BATON_GITOPS_URL takes a bare repository path, file://, ssh://, scp-like and https:// remotes, never a password', () => {
  for (const url of ['/srv/git/gitops.git', 'file:///srv/git/gitops.git', 'ssh://git@git.example/org/gitops.git', 'git@github.com:org/gitops.git', 'https://git.example/org/gitops.git']) {
    assert.equal(loadConfig({ BATON_GITOPS_URL: url }).gitopsUrl, url);
  }
  assert.equal(loadConfig({}, { gitopsUrl: '/flag/wins.git' }).gitopsUrl, '/flag/wins.git');
  const refused = (url: string, pattern: RegExp) =>
    assert.throws(() => loadConfig({ BATON_GITOPS_URL: url }), (error: unknown) => error instanceof InvalidInput && /BATON_GITOPS_URL/.test(error.message) && pattern.test(error.message));
  refused('https://bot:hunter2@git.example/org/gitops.git', /password/);
  refused('relative/path', /absolute path/);
  refused('ftp://git.example/repo', /ftp:/);
  // The refused password is not repeated in the message.
  assert.throws(() => loadConfig({ BATON_GITOPS_URL: 'https://bot:hunter2@git.example/x.git' }), (error: unknown) => !(error as Error).message.includes('hunter2'));
});

it('BATON_AGE_KEY takes one age identity and refuses anything else without echoing it', () => {
  const { identity } = generateAgeIdentity();
  assert.equal(loadConfig({ BATON_AGE_KEY: identity }).ageKey, identity);
  assert.throws(
    () => loadConfig({ BATON_AGE_KEY: 'AGE-SECRET-KEY-1hunter2' }),
    (error: Error) => error instanceof InvalidInput && /BATON_AGE_KEY/.test(error.message) && !error.message.includes('hunter2'),
  );
});

it('BATON_LOCAL_RUNTIME takes podman or none and refuses anything else, naming the variable', () => {
  assert.equal(loadConfig({ BATON_LOCAL_RUNTIME: 'podman' }).localRuntime, 'podman');
  assert.throws(() => loadConfig({ BATON_LOCAL_RUNTIME: 'docker' }), /BATON_LOCAL_RUNTIME must be "podman" or "none" \(got "docker"\)/);
});

it('BATON_GITOPS_CREDENTIALS is <store>/<ref> and needs an http(s) BATON_GITOPS_URL', () => {
  assert.equal(loadConfig({ BATON_GITOPS_URL: 'https://git.example/x.git', BATON_GITOPS_CREDENTIALS: 'corp-vault/ci/gitops' }).gitopsCredentials, 'corp-vault/ci/gitops');
  assert.throws(() => loadConfig({ BATON_GITOPS_URL: 'https://git.example/x.git', BATON_GITOPS_CREDENTIALS: 'no-ref' }), /BATON_GITOPS_CREDENTIALS must be <store>\/<ref>/);
  assert.throws(() => loadConfig({ BATON_GITOPS_URL: 'https://git.example/x.git', BATON_GITOPS_CREDENTIALS: 'Bad_Store/x' }), /must be <store>\/<ref>/);
  assert.throws(() => loadConfig({ BATON_GITOPS_CREDENTIALS: 'baton/x' }), /needs BATON_GITOPS_URL to be an https:\/\//);
  assert.throws(() => loadConfig({ BATON_GITOPS_URL: 'ssh://git@git.example/x.git', BATON_GITOPS_CREDENTIALS: 'baton/x' }), /needs BATON_GITOPS_URL/);
});
