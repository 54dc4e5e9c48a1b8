/**
 * Issue 15, acceptance 2 and 3 (secret stores and secret references), through the API with the directory target:
 * a definition whose `secret_refs` point into Baton's own store and into a Vault-protocol store (an in-test HTTP
 * server: no Vault or OpenBao can run on this machine), and a shared value with `secret_ref`, deploy with the values
 * read from the stores; rotating the value in the store and redeploying changes the written Secret. No secret value
 * (nor the Vault token) appears in an API response, a deployment log or error, or the SQLite database files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestVaultServer } from '../../src/secrets/stores/test-vault-server.js';
import type { TestVaultServer } from '../../src/secrets/stores/test-vault-server.js';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';
import { waitForDeployment } from '../helpers/deploy-scenario.js';
import { databaseText as storeText } from '../helpers/database-text.js';
import { readSecrets, useAgeIdentities } from './secret-data.js';

const VAULT_TOKEN = 'hvs.acceptance-token-1f2e3d4c5b6a';
const PASSWORD_1 = 'vault-redis-pw-7c1d9e2f40ab';
const PASSWORD_2 = 'vault-redis-pw-rotated-88e3a1f0c2';
const API_KEY = 'sk-from-vault-5a6b7c8d9e0f1a2b';
const BATON_STORE_SECRET = 'baton-store-token-9d8c7b6a5f';
/** Redis's default user: a secret too common to mask (docs/secrets.md, Masking). */
const REDIS_USER = 'default';
const ALL_SECRETS = [VAULT_TOKEN, PASSWORD_1, PASSWORD_2, API_KEY, BATON_STORE_SECRET];

/** Every row of every table of the store, as text (SQLite and PostgreSQL). */
function databaseText(baton: InProcessBaton): Promise<string[]> {
  return storeText(baton.store, baton.baton.config.databaseUrl === undefined ? baton.dataDir : undefined);
}

for (const dialect of ['sqlite', 'postgres'] as const)
describe(`secret_refs and value secret_ref resolved from secret stores at deploy time [${dialect}, in-test Vault-protocol server]`, () => {
  let baton: InProcessBaton;
  let vault: TestVaultServer;
  const root = mkdtempSync(join(tmpdir(), 'baton-secret-refs-'));
  const bodies: string[] = [];
  const app = 'shop';

  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(baton.url! + path, {
      method,
      headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    bodies.push(text);
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await call<T>(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const deploy = async (body: unknown): Promise<{ status: string; errors: unknown; logs: string[] }> => {
    const { id } = await ok<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/development/deploys`, body);
    const result = await waitForDeployment(() => [{ url: baton.url!, token: baton.token }], app, id);
    bodies.push(JSON.stringify(result));
    return result;
  };
  const envSecrets = () => readSecrets(join(root, app, 'development'));

  before(async () => {
    vault = await startTestVaultServer({ token: VAULT_TOKEN });
    baton = await startInProcessBaton({ dialect, listen: true });
    useAgeIdentities(baton.dataDir);
    vault.put('secret/apps/shop/redis-password', { value: PASSWORD_1 });
    vault.put('secret/apps/shop/api-key', { value: API_KEY });
  });
  after(async () => {
    await baton.stop();
    await vault.close();
  });

  it('registers a Vault store (token write-only) beside Baton\'s own primary store', async () => {
    const created = await ok<Record<string, unknown>>('POST', '/orgs/local/secretstores', { id: 'corp-vault', primary: false, vault: { url: vault.url, path: 'secret', auth: { token: VAULT_TOKEN } } });
    assert.deepEqual(created.vault, { url: vault.url, path: 'secret' });
    const list = await ok<{ id: string; primary: boolean }[]>('GET', '/orgs/local/secretstores');
    assert.deepEqual(list.map((s) => [s.id, s.primary]), [['baton', true], ['corp-vault', false]]);
    const written = await ok<{ version: string }>('POST', '/orgs/local/secretstores/baton/baton/secrets', { ref: 'shop/redis-user', value: REDIS_USER });
    assert.equal(written.version, '1');
    await ok('POST', '/orgs/local/secretstores/baton/baton/secrets', { ref: 'shop/api-token', value: BATON_STORE_SECRET });
  });

  it('deploys a definition with secret_refs and a value with secret_ref, the Secret holding the store values', async () => {
    await ok('POST', '/orgs/local/apps', { id: app, name: app });
    await ok('POST', '/orgs/local/resources/defs', { id: 'shop-cluster', name: 'dir', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: app }] });
    const def = await ok<{ driver_inputs: unknown }>('POST', '/orgs/local/resources/defs', {
      id: 'shop-redis',
      name: 'redis from the stores',
      type: 'redis',
      driver_type: 'humanitec/echo',
      driver_inputs: {
        values: { host: 'redis.internal', port: 6379 },
        secret_refs: { username: { store: 'baton', ref: 'shop/redis-user' }, password: { store: 'corp-vault', ref: 'apps/shop/redis-password' } },
      },
      criteria: [{ app_id: app }],
    });
    assert.deepEqual((def.driver_inputs as { secret_refs: unknown }).secret_refs, { username: { store: 'baton', ref: 'shop/redis-user' }, password: { store: 'corp-vault', ref: 'apps/shop/redis-password' } });
    await ok('POST', `/orgs/local/apps/${app}/values`, { key: 'API_TOKEN', description: 'from baton', secret_ref: { store: 'baton', ref: 'shop/api-token' } });
    const value = await ok<Record<string, unknown>>('POST', `/orgs/local/apps/${app}/values`, { key: 'API_KEY', description: 'from vault', secret_ref: { store: 'corp-vault', ref: 'apps/shop/api-key' } });
    assert.equal(value.value, '');
    assert.equal(value.is_secret, true);
    assert.equal(value.secret_store_id, 'corp-vault');
    assert.equal(value.secret_key, 'apps/shop/api-key');
    const delta = await ok<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
      modules: {
        add: {
          api: {
            profile: 'humanitec/default-module',
            externals: { cache: { type: 'redis' } },
            spec: { containers: { main: { id: 'main', image: 'api:1', variables: { REDIS_URL: 'redis://${externals.cache.username}:${externals.cache.password}@${externals.cache.host}:${externals.cache.port}', API_KEY: '${values.API_KEY}', API_TOKEN: '${values.API_TOKEN}' } } } },
          },
        },
      },
    });
    const result = await deploy({ delta_id: delta.id });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.errors));
    const data = envSecrets()['api-secrets'] ?? {};
    assert.equal(data['env.main.REDIS_URL'], `redis://${REDIS_USER}:${PASSWORD_1}@redis.internal:6379`);
    assert.equal(data['env.main.API_KEY'], API_KEY);
    assert.equal(data['env.main.API_TOKEN'], BATON_STORE_SECRET);
    // the common secret "default" does not mask the word in the log (the resource's class is "default")
    assert.ok(result.logs.some((line) => line.includes('redis.default#modules.api.externals.cache')), result.logs.join('\n'));
  });

  it('rotating the value in the store and redeploying changes the written Secret', async () => {
    vault.put('secret/apps/shop/redis-password', { value: PASSWORD_2 });
    // a plan reads the stores too: it already shows the Secret changing (as hashes, never values)
    const plan = await ok<{ manifests: { changed: { key: string }[] } }>('POST', `/orgs/local/apps/${app}/envs/development/baton/plans`, { comment: 'rotate' });
    assert.match(JSON.stringify(plan.manifests.changed.map((c) => c.key)), /api-secrets/);
    const result = await deploy({ comment: 'rotate' });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.errors));
    const data = envSecrets()['api-secrets'] ?? {};
    assert.equal(data['env.main.REDIS_URL'], `redis://${REDIS_USER}:${PASSWORD_2}@redis.internal:6379`);
    assert.ok(!JSON.stringify(data).includes(PASSWORD_1));
  });

  it('a reference to an absent secret fails the deployment naming store and ref, never a value', async () => {
    await ok('PATCH', '/orgs/local/resources/defs/shop-redis', {
      driver_inputs: { values: { host: 'redis.internal', port: 6379 }, secret_refs: { username: { store: 'baton', ref: 'shop/redis-user' }, password: { store: 'corp-vault', ref: 'apps/shop/missing' } } },
    });
    const result = await deploy({ comment: 'missing' });
    assert.equal(result.status, 'failed');
    const text = JSON.stringify(result.errors);
    assert.match(text, /store: \\"corp-vault\\", ref: \\"apps\/shop\/missing\\"/);
    assert.match(text, /has no secret at ref/);
  });

  it('a driver error quoting store secrets is masked for the long password, not for the common user "default"', async () => {
    await ok('PUT', '/orgs/local/resources/defs/shop-redis', {
      name: 'redis from the stores, failing',
      driver_type: 'humanitec/template',
      in_place_driver_change: true,
      driver_inputs: {
        values: { templates: { outputs: '{{ fail (printf "cannot log in to redis as %s with %s" .driver.secrets.username .driver.secrets.password) }}' } },
        secret_refs: { username: { store: 'baton', ref: 'shop/redis-user' }, password: { store: 'corp-vault', ref: 'apps/shop/redis-password' } },
      },
    });
    const result = await deploy({ comment: 'failing driver' });
    assert.equal(result.status, 'failed');
    const text = JSON.stringify(result);
    assert.match(text, /cannot log in to redis as default with \*\*\*/);
    assert.ok(!text.includes(PASSWORD_2));
    assert.ok(result.logs.some((line) => line.includes('cannot log in to redis as default with ***')), result.logs.join('\n'));
  });

  it('no secret value nor the Vault token appears in any API response, log, or the database', async () => {
    const deployments = await ok<unknown[]>('GET', `/orgs/local/apps/${app}/envs/development/deploys`);
    bodies.push(JSON.stringify(deployments));
    bodies.push(JSON.stringify(await ok('GET', `/orgs/local/apps/${app}/values`)));
    bodies.push(JSON.stringify(await ok('GET', '/orgs/local/resources/defs/shop-redis')));
    bodies.push(JSON.stringify(await ok('GET', `/orgs/local/apps/${app}/envs/development/resources`)));
    const db = await databaseText(baton);
    assert.ok(db.some((text) => text.includes('corp-vault')), 'expected to read the stored secret store rows');
    for (const secret of ALL_SECRETS) {
      const b64 = Buffer.from(secret).toString('base64');
      for (const body of bodies) {
        assert.ok(!body.includes(secret), `API response or log holds a secret: ${body.slice(0, 200)}`);
        assert.ok(!body.includes(b64));
      }
      for (const file of db) {
        assert.ok(!file.includes(secret), 'the database holds a secret in clear');
        assert.ok(!file.includes(b64), 'the database holds a secret in base64');
      }
    }
  });
});
