/**
 * A definition with `driver_account` deploys end to end (issue #18): the template driver sees the account's
 * credentials in `.driver.secrets.account`, a rotation of the credentials reaches the next deployment, the account
 * cannot be deleted while a definition or an active resource uses it, and no API response or deployment log ever
 * holds a credential in clear (a template that fails with the secret in its message is masked).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Driver } from '../../src/drivers/contract.js';
import { databaseText } from '../helpers/database-text.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY-account-secret-1';
const ROTATED = 'rotated/K7MDENG/bPxRfiCY-account-secret-2';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

for (const dialect of ['sqlite', 'postgres'] as const) {
  void describe(`driver_account through the engine [${dialect}]`, () => {
    let h: EngineHarness;
    const app = 'acct';
    /** What the recording driver was handed as `account`, per call. */
    const seen: Array<{ call: 'provision' | 'deprovision'; account: unknown }> = [];
    const recorder: Driver = {
      id: 'test/account-recorder',
      provision: (request) => {
        seen.push({ call: 'provision', account: request.account });
        return Promise.resolve({ values: {}, secrets: {}, manifests: [] });
      },
      deprovision: (request) => {
        seen.push({ call: 'deprovision', account: request.account });
        return Promise.resolve();
      },
    };
    const bodies: string[] = [];
    const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const response = await h.api<T>(method, path, body);
      bodies.push(JSON.stringify(response.body ?? null));
      return response;
    };

    before(async () => {
      h = await startEngineHarness({ dialect, extraDrivers: [recorder] });
      assert.equal((await call('POST', '/orgs/local/apps', { id: app, name: 'Accounts' })).status, 201);
      const root = join(h.database.dataDir, 'manifests');
      assert.ok((await call('POST', '/orgs/local/resources/defs', { id: 'acct-cluster', name: 'dir', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: app }] })).status < 300);
      const account = await call('POST', '/orgs/local/resources/accounts', { id: 'aws-dev', name: 'AWS dev', type: 'aws', credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET } });
      assert.equal(account.status, 200, JSON.stringify(account.body));
    });
    after(async () => {
      await h.stop();
    });

    async function deploy(envId: string, external: string): Promise<{ id: string; status: string }> {
      const created = await call('POST', `/orgs/local/apps/${app}/envs`, { id: envId, name: envId, type: 'development' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const delta = await call<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
        modules: { add: { web: { profile: 'humanitec/default-module', externals: { [external]: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'web:1' } } } } } },
      });
      const submitted = await call<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/${envId}/deploys`, { delta_id: delta.body.id });
      assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
      const done = await waitForDeployment(h, app, envId, submitted.body.id);
      return { id: submitted.body.id, status: done.status };
    }

    it('the template driver sees the credentials in .driver.secrets.account, and a rotation reaches the next deployment', async () => {
      const definition = {
        id: 'with-account',
        name: 'with account',
        type: 'config',
        driver_type: 'humanitec/template',
        driver_account: 'aws-dev',
        driver_inputs: { values: { templates: { outputs: 'secret_hash: {{ .driver.secrets.account.aws_secret_access_key | sha256sum }}\nkey_id_length: {{ len .driver.secrets.account.aws_access_key_id }}' } } },
        criteria: [{ app_id: app, res_id: 'modules.web.externals.cloud' }],
      };
      assert.ok((await call('POST', '/orgs/local/resources/defs', definition)).status < 300);
      const first = await deploy('one', 'cloud');
      assert.equal(first.status, 'succeeded');
      const resources = await call<Array<{ res_id: string; driver_account?: string; resource: Record<string, unknown> }>>('GET', `/orgs/local/apps/${app}/envs/one/resources`);
      const resource = resources.body.find((r) => r.res_id === 'modules.web.externals.cloud');
      assert.ok(resource, JSON.stringify(resources.body));
      assert.equal(resource.driver_account, 'aws-dev');
      assert.equal(resource.resource.secret_hash, sha256(SECRET));
      assert.equal(resource.resource.key_id_length, KEY_ID.length);

      assert.equal((await call('PATCH', '/orgs/local/resources/accounts/aws-dev', { credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: ROTATED } })).status, 200);
      const second = await deploy('two', 'cloud');
      assert.equal(second.status, 'succeeded');
      const rotated = await call<Array<{ res_id: string; resource: Record<string, unknown> }>>('GET', `/orgs/local/apps/${app}/envs/two/resources`);
      assert.equal(rotated.body.find((r) => r.res_id === 'modules.web.externals.cloud')?.resource.secret_hash, sha256(ROTATED));
    });

    it('a plan runs the template driver with the account too (its template needs the credentials)', async () => {
      assert.equal((await call('POST', `/orgs/local/apps/${app}/envs`, { id: 'planned', name: 'planned', type: 'development' })).status, 201);
      const delta = await call<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
        modules: { add: { web: { profile: 'humanitec/default-module', externals: { cloud: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'web:1' } } } } } },
      });
      const plan = await call<{ resources: Array<{ res_id: string; rendered: boolean; outputs_known: boolean }> }>('POST', `/orgs/local/apps/${app}/envs/planned/baton/plans`, { delta_id: delta.body.id });
      assert.equal(plan.status, 201, JSON.stringify(plan.body));
      const planned = plan.body.resources.find((r) => r.res_id === 'modules.web.externals.cloud');
      assert.deepEqual([planned?.rendered, planned?.outputs_known], [true, true]);
    });

    it("an HTTP driver receives the credentials in driver.secrets.account, as Humanitec's Driver API sends them", async () => {
      const received: unknown[] = [];
      const server = createServer((req, res) => {
        let text = '';
        req.on('data', (chunk: Buffer) => (text += chunk.toString()));
        req.on('end', () => {
          if (req.method === 'PUT') received.push(JSON.parse(text));
          res.writeHead(req.method === 'PUT' ? 200 : 204, { 'content-type': 'application/json' }).end(req.method === 'PUT' ? JSON.stringify({ resource: { values: { ok: true }, secrets: {} } }) : undefined);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        assert.ok((await call('POST', '/orgs/local/resources/drivers', { id: 'acct-http', type: 'config', target, account_types: ['aws'], inputs_schema: {} })).status < 300);
        assert.ok((await call('POST', '/orgs/local/resources/defs', { id: 'http-account', name: 'http', type: 'config', driver_type: 'local/acct-http', driver_account: 'aws-dev', driver_inputs: { values: { region: 'eu-west-1' } }, criteria: [{ app_id: app, res_id: 'modules.web.externals.remote' }] })).status < 300);
        assert.equal((await deploy('http', 'remote')).status, 'succeeded');
        assert.equal(received.length, 1);
        const input = received[0] as { driver: { values: Record<string, unknown>; secrets: { account: Record<string, string> } } };
        assert.deepEqual(input.driver.secrets.account, { aws_access_key_id: KEY_ID, aws_secret_access_key: ROTATED });
        assert.equal(input.driver.values.region, 'eu-west-1');
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });

    it('the account is in use: is_used is true and deleting it is refused with the referencing definitions and active resources', async () => {
      assert.equal((await call<{ is_used: boolean }>('GET', '/orgs/local/resources/accounts/aws-dev')).body.is_used, true);
      const refused = await call<{ error: string; details: { referencing_resources: { resource_definitions: Array<{ id: string }>; active_resources: Array<{ env_id: string }> } } }>('DELETE', '/orgs/local/resources/accounts/aws-dev');
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.deepEqual(refused.body.details.referencing_resources.resource_definitions.map((d) => d.id), ['http-account', 'with-account']);
      assert.deepEqual(refused.body.details.referencing_resources.active_resources.map((r) => r.env_id).sort(), ['http', 'one', 'two']);
      assert.equal((await call('GET', '/orgs/local/resources/accounts/aws-dev')).status, 200);
    });

    it("a custom driver whose account_types lack the account's type is refused at provisioning, naming both", async () => {
      assert.ok((await call('POST', '/orgs/local/resources/drivers', { id: 'gcp-only', type: 'config', target: 'http://127.0.0.1:9/', account_types: ['gcp'], inputs_schema: {} })).status < 300);
      assert.ok((await call('POST', '/orgs/local/resources/defs', { id: 'wrong-type', name: 'wrong', type: 'config', driver_type: 'local/gcp-only', driver_account: 'aws-dev', driver_inputs: { values: {} }, criteria: [{ app_id: app, res_id: 'modules.web.externals.wrong' }] })).status < 300);
      const failed = await deploy('wrong', 'wrong');
      assert.equal(failed.status, 'failed');
      const errors = JSON.stringify((await call('GET', `/orgs/local/apps/${app}/envs/wrong/deploys/${failed.id}/errors`)).body);
      assert.match(errors, /accepts accounts of type \\"gcp\\"; driver_account \\"aws-dev\\" is of type \\"aws\\"/);
    });

    it('deleting the environment deprovisions with the account read again (rotated credentials included)', async () => {
      assert.ok((await call('POST', '/orgs/local/resources/defs', { id: 'recorded', name: 'recorded', type: 'config', driver_type: 'test/account-recorder', driver_account: 'aws-dev', driver_inputs: { values: {} }, criteria: [{ app_id: app, res_id: 'modules.web.externals.recorded' }] })).status < 300);
      assert.equal((await deploy('recorded', 'recorded')).status, 'succeeded');
      assert.deepEqual(seen, [{ call: 'provision', account: { aws_access_key_id: KEY_ID, aws_secret_access_key: ROTATED } }]);
      assert.equal((await call('PATCH', '/orgs/local/resources/accounts/aws-dev', { credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET } })).status, 200);
      assert.equal((await call('DELETE', `/orgs/local/apps/${app}/envs/recorded`)).status, 204);
      assert.deepEqual(seen.at(-1), { call: 'deprovision', account: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET } });
    });

    it('a template that fails with the credential in its message is masked in the errors and the log', async () => {
      const leaking = {
        id: 'leaking',
        name: 'leaking',
        type: 'config',
        driver_type: 'humanitec/template',
        driver_account: 'aws-dev',
        driver_inputs: { values: { templates: { outputs: '{{ fail (printf "the key is %s" .driver.secrets.account.aws_secret_access_key) }}' } } },
        criteria: [{ app_id: app, res_id: 'modules.web.externals.leak' }],
      };
      assert.ok((await call('POST', '/orgs/local/resources/defs', leaking)).status < 300);
      const failed = await deploy('leak', 'leak');
      assert.equal(failed.status, 'failed');
      const errors = await call('GET', `/orgs/local/apps/${app}/envs/leak/deploys/${failed.id}/errors`);
      assert.match(JSON.stringify(errors.body), /the key is/);
      await call('GET', `/orgs/local/apps/${app}/envs/leak/deploys/${failed.id}/baton/logs`);
    });

    it('a definition naming an account that does not exist fails its deployment saying so', async () => {
      const orphan = { id: 'no-account', name: 'no account', type: 'config', driver_type: 'humanitec/template', driver_account: 'missing-acct', driver_inputs: { values: {} }, criteria: [{ app_id: app, res_id: 'modules.web.externals.orphan' }] };
      assert.ok((await call('POST', '/orgs/local/resources/defs', orphan)).status < 300);
      const failed = await deploy('orphan', 'orphan');
      assert.equal(failed.status, 'failed');
      assert.match(JSON.stringify((await call('GET', `/orgs/local/apps/${app}/envs/orphan/deploys/${failed.id}/errors`)).body), /missing-acct/);
    });

    it('no response of this run held a credential in clear, nor does any row of the database', async () => {
      assert.ok(bodies.length > 15);
      const rows = await databaseText(h.store, dialect === 'sqlite' ? h.database.dataDir : undefined);
      for (const text of [...bodies, ...rows]) {
        for (const secret of [SECRET, ROTATED]) assert.ok(!text.includes(secret), `the credential is in clear in: ${text.slice(0, 400)}`);
      }
    });
  });
}
