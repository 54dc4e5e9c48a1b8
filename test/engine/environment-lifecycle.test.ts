/**
 * The end of environments and applications, through the real API with real services (docs/internals/engine.md, Lifecycle):
 * app deletion drops real PostgreSQL databases and roles; a terraform resource whose script escapes its
 * placeholders (`$\{…}`) is destroyed with the inputs it was provisioned with; a driver failing to deprovision
 * leaves the env (and app) `deleting` with the failure listed until a retry succeeds; the gitops folder of a
 * deleted env goes in one commit.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Driver, ProvisionRequest } from '../../src/drivers/contract.js';
import { postgresNames } from '../../src/drivers/postgres.js';
import { DriverFailed } from '../../src/shared/errors.js';
import { DIALECTS } from '../../src/store/testing.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';
import { databaseText, postgresDatabaseExists, postgresRoleExists } from './helpers.js';

interface ResourceView {
  type: string;
  res_id: string;
  gu_res_id: string;
  status: string;
  last_error?: string;
  resource: Record<string, unknown>;
}

const postgresDefinition = (id: string, appId: string) => ({
  id,
  name: id,
  type: 'postgres',
  driver_type: 'humanitec/postgres',
  driver_inputs: { values: { host: '127.0.0.1', port: 5432, name: 'postgres' }, secrets: { dbcredentials: { username: 'postgres', password: '' } } },
  criteria: [{ app_id: appId }],
});

const web = { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'nginx:1' } } } };

async function createApp(h: EngineHarness, appId: string, envs: { id: string; type: string }[] = []): Promise<void> {
  assert.equal((await h.api('POST', '/orgs/local/apps', { id: appId, name: appId })).status, 201);
  for (const env of envs) assert.equal((await h.api('POST', `/orgs/local/apps/${appId}/envs`, { id: env.id, name: env.id, type: env.type })).status, 201);
}

/** Deploys `delta` to the env and waits for success. */
async function deploy(h: EngineHarness, appId: string, envId: string, delta: object): Promise<string> {
  const created = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/deltas`, delta);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const submitted = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/envs/${envId}/deploys`, { delta_id: created.body.id, comment: 'lifecycle' });
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  const done = await waitForDeployment(h, appId, envId, submitted.body.id, 120_000);
  const errors = await h.api('GET', `/orgs/local/apps/${appId}/envs/${envId}/deploys/${submitted.body.id}/errors`);
  assert.equal(done.status, 'succeeded', JSON.stringify(errors.body));
  return submitted.body.id;
}

const resourcesOf = async (h: EngineHarness, appId: string, envId: string): Promise<ResourceView[]> =>
  (await h.api<ResourceView[]>('GET', `/orgs/local/apps/${appId}/envs/${envId}/resources`)).body;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

void describe('environment and application deletion with real services', () => {
  let h: EngineHarness;
  before(async () => {
    h = await startEngineHarness();
  });
  after(() => h.stop());

  it('(a) deleting an app deprovisions every environment: its real PostgreSQL databases and roles are dropped', async () => {
    const appId = `pgapp-${randomBytes(3).toString('hex')}`;
    await createApp(h, appId, [{ id: 'staging', type: 'staging' }]);
    assert.equal((await h.api('POST', '/orgs/local/resources/defs', postgresDefinition(`${appId}-pg`, appId))).status, 200);
    const delta = { modules: { add: { web } }, shared: [{ op: 'add', path: '/db', value: { type: 'postgres' } }] };
    await deploy(h, appId, 'development', delta);
    await deploy(h, appId, 'staging', delta);
    const names = [];
    for (const envId of ['development', 'staging']) {
      const db = (await resourcesOf(h, appId, envId)).find((r) => r.type === 'postgres')!;
      const { database, role } = postgresNames(db.gu_res_id);
      assert.equal(db.resource.name, database);
      assert.ok(await postgresDatabaseExists(database));
      assert.ok(await postgresRoleExists(role));
      names.push({ database, role });
    }

    const deleted = await h.api('DELETE', `/orgs/local/apps/${appId}`);
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    for (const { database, role } of names) {
      assert.equal(await postgresDatabaseExists(database), false, `database ${database} dropped`);
      assert.equal(await postgresRoleExists(role), false, `role ${role} dropped`);
    }
    assert.equal((await h.api('GET', `/orgs/local/apps/${appId}`)).status, 404);
    assert.equal((await h.api('GET', `/orgs/local/apps/${appId}/envs/development`)).status, 404);
    const left = await h.store.db.selectFrom('active_resources').select('guresid').where('app_id', '=', appId).execute();
    assert.deepEqual(left, []);
    assert.deepEqual(await h.store.db.selectFrom('deployments').select('id').where('app_id', '=', appId).execute(), [], 'its deployments go too');
  });

  const terraformMissing = spawnSync(process.env.BATON_TERRAFORM_BIN ?? 'terraform', ['version'], { stdio: 'ignore' }).status !== 0;
  it(
    '(b) an env with a terraform resource whose script escapes its placeholders and a real PostgreSQL database deletes cleanly',
    { skip: terraformMissing ? 'terraform not found' : false },
    async () => {
      const appId = `tfapp-${randomBytes(3).toString('hex')}`;
      const markerDir = mkdtempSync(join(tmpdir(), 'baton-tf-marker-'));
      try {
        await createApp(h, appId);
        assert.equal((await h.api('POST', '/orgs/local/resources/defs', postgresDefinition(`${appId}-pg`, appId))).status, 200);
        // `$\{…}` is Baton's (and Humanitec's) escape: the driver gets `${…}`, which terraform resolves itself.
        const script = [
          'variable "marker_dir" { type = string }',
          'variable "db_name" { type = string }',
          'resource "terraform_data" "grant" {',
          '  input = { dir = var.marker_dir, db = var.db_name }',
          '  provisioner "local-exec" {',
          '    when    = destroy',
          `    command = "echo destroyed-$\\{self.input.db} >> '$\\{self.input.dir}/destroyed'"`,
          '  }',
          '}',
          'output "summary" { value = "grant on $\\{var.db_name}" }',
        ].join('\n');
        const tf = await h.api('POST', '/orgs/local/resources/defs', {
          id: `${appId}-tf`,
          name: 'terraform grant',
          type: 'config',
          driver_type: 'humanitec/terraform',
          driver_inputs: { values: { script, variables: { marker_dir: markerDir, db_name: '${resources.postgres#shared.db.outputs.name}' } } },
          criteria: [{ app_id: appId, res_id: 'shared.grant' }],
        });
        assert.equal(tf.status, 200, JSON.stringify(tf.body));
        await deploy(h, appId, 'development', {
          modules: { add: { web } },
          shared: [
            { op: 'add', path: '/db', value: { type: 'postgres' } },
            { op: 'add', path: '/grant', value: { type: 'config' } },
          ],
        });
        const resources = await resourcesOf(h, appId, 'development');
        const db = resources.find((r) => r.type === 'postgres')!;
        const grant = resources.find((r) => r.res_id === 'shared.grant')!;
        const dbName = String(db.resource.name);
        assert.equal(grant.resource.summary, `grant on ${dbName}`, 'the escaped placeholder reached terraform as ${var.db_name}');
        const stateDir = join(h.database.dataDir, 'terraform', `res-${grant.gu_res_id}`);
        assert.ok(existsSync(stateDir));

        const deleted = await h.api('DELETE', `/orgs/local/apps/${appId}/envs/development`);
        assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
        assert.equal(readFileSync(join(markerDir, 'destroyed'), 'utf8').trim(), `destroyed-${dbName}`, 'terraform destroy ran with the provisioned inputs');
        assert.equal(existsSync(stateDir), false, 'the terraform state is gone');
        assert.equal(await postgresDatabaseExists(dbName), false);
        assert.equal(await postgresRoleExists(postgresNames(db.gu_res_id).role), false);
        assert.equal((await h.api('GET', `/orgs/local/apps/${appId}/envs/development`)).status, 404);
        assert.equal((await h.api('GET', `/orgs/local/apps/${appId}`)).status, 200, 'deleting an env leaves its app');
      } finally {
        rmSync(markerDir, { recursive: true, force: true });
      }
    },
  );

  it('(d) gitops: the deleted env leaves the repository in one commit; the other envs of the app stay', async () => {
    const appId = `gitapp-${randomBytes(3).toString('hex')}`;
    await createApp(h, appId, [{ id: 'staging', type: 'staging' }]);
    await deploy(h, appId, 'development', { modules: { add: { web } } });
    await deploy(h, appId, 'staging', { modules: { add: { web } } });
    const repo = join(h.database.dataDir, 'gitops');
    const files = () => git(repo, 'ls-tree', '-r', '--name-only', 'HEAD').trim().split('\n');
    assert.ok(files().some((f) => f.startsWith(`${appId}/development/`)));
    const before = git(repo, 'rev-parse', 'HEAD').trim();

    assert.equal((await h.api('DELETE', `/orgs/local/apps/${appId}/envs/development`)).status, 204);
    assert.equal(git(repo, 'rev-parse', 'HEAD~1').trim(), before, 'one commit');
    assert.equal(git(repo, 'log', '-1', '--format=%s').trim(), `Delete environment ${appId}/development`);
    const changed = git(repo, 'show', '--name-status', '--format=', 'HEAD').trim().split('\n');
    assert.ok(changed.length > 0 && changed.every((line) => line.startsWith(`D\t${appId}/development/`)), changed.join('\n'));
    assert.ok(!files().some((f) => f.startsWith(`${appId}/development/`)), 'the folder is gone from HEAD');
    assert.ok(files().some((f) => f.startsWith(`${appId}/staging/`)), 'staging stays');
    assert.equal(existsSync(join(repo, appId, 'development')), false);
  });
});

for (const dialect of DIALECTS) {
  void describe(`a resource that fails to deprovision [${dialect}]`, () => {
    const SECRET = `tok-${randomBytes(8).toString('hex')}`;
    const OUTPUT_SECRET = `key-${randomBytes(8).toString('hex')}`;
    /** Apps whose `test/flaky` resources refuse to be deprovisioned. */
    const failingApps = new Set<string>();
    const deprovisioned: { driver: string; appId: string; envId: string; resId: string; bucket: unknown; params: unknown }[] = [];
    const recording = (id: string, flaky: boolean): Driver => ({
      id,
      provision: (request: ProvisionRequest) =>
        Promise.resolve({ values: { ...request.driver.values }, secrets: flaky ? { key: OUTPUT_SECRET } : {}, manifests: [] }),
      deprovision(request: ProvisionRequest) {
        const { appId, envId } = request.context;
        if (flaky && failingApps.has(appId)) {
          throw new DriverFailed(`bucket ${String(request.driver.values.bucket)} is not empty (token ${String(request.driver.secrets.token)}, key ${OUTPUT_SECRET})`);
        }
        deprovisioned.push({ driver: id, appId, envId, resId: request.resId, bucket: request.driver.values.bucket, params: request.resource });
        return Promise.resolve();
      },
    });
    let h: EngineHarness;
    const seen: string[] = [];
    const api = async <T>(method: string, path: string, body?: unknown) => {
      const res = await h.api<T>(method, path, body);
      seen.push(JSON.stringify(res.body ?? null));
      return res;
    };

    before(async () => {
      h = await startEngineHarness({ dialect, extraDrivers: [recording('test/flaky', true), recording('test/fine', false)] });
      const def = (id: string, driver: string, resId: string, values: object, secrets: object = {}) =>
        h.api('POST', '/orgs/local/resources/defs', { id, name: id, type: 'config', driver_type: driver, driver_inputs: { values, secrets }, criteria: [{ res_id: resId }] });
      assert.equal((await def('flaky-bucket', 'test/flaky', 'shared.bucket', { bucket: '${context.app.id}-${context.env.id}-bucket' }, { token: SECRET })).status, 200);
      assert.equal((await def('fine-settings', 'test/fine', 'shared.settings', { note: 'fine' })).status, 200);
    });
    after(() => h.stop());

    const delta = {
      modules: { add: { web } },
      shared: [
        { op: 'add', path: '/bucket', value: { type: 'config', params: { size: 'large' } } },
        { op: 'add', path: '/settings', value: { type: 'config' } },
      ],
    };

    it('(c) the rest is removed, the env stays deleting with the failure listed and refuses deployments; DELETE again and POST .../baton/retry finish it', async () => {
      const appId = 'flaky';
      await createApp(h, appId, [{ id: 'qa', type: 'staging' }]);
      for (const envId of ['development', 'qa']) await deploy(h, appId, envId, delta);
      failingApps.add(appId);

      for (const envId of ['development', 'qa']) {
        const envPath = `/orgs/local/apps/${appId}/envs/${envId}`;
        const failed = await api<{ error: string; message: string; details: { status: string; failed: { res_id: string; error: string }[] } }>('DELETE', envPath);
        assert.equal(failed.status, 502, JSON.stringify(failed.body));
        assert.equal(failed.body.error, 'DRIVER_FAILED');
        assert.match(failed.body.message, /config\.default#shared\.bucket/);
        assert.match(failed.body.message, /stays in status "deleting"/);
        assert.equal(failed.body.details.status, 'deleting');
        assert.deepEqual(failed.body.details.failed.map((f) => f.res_id), ['shared.bucket']);

        // Everything else is gone (but the cluster resource naming the target, which goes after the target forgot the
        // env); the failed resource is listed with its status and masked error.
        const left = (await api<ResourceView[]>('GET', `${envPath}/resources`)).body;
        assert.deepEqual(left.map((r) => `${r.type}/${r.res_id}:${r.status}`).sort(), ['config/shared.bucket:deprovision_failed', 'k8s-cluster/k8s-cluster:active']);
        const bucketView = left.find((r) => r.res_id === 'shared.bucket')!;
        assert.match(bucketView.last_error!, new RegExp(`bucket ${appId}-${envId}-bucket is not empty \\(token \\*\\*\\*, key \\*\\*\\*\\)`));
        assert.ok(deprovisioned.some((d) => d.appId === appId && d.envId === envId && d.resId === 'shared.settings'), 'the other resource was deprovisioned');
        const env = (await api<{ status: string }>('GET', envPath)).body;
        assert.equal(env.status, 'deleting');
        const listed = (await api<{ id: string; status: string }[]>('GET', `/orgs/local/apps/${appId}/envs`)).body;
        assert.equal(listed.find((e) => e.id === envId)?.status, 'deleting');

        // Its sealed outputs and inputs stay in the store for the retry.
        const row = await h.store.db.selectFrom('active_resources').selectAll().where('app_id', '=', appId).where('env_id', '=', envId).where('res_id', '=', 'shared.bucket').executeTakeFirstOrThrow();
        assert.ok(row.secrets_sealed !== null && row.inputs_sealed !== null);

        // No deployments while deleting.
        const created = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/deltas`, { modules: { add: { other: web } } });
        const refused = await api<{ message: string }>('POST', `${envPath}/deploys`, { delta_id: created.body.id });
        assert.equal(refused.status, 409);
        assert.match(refused.body.message, /is deleting/);

        // Still failing: a retry reports the same, and keeps the env.
        assert.equal((await api('POST', `${envPath}/baton/retry`)).status, 502);
      }

      failingApps.delete(appId);
      assert.equal((await api('DELETE', `/orgs/local/apps/${appId}/envs/development`)).status, 204);
      assert.equal((await api('POST', `/orgs/local/apps/${appId}/envs/qa/baton/retry`)).status, 204);
      for (const envId of ['development', 'qa']) {
        assert.equal((await api('GET', `/orgs/local/apps/${appId}/envs/${envId}`)).status, 404);
        const bucket = deprovisioned.find((d) => d.appId === appId && d.envId === envId && d.resId === 'shared.bucket');
        assert.equal(bucket?.bucket, `${appId}-${envId}-bucket`, 'deprovisioned with the resolved inputs it was provisioned with');
        assert.deepEqual(bucket?.params, { size: 'large' });
      }
      assert.equal((await api('GET', `/orgs/local/apps/${appId}`)).status, 200, 'deleting envs leaves the app');
      assert.deepEqual(await h.store.db.selectFrom('active_resources').select('guresid').where('app_id', '=', appId).execute(), []);

      // Retrying an env that is not being deleted is a conflict.
      await h.api('POST', `/orgs/local/apps/${appId}/envs`, { id: 'fresh', name: 'Fresh', type: 'development' });
      const notDeleting = await api<{ message: string }>('POST', `/orgs/local/apps/${appId}/envs/fresh/baton/retry`);
      assert.equal(notDeleting.status, 409);
      assert.match(notDeleting.body.message, /is active, not deleting/);

      const everything = seen.join('\n') + (await databaseText(h.store, h.database));
      assert.ok(!everything.includes(SECRET), 'the definition secret is never in clear');
      assert.ok(!everything.includes(OUTPUT_SECRET), 'the secret output is never in clear');
    });

    it('(c) an app whose env fails to deprovision stays deleting until its last env is gone: DELETE again, or the last env retry', async () => {
      for (const [appId, finish] of [['doomed-a', 'delete-app'], ['doomed-b', 'retry-env']] as const) {
        await createApp(h, appId, [{ id: 'staging', type: 'staging' }]);
        await deploy(h, appId, 'development', delta);
        await deploy(h, appId, 'staging', { modules: { add: { web } }, shared: [{ op: 'add', path: '/settings', value: { type: 'config' } }] });
        failingApps.add(appId);

        const failed = await api<{ message: string; details: { status: string; environments: { id: string }[] } }>('DELETE', `/orgs/local/apps/${appId}`);
        assert.equal(failed.status, 502, JSON.stringify(failed.body));
        assert.match(failed.body.message, new RegExp(`application "${appId}" could not be deleted`));
        assert.deepEqual(failed.body.details.environments.map((e) => e.id), ['development']);
        const app = (await api<{ status: string; envs: { id: string }[] }>('GET', `/orgs/local/apps/${appId}`)).body;
        assert.equal(app.status, 'deleting');
        assert.deepEqual(app.envs.map((e) => e.id), ['development'], 'the env without failures is gone');
        assert.equal((await api<{ status: string }>('GET', `/orgs/local/apps/${appId}/envs/development`)).body.status, 'deleting');
        const newEnv = await api<{ message: string }>('POST', `/orgs/local/apps/${appId}/envs`, { id: 'late', name: 'Late', type: 'development' });
        assert.equal(newEnv.status, 409);
        assert.match(newEnv.body.message, /is deleting/);
        assert.equal((await api('DELETE', `/orgs/local/apps/${appId}`)).status, 502, 'still failing');

        failingApps.delete(appId);
        if (finish === 'delete-app') assert.equal((await api('DELETE', `/orgs/local/apps/${appId}`)).status, 204);
        else assert.equal((await api('POST', `/orgs/local/apps/${appId}/envs/development/baton/retry`)).status, 204);
        assert.equal((await api('GET', `/orgs/local/apps/${appId}`)).status, 404, `${finish} removed the app with its last env`);
        assert.deepEqual(await h.store.db.selectFrom('active_resources').select('guresid').where('app_id', '=', appId).execute(), []);
      }
    });
  });
}
