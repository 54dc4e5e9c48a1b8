/**
 * Issue 2's acceptance, driven through Humanitec's own generated client against `baton serve` in a child process,
 * on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

/** The Humanitec error body of a failed client call, with its status. */
async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string; details?: Record<string, unknown> } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as { error: string; message: string; details?: Record<string, unknown> } };
  }
  assert.fail('expected the call to fail');
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`foundation contract via @humanitec/autogen [${dialect}]`, () => {
    let baton: BatonProcess;
    let api: PublicApi;
    before(async () => {
      baton = await startBatonProcess({ dialect });
      api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url }));
    });
    after(() => baton.stop());

    it('creates an app that comes with its development environment', async () => {
      const app = await api.createApplication({ orgId: 'local', ApplicationCreationRequest: { id: 'shop', name: 'Shop' } });
      assert.equal(app.id, 'shop');
      assert.equal(app.org_id, 'local');
      assert.deepEqual(app.envs, [{ id: 'development', name: 'Development', type: 'development' }]);
      const envs = await api.listEnvironments({ orgId: 'local', appId: 'shop' });
      assert.deepEqual(envs.map((e) => [e.id, e.type]), [['development', 'development']]);
      assert.ok(envs[0]!.created_at instanceof Date && !Number.isNaN(envs[0]!.created_at.getTime()));
    });

    it('creates a second environment of type staging', async () => {
      const env = await api.createEnvironment({
        orgId: 'local',
        appId: 'shop',
        EnvironmentDefinitionRequest: { id: 'staging', name: 'Staging', type: 'staging' },
      });
      assert.equal(env.type, 'staging');
      const fetched = await api.getEnvironment({ orgId: 'local', appId: 'shop', envId: 'staging' });
      assert.equal(fetched.name, 'Staging');
      const app = await api.getApplication({ orgId: 'local', appId: 'shop' });
      assert.deepEqual(app.envs.map((e) => e.id).sort(), ['development', 'staging']);
    });

    it('lists the seeded env types, the org and the current user', async () => {
      const types = await api.listEnvironmentTypes({ orgId: 'local' });
      assert.deepEqual(types.map((t) => t.id).sort(), ['development', 'production', 'staging']);
      const orgs = await api.listOrganizations();
      assert.deepEqual(orgs.map((o) => o.id), ['local']);
      const org = await api.getOrganization({ orgId: 'local' });
      assert.equal(org.id, 'local');
      const me = await api.getCurrentUser();
      assert.equal(me.name, 'Administrator');
    });

    it('answers 404 naming the missing object', async () => {
      const noApp = await failure(api.getApplication({ orgId: 'local', appId: 'ghost' }));
      assert.equal(noApp.status, 404);
      assert.equal(noApp.body.error, 'NOT_FOUND');
      assert.match(noApp.body.message, /application "ghost"/);
      const noOrg = await failure(api.listApplications({ orgId: 'nowhere' }));
      assert.equal(noOrg.status, 404);
      assert.match(noOrg.body.message, /organization "nowhere"/);
      const noEnv = await failure(api.getEnvironment({ orgId: 'local', appId: 'shop', envId: 'prod' }));
      assert.equal(noEnv.status, 404);
      assert.match(noEnv.body.message, /environment "prod"/);
    });

    it('answers 409 for a duplicate app and for deleting an env type in use', async () => {
      const dup = await failure(api.createApplication({ orgId: 'local', ApplicationCreationRequest: { id: 'shop', name: 'Again' } }));
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error, 'CONFLICT');
      assert.equal(typeof dup.body.message, 'string');
      const inUse = await failure(api.deleteEnvironmentType({ orgId: 'local', envTypeId: 'staging' }));
      assert.equal(inUse.status, 409);
      assert.match(inUse.body.message, /staging/);
    });

    it('answers 401 to a wrong token', async () => {
      const stranger = new PublicApi(apiConfig({ token: 'not-the-token', apiHost: baton.url }));
      const denied = await failure(stranger.listOrganizations());
      assert.equal(denied.status, 401);
      assert.equal(denied.body.error, 'UNAUTHENTICATED');
      assert.equal(typeof denied.body.message, 'string');
    });
  });
}
