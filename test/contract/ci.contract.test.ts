/**
 * Issue 17 through Humanitec's generated client (@humanitec/autogen) against `baton serve`: artefact versions
 * (container, workload, filters, archive, delete), the deprecated image API, automation rules, webhooks and events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

const IMAGE = 'registry.example.com/acme/web';

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return error.response.status;
  }
  assert.fail('expected the call to fail');
}

describe('CI integration via @humanitec/autogen', () => {
  let baton: BatonProcess;
  let api: PublicApi;
  const orgId = 'local';
  const appId = 'shop';

  before(async () => {
    baton = await startBatonProcess({});
    api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url }));
    await api.createApplication({ orgId, ApplicationCreationRequest: { id: appId, name: 'Shop' } });
  });
  after(() => baton.stop());

  it('registers container versions, filters, archives and deletes artefacts', async () => {
    const v1 = await api.createArtefactVersion({ orgId, CreateArtefactVersion: { type: 'container', name: IMAGE, version: '1.0.0', ref: 'refs/heads/main', commit: 'abcdef1', digest: 'sha256:01' } });
    const v2 = await api.createArtefactVersion({ orgId, CreateArtefactVersion: { type: 'container', name: IMAGE, version: '1.1.0', ref: 'refs/tags/v1.1.0', commit: 'abcdef2' } });
    assert.ok(v1 && v2);
    assert.equal(v1.artefact_id, v2.artefact_id);
    assert.equal(await status(api.createArtefactVersion({ orgId, CreateArtefactVersion: { type: 'container', name: IMAGE, ref: 'main' } })), 400, 'a git ref must start with refs/');
    assert.equal(await status(api.createArtefactVersion({ orgId, CreateArtefactVersion: { type: 'container', name: IMAGE, commit: 'XYZ' } })), 400, 'commit is hex');

    const artefacts = await api.listArtefacts({ orgId });
    assert.deepEqual(artefacts.map((a) => [a.name, a.type]), [[IMAGE, 'container']]);
    const byRef = await api.listArtefactVersionsInOrg({ orgId, reference: 'refs/tags/v1.1.0' });
    assert.deepEqual(byRef.map((v) => v.id), [v2.id]);
    const one = await api.getArtefactVersion({ orgId, artefactVersionId: v1.id });
    assert.equal((one as { digest?: string }).digest, 'sha256:01');

    const archived = await api.patchArtefactVersion({ orgId, artefactId: v1.artefact_id, versionId: v1.id, UpdateArtefactVersionPayloadRequest: { archived: true } });
    assert.equal(archived.archived, true);
    assert.deepEqual((await api.listArtefactVersions({ orgId, artefactId: v1.artefact_id, archived: false })).map((v) => v.id), [v2.id]);
    assert.deepEqual((await api.listArtefactVersionsInOrg({ orgId, archived: true })).map((v) => v.id), [v1.id]);
    assert.deepEqual((await api.listArtefactVersionsInOrg({ orgId, type: 'workload' })).map((v) => v.id), []);

    await api.deleteArtefact({ orgId, artefactId: v1.artefact_id });
    assert.deepEqual(await api.listArtefactVersionsInOrg({ orgId, name: IMAGE }), []);
    assert.equal(await status(api.getArtefactVersion({ orgId, artefactVersionId: v1.id })), 404);
  });

  it('the deprecated image API records builds and registers container versions', async () => {
    await api.createDeprecatedImageBuild({ orgId, imageId: 'web', ImageBuildRequest: { branch: 'main', commit: '884bccaa807ea27cc1997a7492a3b6279fd7bd55', image: `${IMAGE}:2.0.0`, tags: [] } });
    await api.createDeprecatedImageBuild({ orgId, imageId: 'web', ImageBuildRequest: { branch: '', commit: '884bccaa807ea27cc1997a7492a3b6279fd7bd56', image: `${IMAGE}:2.1.0`, tags: ['v2.1.0'] } });
    const images = await api.listDeprecatedImages({ orgId });
    assert.deepEqual(images.map((i) => [i.id, i.builds.length]), [['web', 2]]);
    const builds = await api.listDeprecatedImageBuilds({ orgId, imageId: 'web' });
    assert.deepEqual(builds.map((b) => b.image), [`${IMAGE}:2.1.0`, `${IMAGE}:2.0.0`], 'newest first');
    assert.equal((await api.getDeprecatedImage({ orgId, imageId: 'web' })).id, 'web');
    assert.equal(await status(api.getDeprecatedImage({ orgId, imageId: 'nope' })), 404);
    const versions = await api.listArtefactVersionsInOrg({ orgId, name: IMAGE });
    assert.deepEqual(versions.map((v) => [v.version, v.ref]), [['2.1.0', 'refs/tags/v2.1.0'], ['2.0.0', 'refs/heads/main']]);
  });

  it('automation rules: create, read, update, delete; mixed styles are 400', async () => {
    const envId = 'development';
    const rule = await api.createAutomationRule({ orgId, appId, envId, AutomationRuleRequest: { type: 'update', artefacts_filter: [IMAGE], match_ref: '^refs/heads/main$' } });
    assert.equal(rule.active, true);
    assert.deepEqual(rule.images_filter, []);
    assert.equal(rule.update_to, 'branch');
    assert.equal((await api.getAutomationRule({ orgId, appId, envId, ruleId: rule.id })).match_ref, '^refs/heads/main$');
    const updated = await api.updateAutomationRule({ orgId, appId, envId, ruleId: rule.id, AutomationRuleRequest: { type: 'update', active: false, images_filter: ['web'], update_to: 'tag' } });
    assert.deepEqual([updated.active, updated.update_to, updated.images_filter], [false, 'tag', ['web']]);
    assert.deepEqual((await api.listAutomationRules({ orgId, appId, envId })).map((r) => r.id), [rule.id]);
    assert.equal(await status(api.createAutomationRule({ orgId, appId, envId, AutomationRuleRequest: { type: 'update', match_ref: 'x', match: 'y' } })), 400);
    await api.deleteAutomationRule({ orgId, appId, envId, ruleId: rule.id });
    assert.deepEqual(await api.listAutomationRules({ orgId, appId, envId }), []);
  });

  it('webhooks and events', async () => {
    const events = await api.orgsOrgIdEventsGet({ orgId });
    assert.deepEqual(events.map((e) => `${e.scope}/${e.type}`), ['environment/created', 'environment/deleted', 'deployment/started', 'deployment/finished']);
    assert.ok(events[2]!.properties.includes('deploy_id'));

    const created = await api.orgsOrgIdAppsAppIdWebhooksPost({
      orgId,
      appId,
      WebhookRequest: { id: 'chat', url: 'https://hooks.example.com/baton', headers: { 'X-Team': 'web' }, payload: { text: '${event}' }, triggers: [{ scope: 'deployment', type: 'finished' }] },
    });
    assert.deepEqual([created.id, created.url, created.disabled], ['chat', 'https://hooks.example.com/baton', false]);
    const patched = await api.orgsOrgIdAppsAppIdWebhooksJobIdPatch({ orgId, appId, jobId: 'chat', WebhookRequest: { disabled: true } });
    assert.equal(patched.disabled, true);
    assert.equal((await api.orgsOrgIdAppsAppIdWebhooksJobIdGet({ orgId, appId, jobId: 'chat' })).headers['X-Team'], 'web');
    assert.equal(await status(api.orgsOrgIdAppsAppIdWebhooksPost({ orgId, appId, WebhookRequest: { id: 'chat', url: 'https://x.example.com/' } })), 409);
    for (const url of ['ftp://x.example.com/', 'http://169.254.169.254/latest/meta-data/']) {
      assert.equal(await status(api.orgsOrgIdAppsAppIdWebhooksPost({ orgId, appId, WebhookRequest: { id: 'bad', url } })), 400, url);
    }
    assert.equal(await status(api.orgsOrgIdAppsAppIdWebhooksPost({ orgId, appId, WebhookRequest: { id: 'bad', url: 'https://x.example.com/', triggers: [{ scope: 'deployment', type: 'exploded' }] } })), 400);
    await api.orgsOrgIdAppsAppIdWebhooksPost({ orgId, appId, WebhookRequest: { id: 'second', url: 'https://hooks.example.com/2' } });
    assert.equal((await api.orgsOrgIdAppsAppIdWebhooksGet({ orgId, appId })).length, 2);
    await api.orgsOrgIdAppsAppIdWebhooksJobIdDelete({ orgId, appId, jobId: 'second' });
    assert.deepEqual((await api.orgsOrgIdAppsAppIdWebhooksGet({ orgId, appId })).map((w) => w.id), ['chat']);
    await api.orgsOrgIdAppsAppIdJobsDelete({ orgId, appId });
    assert.deepEqual(await api.orgsOrgIdAppsAppIdWebhooksGet({ orgId, appId }), []);
  });
});
