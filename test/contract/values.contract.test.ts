/**
 * Shared values and value set versions through Humanitec's generated client against `baton serve` (child process),
 * on SQLite and PostgreSQL: app values, env overrides with `source`, versions, restore, purge, and secrets that never
 * come back in any response nor sit in clear in the database.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import pg from 'pg';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

const SECRET = 'sk-live-9f8e7d6c5b4a-never-in-clear';
const ROTATED = 'sk-live-rotated-0a1b2c3d-never-in-clear';
const ENV_SECRET = 'env-only-secret-77aa66bb-never-in-clear';

async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string; details?: { field?: string } } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as { error: string; message: string; details?: { field?: string } } };
  }
  assert.fail('expected the call to fail');
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`values contract via @humanitec/autogen [${dialect}]`, () => {
    let baton: BatonProcess;
    let api: PublicApi;
    /** Every raw response body seen, to prove no secret ever leaves the server. */
    const bodies: string[] = [];
    const orgId = 'local';
    const appId = 'shop';
    const envId = 'development';

    before(async () => {
      baton = await startBatonProcess({ dialect });
      api = new PublicApi(
        apiConfig({ token: baton.token, apiHost: baton.url }),
      ).withPostMiddleware(async ({ response }) => {
        bodies.push(await response.clone().text());
        return response;
      });
      await api.createApplication({ orgId, ApplicationCreationRequest: { id: appId, name: 'Shop' } });
    });
    after(() => baton.stop());

    it('creates app values, overrides one at env level and lists each with its source', async () => {
      const plain = await api.orgsOrgIdAppsAppIdValuesPost({ orgId, appId, ValueCreatePayloadRequest: { key: 'GREETING', value: 'hello', description: 'greeting' } });
      assert.equal(plain.value, 'hello');
      assert.equal(plain.source, 'app');
      const secret = await api.orgsOrgIdAppsAppIdValuesPost({ orgId, appId, ValueCreatePayloadRequest: { key: 'API_KEY', value: SECRET, is_secret: true, description: 'stripe' } });
      assert.equal(secret.value, '');
      assert.equal(secret.is_secret, true);
      assert.equal(secret.secret_store_id, 'baton');
      assert.equal(secret.secret_version, '1');
      assert.match(secret.secret_key ?? '', /API_KEY/);

      const override = await api.orgsOrgIdAppsAppIdEnvsEnvIdValuesKeyPut({ orgId, appId, envId, key: 'GREETING', ValueEditPayloadRequest: { value: 'hi dev', description: 'dev greeting' } });
      assert.equal(override.source, 'env');
      await api.orgsOrgIdAppsAppIdEnvsEnvIdValuesPost({
        orgId,
        appId,
        envId,
        ValueCreatePayloadRequest: { key: 'DB_PASSWORD', description: 'env only', is_secret: true, secret_ref: { value: ENV_SECRET } },
      });

      const envValues = await api.orgsOrgIdAppsAppIdEnvsEnvIdValuesGet({ orgId, appId, envId });
      assert.deepEqual(
        envValues.map((v) => [v.key, v.value, v.source, v.is_secret]),
        [['API_KEY', '', 'app', true], ['DB_PASSWORD', '', 'env', true], ['GREETING', 'hi dev', 'env', false]],
      );
      const appValues = await api.orgsOrgIdAppsAppIdValuesGet({ orgId, appId });
      assert.deepEqual(appValues.map((v) => [v.key, v.value]), [['API_KEY', ''], ['GREETING', 'hello']]);
    });

    it('updates (PATCH, PUT) and deletes, each change making a version', async () => {
      const patched = await api.orgsOrgIdAppsAppIdValuesKeyPatch({ orgId, appId, key: 'API_KEY', ValuePatchPayloadRequest: { value: ROTATED } });
      assert.equal(patched.value, '');
      assert.equal(patched.secret_version, '2');
      const put = await api.orgsOrgIdAppsAppIdValuesKeyPut({ orgId, appId, key: 'GREETING', ValueEditPayloadRequest: { value: 'hello world', description: 'greeting v2' } });
      assert.equal(put.value, 'hello world');
      await api.orgsOrgIdAppsAppIdValuesPost({ orgId, appId, ValueCreatePayloadRequest: { key: 'TEMP', value: 'x', description: '' } });
      await api.orgsOrgIdAppsAppIdValuesKeyDelete({ orgId, appId, key: 'TEMP' });
      await api.orgsOrgIdAppsAppIdEnvsEnvIdValuesKeyDelete({ orgId, appId, envId, key: 'GREETING' });

      const appVersions = await api.orgsOrgIdAppsAppIdValueSetVersionsGet({ orgId, appId });
      assert.deepEqual(appVersions.map((v) => v.result_of), [
        'app_value_delete',
        'app_value_create',
        'app_value_update',
        'app_value_update',
        'app_value_create',
        'app_value_create',
      ]);
      assert.equal(appVersions[0]!.created_by.length > 0, true);
      const plainJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
      assert.deepEqual(plainJson(appVersions[0]!.change), [{ op: 'remove', path: '/TEMP' }]);
      assert.deepEqual(plainJson(appVersions[3]!.change), [{ op: 'replace', path: '/API_KEY/secret_version', value: '2' }]);
      const keyHistory = await api.orgsOrgIdAppsAppIdValueSetVersionsGet({ orgId, appId, key_changed: 'GREETING' });
      assert.equal(keyHistory.length, 2);

      const envVersions = await api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsGet({ orgId, appId, envId });
      assert.equal(envVersions[0]!.result_of, 'env_value_delete');
      // Dropping the override uncovers the app value: the env's change shows exactly that.
      assert.deepEqual(
        envVersions[0]!.change.map((op): [string, string, unknown] => [op.op, op.path, op.value]).sort(),
        [['replace', '/GREETING/description', 'greeting v2'], ['replace', '/GREETING/value', 'hello world']],
      );
      assert.equal(envVersions[0]!.values.GREETING?.source, 'app');
      const one = await api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsValueSetVersionIdGet({ orgId, appId, envId, valueSetVersionId: envVersions[1]!.id });
      assert.equal(one.id, envVersions[1]!.id);
      assert.equal(one.values.GREETING?.source, 'env');
    });

    it('restores a whole version and a single key', async () => {
      const versions = await api.orgsOrgIdAppsAppIdValueSetVersionsGet({ orgId, appId });
      const firstTwo = versions.find((v) => String(v.result_of) === 'app_value_create' && Object.keys(v.values).length === 2 && v.values.GREETING?.value === 'hello')!;
      const restored = await api.orgsOrgIdAppsAppIdValueSetVersionsValueSetVersionIdRestorePost({
        orgId,
        appId,
        valueSetVersionId: firstTwo.id,
        ValueSetActionPayloadRequest: { comment: 'roll back greeting' },
      });
      assert.equal(restored.result_of, 'app_value_set_version_restore');
      assert.equal(restored.source_value_set_version_id, firstTwo.id);
      assert.equal(restored.comment, 'roll back greeting');
      assert.equal(restored.values.GREETING?.value, 'hello');
      assert.equal(restored.values.API_KEY?.secret_version, '1', 'the first secret value is back');

      const withGreetingV2 = versions.find((v) => v.values.GREETING?.value === 'hello world')!;
      const oneKey = await api.orgsOrgIdAppsAppIdValueSetVersionsValueSetVersionIdRestoreKeyPost({
        orgId,
        appId,
        valueSetVersionId: withGreetingV2.id,
        key: 'GREETING',
        ValueSetActionPayloadRequest: {},
      });
      assert.equal(oneKey.values.GREETING?.value, 'hello world');
      assert.equal(oneKey.values.API_KEY?.secret_version, '1', 'other keys untouched');
      const current = await api.orgsOrgIdAppsAppIdValuesGet({ orgId, appId });
      assert.deepEqual(current.map((v) => [v.key, v.value]), [['API_KEY', ''], ['GREETING', 'hello world']]);
    });

    it('purges a secret key from a version', async () => {
      const versions = await api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsGet({ orgId, appId, envId });
      const withDbPassword = versions.find((v) => v.values.DB_PASSWORD !== undefined && String(v.values.DB_PASSWORD.source) === 'env')!;
      await api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsValueSetVersionIdPurgeKeyPost({
        orgId,
        appId,
        envId,
        valueSetVersionId: withDbPassword.id,
        key: 'DB_PASSWORD',
        ValueSetActionPayloadRequest: { comment: 'leaked' },
      });
      const after = await api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsGet({ orgId, appId, envId });
      assert.equal(after[0]!.result_of, 'env_value_set_version_purge');
      assert.equal(after[0]!.values.DB_PASSWORD, undefined);
      const current = await api.orgsOrgIdAppsAppIdEnvsEnvIdValuesGet({ orgId, appId, envId });
      assert.ok(!current.some((v) => v.key === 'DB_PASSWORD'));
      const restoreAttempt = await failure(
        api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsValueSetVersionIdRestoreKeyPost({ orgId, appId, envId, valueSetVersionId: withDbPassword.id, key: 'DB_PASSWORD', ValueSetActionPayloadRequest: {} }),
      );
      assert.equal(restoreAttempt.status, 400);
      assert.match(restoreAttempt.body.message, /purged/);
    });

    it('answers bad input with a 4xx naming the field', async () => {
      const badKey = await failure(api.orgsOrgIdAppsAppIdValuesPost({ orgId, appId, ValueCreatePayloadRequest: { key: 'no spaces allowed', value: 'x', description: '' } }));
      assert.equal(badKey.status, 400);
      assert.equal(badKey.body.details?.field, 'key');
      const duplicate = await failure(api.orgsOrgIdAppsAppIdValuesPost({ orgId, appId, ValueCreatePayloadRequest: { key: 'GREETING', value: 'x', description: '' } }));
      assert.equal(duplicate.status, 409);
      const missing = await failure(api.orgsOrgIdAppsAppIdValuesKeyPatch({ orgId, appId, key: 'NOPE', ValuePatchPayloadRequest: { value: 'x' } }));
      assert.equal(missing.status, 404);
      assert.match(missing.body.message, /NOPE/);
      const headers = { authorization: `Bearer ${baton.token}`, 'content-type': 'application/json' };
      const wrongType = await fetch(`${baton.url}/orgs/${orgId}/apps/${appId}/values`, { method: 'POST', headers, body: JSON.stringify({ key: 'N', value: 42, description: '' }) });
      assert.equal(wrongType.status, 400);
      assert.equal(((await wrongType.json()) as { details: { field: string } }).details.field, 'value');
      const wrongSecretFlag = await fetch(`${baton.url}/orgs/${orgId}/apps/${appId}/values/GREETING`, { method: 'PUT', headers, body: JSON.stringify({ description: '', is_secret: 'yes' }) });
      assert.equal(wrongSecretFlag.status, 400);
      assert.equal(((await wrongSecretFlag.json()) as { details: { field: string } }).details.field, 'is_secret');
      const badPathKey = await fetch(`${baton.url}/orgs/${orgId}/apps/${appId}/values/bad%20key`, { method: 'DELETE', headers: { authorization: headers.authorization } });
      assert.equal(badPathKey.status, 400);
      assert.equal(((await badPathKey.json()) as { details: { field: string } }).details.field, 'key');
    });

    it('never returns a secret value and never stores one in clear', async () => {
      // Fetch every view once more so the check covers listings and single versions too.
      for (const v of await api.orgsOrgIdAppsAppIdValueSetVersionsGet({ orgId, appId })) {
        await api.orgsOrgIdAppsAppIdValueSetVersionsValueSetVersionIdGet({ orgId, appId, valueSetVersionId: v.id });
      }
      await api.orgsOrgIdAppsAppIdEnvsEnvIdValueSetVersionsGet({ orgId, appId, envId });
      assert.ok(bodies.length > 20);
      for (const secret of [SECRET, ROTATED, ENV_SECRET]) {
        assert.ok(!bodies.some((body) => body.includes(secret)), `a response contained ${secret}`);
      }

      let stored: string;
      if (dialect === 'sqlite') {
        stored = readdirSync(baton.database.dataDir)
          .filter((name) => name.startsWith('baton.db'))
          .map((name) => readFileSync(join(baton.database.dataDir, name)).toString('latin1'))
          .join('\n');
        assert.ok(stored.includes('GREETING'), 'the grep reads the database files');
      } else {
        const client = new pg.Client({ connectionString: baton.database.databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ value_set: string; change: string }>('select value_set, change from value_set_versions');
          assert.ok(rows.length > 10);
          stored = rows.map((r) => r.value_set + r.change).join('\n');
        } finally {
          await client.end();
        }
      }
      for (const secret of [SECRET, ROTATED, ENV_SECRET]) assert.ok(!stored.includes(secret), `the database holds ${secret} in clear`);
      assert.ok(stored.includes('"sealed":"v1.'), 'secrets are stored sealed');
    });
  });
}
