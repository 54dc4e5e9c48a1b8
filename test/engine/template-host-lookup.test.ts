/**
 * BATON_TEMPLATE_HOST_LOOKUP_ALLOW through the composition root: the setting reaches every place a server renders a
 * Go template a user wrote (a humanitec/template definition, a humanitec/dns-wildcard template, a workload profile),
 * so a refused getHostByName fails the plan with a 400 naming the host, and an allowed name still resolves.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TEMPLATE_LIMITS, renderTemplate } from '../../src/templates/index.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

const REFUSED = /error calling getHostByName: lookup of \\?"db\.internal\.corp\\?" refused: the name is not under an allowed suffix \(BATON_TEMPLATE_HOST_LOOKUP_ALLOW=localhost\)/;

void describe('template host lookups limited by the server configuration', () => {
  let h: EngineHarness;
  const app = 'lookups';

  before(async () => {
    // The server runs in this process: start the templates' worker thread with a call that may wait for it (a lookup
    // allows itself 1 s, worker start-up included, which a busy test machine can exceed).
    renderTemplate('{{ htpasswd "a" "b" }}', {}, { limits: { ...DEFAULT_TEMPLATE_LIMITS, timeoutMs: 60_000 } });
    h = await startEngineHarness({ env: { BATON_TEMPLATE_HOST_LOOKUP_ALLOW: 'localhost' } });
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: app, name: 'Lookups' })).status, 201);
    const cluster = { id: 'lookups-cluster', name: 'directory', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root: join(h.database.dataDir, 'manifests') } }, criteria: [{ app_id: app }] };
    assert.ok((await h.api('POST', '/orgs/local/resources/defs', cluster)).status < 300);
  });
  after(async () => {
    await h.stop();
  });

  async function plan(envId: string, modules: object): Promise<{ status: number; body: { message?: string; resources?: unknown } }> {
    const created = await h.api('POST', `/orgs/local/apps/${app}/envs`, { id: envId, name: envId, type: 'development' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, { modules: { add: modules } });
    assert.ok(delta.status < 300, JSON.stringify(delta.body));
    return h.api('POST', `/orgs/local/apps/${app}/envs/${envId}/baton/plans`, { delta_id: delta.body.id });
  }
  async function definition(id: string, type: string, driverType: string, values: object): Promise<void> {
    const created = await h.api('POST', '/orgs/local/resources/defs', { id, name: id, type, driver_type: driverType, driver_inputs: { values }, criteria: [{ app_id: app, res_id: `modules.web.externals.${id}` }] });
    assert.ok(created.status < 300, JSON.stringify(created.body));
  }
  const usingExternal = (id: string, type: string) => ({ web: { profile: 'humanitec/default-module', externals: { [id]: { type } }, spec: { containers: { main: { id: 'main', image: 'web:1' } } } } });

  it('a humanitec/template definition resolving an allowed name plans, and one resolving another name is a 400 naming it', async () => {
    await definition('allowed', 'config', 'humanitec/template', { templates: { outputs: 'ok: {{ if getHostByName "localhost" }}true{{ end }}' } });
    const allowed = await plan('template-allowed', usingExternal('allowed', 'config'));
    assert.ok(allowed.status < 300, JSON.stringify(allowed.body));

    await definition('probe', 'config', 'humanitec/template', { templates: { outputs: 'addr: {{ getHostByName "db.internal.corp" }}' } });
    const refused = await plan('template-refused', usingExternal('probe', 'config'));
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(refused.body.message ?? '', REFUSED);
    assert.match(refused.body.message ?? '', /template: outputs:1:9:/);
  });

  it("a humanitec/dns-wildcard definition's template is refused the same way (the driver runs only when deploying)", async () => {
    await definition('probe-dns', 'dns', 'humanitec/dns-wildcard', { domain: 'example.com', template: '{{ getHostByName "db.internal.corp" }}' });
    const envId = 'dns-refused';
    assert.ok((await plan(envId, usingExternal('probe-dns', 'dns'))).status < 300);
    const delta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, { modules: { add: usingExternal('probe-dns', 'dns') } });
    const submitted = await h.api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/${envId}/deploys`, { delta_id: delta.body.id });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    assert.equal((await waitForDeployment(h, app, envId, submitted.body.id)).status, 'failed');
    const errors = await h.api('GET', `/orgs/local/apps/${app}/envs/${envId}/deploys/${submitted.body.id}/errors`);
    assert.match(JSON.stringify(errors.body), REFUSED);
  });

  it('a workload profile template is refused the same way, naming the profile', async () => {
    const created = await h.api('POST', '/orgs/local/workload-profiles', { id: 'prober', baton_template: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  addr: "{{ getHostByName "db.internal.corp" }}"\n' });
    assert.ok(created.status < 300, JSON.stringify(created.body));
    const refused = await plan('profile-refused', { probe: { profile: 'local/prober', externals: {}, spec: {} } });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(refused.body.message ?? '', /local\/prober/);
    assert.match(refused.body.message ?? '', REFUSED);
  });
});
