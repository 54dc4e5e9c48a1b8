/**
 * scripts/backup.sh and scripts/restore.sh round-trip a populated Baton on SQLite and on PostgreSQL: an app with a
 * secret shared value, a deployment to the embedded gitops repository; backup (keys apart), the database and the
 * data folder wiped, restore, a new Baton on the restored state with no key in its environment. It still knows the
 * app and its deployment, opens the secret, accepts the old token, and a new deployment succeeds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { Baton } from '../../src/baton/create-baton.js';
import { createBaton } from '../../src/baton/create-baton.js';
import { loadConfig } from '../../src/config/index.js';
import { createValueSource } from '../../src/values/index.js';
import { DIALECTS, TEST_POSTGRES_URL, createTestDatabase } from '../../src/store/testing.js';
import { api, waitForDeployment } from '../helpers/deploy-scenario.js';
import type { ApiTarget } from '../helpers/deploy-scenario.js';

const scripts = join(import.meta.dirname, '..', '..', 'scripts');

async function start(env: Record<string, string>): Promise<{ baton: Baton; target: ApiTarget }> {
  const baton = await createBaton(loadConfig({ BATON_LOG_LEVEL: 'silent', BATON_PORT: '0', BATON_ENGINE_POLL_MS: '50', BATON_ORG: 'local', ...env }));
  const url = await baton.listen();
  return { baton, target: { url, token: env.BATON_BOOTSTRAP_TOKEN! } };
}

async function deployApp(target: ApiTarget, appId: string, image: string): Promise<string> {
  const must = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await api<T>(target, method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const delta = await must<{ id: string }>('POST', `/orgs/local/apps/${appId}/deltas`, {
    modules: { add: { api: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image, variables: { KEY: '${values.API_KEY}' } } } } } } },
  });
  const deploy = await must<{ id: string }>('POST', `/orgs/local/apps/${appId}/envs/development/deploys`, { delta_id: delta.id });
  const ended = await waitForDeployment(() => [target], appId, deploy.id);
  assert.equal(ended.status, 'succeeded', JSON.stringify(ended.errors));
  return deploy.id;
}

async function resetSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.query(`drop schema if exists "${schema}_terraform" cascade`);
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
}

for (const dialect of DIALECTS) {
  void describe(`backup and restore [${dialect}]`, () => {
    const work = mkdtempSync(join(tmpdir(), 'baton-backup-'));
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    it('round-trips: the restored Baton opens its secrets and deploys', async () => {
      const database = await createTestDatabase(dialect);
      cleanups.push(() => database.cleanup());
      const secretKey = randomBytes(32).toString('hex');
      const token = randomBytes(16).toString('hex');
      const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
      const appId = `backup-${dialect}`;
      const dbEnv: Record<string, string> = database.databaseUrl !== undefined ? { BATON_DATABASE_URL: database.databaseUrl } : {};

      // A populated Baton: the secret key from the environment (the age key in its data folder).
      const first = await start({ ...dbEnv, BATON_DATA_DIR: database.dataDir, BATON_SECRET_KEY: secretKey, BATON_BOOTSTRAP_TOKEN: token });
      let firstDeploy: string;
      try {
        for (const [path, body] of [
          ['/orgs/local/apps', { id: appId, name: appId }],
          [`/orgs/local/apps/${appId}/values`, { key: 'API_KEY', value: secret, is_secret: true, description: 'payment key' }],
        ] as const) {
          const r = await api(first.target, 'POST', path, body);
          assert.ok(r.status < 300, `POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
        }
        firstDeploy = await deployApp(first.target, appId, 'api:1');
        // Backup while it runs (SQLite's online backup; pg_dump's snapshot).
        execFileSync(join(scripts, 'backup.sh'), [join(work, 'backup'), join(work, 'keys')], {
          env: { ...process.env, ...dbEnv, BATON_DATA_DIR: database.dataDir, BATON_SECRET_KEY: secretKey },
          stdio: 'pipe',
        });
      } finally {
        await first.baton.close();
      }
      assert.equal(statSync(join(work, 'keys', 'secret.key')).mode & 0o777, 0o600);
      assert.ok(existsSync(join(work, 'keys', 'age.agekey')));
      for (const file of ['data.tar', dialect === 'sqlite' ? 'database.sqlite' : 'database.pgdump']) {
        assert.ok(!readFileSync(join(work, 'backup', file)).includes(secret), `${file} holds no secret in clear`);
      }

      // Everything lost: the database and the data folder.
      if (database.databaseUrl !== undefined) await resetSchema(new URL(database.databaseUrl).searchParams.get('options')!.replace('-c search_path=', ''));
      const restoredDir = join(work, 'restored');
      execFileSync(join(scripts, 'restore.sh'), [join(work, 'backup'), join(work, 'keys')], {
        env: { ...process.env, ...dbEnv, BATON_DATA_DIR: restoredDir },
        stdio: 'pipe',
      });
      // A restore over a populated database or folder is refused.
      assert.throws(() => execFileSync(join(scripts, 'restore.sh'), [join(work, 'backup'), join(work, 'keys')], { env: { ...process.env, ...dbEnv, BATON_DATA_DIR: restoredDir }, stdio: 'pipe' }), /not empty/);

      // No key in the environment: the restored key files must do.
      const second = await start({ ...dbEnv, BATON_DATA_DIR: restoredDir, BATON_BOOTSTRAP_TOKEN: token });
      try {
        const old = await api<{ id: string; status: string }>(second.target, 'GET', `/orgs/local/apps/${appId}/envs/development/deploys/${firstDeploy}`);
        assert.equal(old.status, 200, 'the old token still authenticates and the deployment is there');
        assert.equal(old.body.status, 'succeeded');
        const pinned = await createValueSource(second.baton.store, second.baton.box).valueSetFor('local', appId, 'development');
        assert.equal(pinned.values.API_KEY?.value, secret, 'the secret opens with the restored key');
        await deployApp(second.target, appId, 'api:2');
        const log = execFileSync('git', ['-C', join(restoredDir, 'gitops'), 'log', '--oneline'], { encoding: 'utf8' });
        assert.ok(log.trim().split('\n').length >= 2, 'the gitops history came back and grew');
      } finally {
        await second.baton.close();
      }
    });
  });
}
