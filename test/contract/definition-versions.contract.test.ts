/**
 * Issue 18's remaining Humanitec paths through Humanitec's generated client (`@humanitec/autogen`) against `baton serve`
 * in a child process, on SQLite and PostgreSQL: definition versions (list with paging, get, archive, promote,
 * proposed updates), an active resource pinned to a version, and the resource inputs of a set. The client (0.0.11)
 * has no method for archive, promote, pin or a set's resources, drops `proposed`, `archived`, `active` and
 * `target_def_version_id` from its models and reads `active_version_id` as `current_version_id`, so those calls and fields go through plain HTTP with the same token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, apiConfig } from '@humanitec/autogen';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

interface VersionJson {
  id: string;
  def_id: string;
  action: string;
  archived: boolean;
  active: boolean;
  proposed: boolean;
  driver_inputs: { values?: Record<string, unknown> };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`definition versions, pins and set resources via @humanitec/autogen [${dialect}]`, () => {
    let baton: BatonProcess;
    let api: PublicApi;
    const orgId = 'local';
    const appId = 'shop';
    const envId = 'development';
    before(async () => {
      baton = await startBatonProcess({ dialect });
      api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url }));
      await api.createApplication({ orgId, ApplicationCreationRequest: { id: appId, name: 'Shop' } });
    });
    after(() => baton.stop());

    const http = async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> => {
      const res = await fetch(`${baton.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers };
    };
    const defPath = `/orgs/${orgId}/resources/defs/cfg`;

    it('versions every change; lists (paged) and reads them; a proposed update stays inactive until promoted; archived versions cannot be promoted', async () => {
      const created = await api.createResourceDefinition({
        orgId,
        CreateResourceDefinitionRequestRequest: { id: 'cfg', name: 'cfg', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { v: 1 } }, criteria: [{ app_id: appId }] },
      });
      const v1 = created.current_version_id;
      const v2 = (await api.patchResourceDefinition({ orgId, defId: 'cfg', PatchResourceDefinitionRequestRequest: { driver_inputs: { values: { v: 2 } } } })).current_version_id;
      assert.notEqual(v2, v1);

      const listed = await api.listResourceDefinitionVersions({ orgId, defId: 'cfg' });
      assert.deepEqual(listed.map((v) => [v.id, v.def_id, v.action]), [[v2, 'cfg', 'updated'], [v1, 'cfg', 'created']]);
      const page = await api.listResourceDefinitionVersionsRaw({ orgId, defId: 'cfg', per_page: 1 });
      assert.deepEqual((await page.value()).map((v) => v.id), [v2]);
      const next = /<([^>]+)>; rel="next"/.exec(page.raw.headers.get('link') ?? '');
      assert.ok(next, 'a Link header to the next page');
      assert.deepEqual((await http<VersionJson[]>('GET', next[1]!)).body.map((v) => v.id), [v1]);
      const one = await api.getResourceDefinitionVersion({ orgId, defId: 'cfg', defVersionId: v1 });
      assert.deepEqual([one.id, one.driver_inputs.values], [v1, { v: 1 }]);

      // A proposed update (Humanitec's `proposed: true`) is a version the definition does not use yet.
      const proposed = await http<{ active_version_id: string }>('PUT', defPath, { name: 'cfg', driver_inputs: { values: { v: 3 } }, proposed: true });
      assert.equal(proposed.status, 200, JSON.stringify(proposed.body));
      assert.equal(proposed.body.active_version_id, v2);
      const raw = (await http<VersionJson[]>('GET', `${defPath}/versions`)).body;
      const v3 = raw[0]!;
      assert.deepEqual(raw.map((v) => [v.active, v.proposed, v.archived]), [[false, true, false], [true, false, false], [false, false, false]]);
      assert.deepEqual((await api.getResourceDefinition({ orgId, defId: 'cfg' })).driver_inputs?.values, { v: 2 });

      assert.equal((await http('POST', `${defPath}/versions/${v3.id}/actions/promote`)).status, 204);
      const promoted = await api.getResourceDefinition({ orgId, defId: 'cfg' });
      assert.deepEqual([promoted.current_version_id, promoted.driver_inputs?.values], [v3.id, { v: 3 }]);

      // Archive: the active version is refused; `{}` archives (the default), `{archived: false}` unarchives.
      assert.equal((await http('POST', `${defPath}/versions/${v3.id}/actions/archive`, { archived: true })).status, 400);
      assert.equal((await http('POST', `${defPath}/versions/${v1}/actions/archive`, {})).status, 204);
      assert.equal((await http<VersionJson>('GET', `${defPath}/versions/${v1}`)).body.archived, true);
      const refused = await http<{ error: string; message: string }>('POST', `${defPath}/versions/${v1}/actions/promote`);
      assert.equal(refused.status, 400);
      assert.match(refused.body.message, /archived/);
      assert.equal((await http('POST', `${defPath}/versions/${v1}/actions/archive`, { archived: false })).status, 204);
      assert.equal((await http('POST', `${defPath}/versions/${v1}/actions/promote`)).status, 204);
      assert.equal((await api.getResourceDefinition({ orgId, defId: 'cfg' })).current_version_id, v1);

      assert.equal((await http('POST', `${defPath}/versions/no-such-version/actions/promote`)).status, 404);
      assert.equal((await http('POST', `/orgs/${orgId}/resources/defs/nope/versions/x/actions/archive`, {})).status, 404);
      // Baton's defaults: one version, read-only.
      const builtin = await api.listResourceDefinitionVersions({ orgId, defId: 'baton-default-postgres' });
      assert.deepEqual(builtin.map((v) => v.id), ['builtin']);
      assert.equal((await http('POST', `/orgs/${orgId}/resources/defs/baton-default-postgres/versions/builtin/actions/archive`, {})).status, 409);
    });

    it("serves a set's resource inputs, which build the same graph the set deploys with", async () => {
      const setId = await api.orgsOrgIdAppsAppIdSetsSetIdPost({
        orgId,
        appId,
        setId: '0',
        DeltaRequest: {
          modules: { add: { web: { profile: 'humanitec/default-module', externals: { cfg: { type: 'config', params: { region: 'eu' } } }, spec: { containers: {} } } } },
          shared: [{ op: 'add', path: '/dns', value: { type: 'dns' } }],
        },
      });
      const inputs = await http<{ id: string; type: string; class?: string; resource?: Record<string, unknown> }[]>('GET', `/orgs/${orgId}/apps/${appId}/sets/${setId}/resources`);
      assert.equal(inputs.status, 200, JSON.stringify(inputs.body));
      assert.deepEqual(inputs.body, [
        { id: 'shared.dns', type: 'dns' },
        { id: 'modules.web', type: 'workload' },
        { id: 'modules.web.externals.cfg', type: 'config', resource: { region: 'eu' } },
      ]);
      const graph = await http<{ nodes: { type: string; id: string; def_id: string }[] }>('POST', `/orgs/${orgId}/apps/${appId}/envs/${envId}/resources/graphs`, inputs.body);
      assert.equal(graph.status, 200, JSON.stringify(graph.body));
      const cfg = graph.body.nodes.find((n) => n.type === 'config' && n.id === 'modules.web.externals.cfg');
      assert.equal(cfg?.def_id, 'cfg');
      assert.equal((await http('GET', `/orgs/${orgId}/apps/${appId}/sets/${'f'.repeat(40)}/resources`)).status, 404);
      assert.equal((await http('GET', `/orgs/${orgId}/apps/${appId}/sets/0/resources`)).status, 200);
    });

    it('pins an active resource to a version (shown on the resource), refuses an archived one, and unpins with null', async () => {
      const delta = await api.orgsOrgIdAppsAppIdDeltasPost({
        orgId,
        appId,
        DeltaRequest: { modules: { add: { api: { profile: 'humanitec/default-module', externals: { cfg: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'nginx:1' } } } } } } },
      });
      const deployment = await api.createDeployment({ orgId, appId, envId, DeploymentRequest: { delta_id: delta.id, comment: 'pin test' } });
      const deadline = Date.now() + 60_000;
      let status = deployment.status;
      while (status !== 'succeeded' && status !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await api.getDeployment({ orgId, appId, envId, deployId: deployment.id })).status;
      }
      assert.equal(status, 'succeeded');
      const resources = await api.listActiveResources({ orgId, appId, envId });
      const cfg = resources.find((r) => r.type === 'config' && r.res_id === 'modules.api.externals.cfg');
      assert.ok(cfg, 'the config resource is active');
      const versions = (await http<VersionJson[]>('GET', `${defPath}/versions`)).body;
      const other = versions.find((v) => v.id !== cfg.def_version_id && v.action !== 'deleted')!;

      const pinPath = `/orgs/${orgId}/apps/${appId}/envs/${envId}/resources/config/modules.api.externals.cfg/actions/pin`;
      const pinned = await http<{ gu_res_id: string; target_def_version_id?: string; def_version_id: string }>('POST', pinPath, { target_def_version_id: other.id });
      assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
      assert.deepEqual([pinned.body.gu_res_id, pinned.body.target_def_version_id, pinned.body.def_version_id], [cfg.gu_res_id, other.id, cfg.def_version_id]);
      const listed = await (await api.listActiveResourcesRaw({ orgId, appId, envId })).raw.json() as { res_id: string; target_def_version_id?: string }[];
      assert.equal(listed.find((r) => r.res_id === 'modules.api.externals.cfg')?.target_def_version_id, other.id);
      assert.equal((await http('POST', `${defPath}/versions/${other.id}/actions/archive`, {})).status, 400, 'a pinned version cannot be archived');

      assert.equal((await http('POST', pinPath, { target_def_version_id: 'no-such-version' })).status, 404);
      assert.equal((await http('POST', pinPath, {})).status, 400, 'target_def_version_id is required');
      assert.equal((await http('POST', `/orgs/${orgId}/apps/${appId}/envs/${envId}/resources/config/modules.nope/actions/pin`, { target_def_version_id: null })).status, 404);
      const unpinned = await http<{ target_def_version_id?: string }>('POST', pinPath, { target_def_version_id: null });
      assert.equal(unpinned.status, 200);
      assert.equal(unpinned.body.target_def_version_id, undefined);
      assert.equal((await http('POST', `${defPath}/versions/${other.id}/actions/archive`, {})).status, 204);
      const archivedPin = await http<{ message: string }>('POST', pinPath, { target_def_version_id: other.id });
      assert.equal(archivedPin.status, 400);
      assert.match(archivedPin.body.message, /archived/);
    });
  });
}
