import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createCoreServices } from '../../org/index.js';
import { renderWorkload } from '../index.js';
import { TEST_HASHER, validateK8sObject } from '../testing.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../../shared/errors.js';
import { forEachDialect } from '../../store/testing.js';
import { createWorkloadProfilesService } from './service.js';

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .id }}-settings
data:
  greeting: {{ .spec.greeting | quote }}
  env: {{ .context.env.id | quote }}
`;
const SCHEMA = { type: 'object', required: ['greeting'], properties: { greeting: { type: 'string', minLength: 1 } }, additionalProperties: false };
const context = { orgId: 'o', appId: 'shop', envId: 'dev', deploymentId: 'd1', namespace: 'shop-dev', hasher: TEST_HASHER };

function fieldOf(error: unknown): unknown {
  assert.ok(error instanceof InvalidInput, `expected InvalidInput, got ${String(error)}`);
  return error.details.field;
}

forEachDialect('workload profiles service', (getStore) => {
  async function setup() {
    const store = getStore();
    const core = createCoreServices(store);
    const orgId = `o${randomBytes(4).toString('hex')}`;
    await core.orgs.create({ id: orgId, name: orgId }, 'tester');
    return { orgId, service: createWorkloadProfilesService(store, core) };
  }

  it('lists the built-ins under their owners, then the org’s own profiles', async () => {
    const { orgId, service } = await setup();
    await service.create(orgId, { id: 'greeter', baton_template: TEMPLATE, spec_schema: SCHEMA }, 'alice');
    const listed = await service.list(orgId);
    assert.deepEqual(
      listed.map((p) => `${p.org_id}/${p.id}`),
      ['baton/statefulset', 'humanitec/default-cronjob', 'humanitec/default-job', 'humanitec/default-module', `${orgId}/greeter`],
    );
    const defaultModule = listed.find((p) => p.id === 'default-module');
    assert.deepEqual(defaultModule?.spec_schema.required, ['containers']);
    assert.equal(defaultModule?.spec_definition.properties?.containers?.type, 'schema');
    await assert.rejects(service.list('missing-org'), NotFound);
  });

  it('creates a template profile whose registry entry renders under its qualified id, and versions every update', async () => {
    const { orgId, service } = await setup();
    const created = await service.create(orgId, { id: 'greeter', description: 'greets', baton_template: TEMPLATE, spec_schema: SCHEMA }, 'alice');
    assert.equal(created.version, '1');
    assert.deepEqual(created.spec_schema, SCHEMA);
    assert.equal(created.workload_profile_chart.id, 'baton/template');
    assert.equal((await service.get(orgId, `${orgId}/greeter`)).baton_template, TEMPLATE);
    assert.equal((await service.get(orgId, 'greeter')).description, 'greets');

    const registry = await service.profileRegistryFor(orgId);
    const objects = await renderWorkload({ workloadId: 'web', module: { profile: `${orgId}/greeter`, spec: { greeting: 'hi' } }, context }, registry);
    assert.equal(objects.length, 1);
    assert.equal(objects[0]!.metadata.name, 'web-settings');
    assert.deepEqual(objects[0]!.data, { greeting: 'hi', env: 'dev' });
    objects.forEach(validateK8sObject);
    await assert.rejects(renderWorkload({ workloadId: 'web', module: { profile: `${orgId}/greeter`, spec: {} }, context }, registry), InvalidInput);

    const updated = await service.update(orgId, `${orgId}/greeter`, { baton_template: TEMPLATE.replace('-settings', '-config'), spec_schema: SCHEMA }, 'bob');
    assert.equal(updated.version, '2');
    assert.equal(updated.created_by, 'alice');
    assert.equal(updated.updated_by, 'bob');
    const named = await service.update(orgId, 'greeter', { baton_template: TEMPLATE, version: 'release-3' }, 'bob');
    assert.equal(named.version, 'release-3');
    await assert.rejects(service.update(orgId, 'greeter', { baton_template: TEMPLATE, version: 'release-3' }, 'bob'), Conflict);

    const versions = await service.listVersions(orgId, `${orgId}/greeter`);
    assert.deepEqual(versions.map((v) => v.id), ['release-3', '2', '1']);
    assert.ok(versions.every((v) => v.workload_profile_id === 'greeter'));
    assert.deepEqual(versions[2]!.spec_schema, SCHEMA);
    assert.deepEqual(versions[0]!.spec_schema, { type: 'object' }, 'the latest version dropped the schema');
    assert.equal((await service.latestVersion(orgId, 'greeter')).id, 'release-3');

    const rerendered = await renderWorkload(
      { workloadId: 'web', module: { profile: `${orgId}/greeter`, spec: { greeting: 'hi' } }, context },
      await service.profileRegistryFor(orgId),
    );
    assert.equal(rerendered[0]!.metadata.name, 'web-settings');
  });

  it('narrows a built-in with a custom spec_definition: both schemas apply when validating and rendering', async () => {
    const { orgId, service } = await setup();
    const created = await service.create(
      orgId,
      {
        id: 'small-web',
        workload_profile_chart: { id: 'humanitec/default-module', version: '1' },
        spec_definition: {
          properties: {
            containers: { type: 'collection' },
            replicas: { type: 'schema', schema: { type: 'integer', maximum: 3 } },
          },
        },
      },
      'alice',
    );
    assert.deepEqual(created.spec_schema, {
      type: 'object',
      properties: { containers: { type: 'object', additionalProperties: {} }, replicas: { type: 'integer', maximum: 3 } },
    });
    const tooMany = await service.validateSpec(orgId, 'small-web', { replicas: 5, containers: { main: {} } });
    assert.equal(tooMany.valid, false);
    assert.deepEqual(tooMany.issues.map((i) => i.path).sort(), ['/spec/containers/main/image', '/spec/replicas']);

    const registry = await service.profileRegistryFor(orgId);
    const module = { profile: `${orgId}/small-web`, spec: { replicas: 2, containers: { main: { image: 'nginx:1' } } } };
    const objects = await renderWorkload({ workloadId: 'web', module, context }, registry);
    assert.ok(objects.some((o) => o.kind === 'Deployment'));
    await assert.rejects(
      renderWorkload({ workloadId: 'web', module: { ...module, spec: { ...module.spec, replicas: 4 } }, context }, registry),
      (error: unknown) => error instanceof InvalidInput && /replicas/.test(error.message),
    );
  });

  it('validates specs against built-ins with JSON pointers', async () => {
    const { orgId, service } = await setup();
    const ok = await service.validateSpec(orgId, 'humanitec/default-module', { containers: { main: { image: 'nginx' } } });
    assert.deepEqual(ok, { profile: 'humanitec/default-module', version: ok.version, valid: true, issues: [] });
    const bad = await service.validateSpec(orgId, 'humanitec/default-module', { containers: { main: { image: 1, colour: 'red' } } });
    assert.equal(bad.valid, false);
    assert.deepEqual(bad.issues.map((i) => i.path).sort(), ['/spec/containers/main/colour', '/spec/containers/main/image']);
    await assert.rejects(service.validateSpec(orgId, 'acme/unknown', {}), NotFound);
  });

  it('rejects a template that does not parse, a schema that does not compile, and a profile with nothing to render it', async () => {
    const { orgId, service } = await setup();
    await assert.rejects(service.create(orgId, { id: 'broken', baton_template: 'kind: {{ .id ' }, 'a'), (e) => fieldOf(e) === 'baton_template');
    await assert.rejects(
      service.create(orgId, { id: 'broken', baton_template: TEMPLATE, spec_schema: { type: 'no-such-type' } }, 'a'),
      (e) => fieldOf(e) === 'spec_schema',
    );
    await assert.rejects(
      service.create(orgId, { id: 'broken', workload_profile_chart: { id: 'my-helm-chart', version: '1.0.0' } }, 'a'),
      (e) => fieldOf(e) === 'baton_template',
    );
    await assert.rejects(
      service.create(orgId, { id: 'broken', baton_template: TEMPLATE, spec_definition: { properties: { x: { type: 'widget' } } } }, 'a'),
      (e) => fieldOf(e) === 'spec_definition.properties.x.type',
    );
    await assert.rejects(service.create(orgId, { id: 'Not An Id', baton_template: TEMPLATE }, 'a'), (e) => fieldOf(e) === 'id');
    await assert.rejects(service.get(orgId, 'broken'), NotFound, 'nothing was stored');
  });

  it('keeps built-ins read-only and deletes custom profiles with their versions', async () => {
    const { orgId, service } = await setup();
    await assert.rejects(service.delete(orgId, 'humanitec/default-module'), Forbidden);
    await assert.rejects(service.update(orgId, 'baton/statefulset', { baton_template: TEMPLATE }, 'a'), (error: unknown) => {
      assert.ok(error instanceof Forbidden);
      assert.match(error.message, /built into Baton/);
      return true;
    });
    assert.equal((await service.listVersions(orgId, 'humanitec/default-job')).length, 1);

    await service.create(orgId, { id: 'greeter', baton_template: TEMPLATE }, 'a');
    await service.update(orgId, 'greeter', { baton_template: TEMPLATE, deprecation_message: 'use v2' }, 'a');
    assert.equal((await service.list(orgId)).some((p) => p.id === 'greeter'), false, 'deprecated profiles are hidden by default');
    assert.equal((await service.list(orgId, { includeDeprecated: true })).some((p) => p.id === 'greeter'), true);
    assert.ok((await service.profileRegistryFor(orgId)).ids().includes(`${orgId}/greeter`), 'deprecated profiles still render');

    await service.delete(orgId, `${orgId}/greeter`);
    await assert.rejects(service.get(orgId, 'greeter'), NotFound);
    await assert.rejects(service.delete(orgId, 'greeter'), NotFound);
    assert.equal((await service.profileRegistryFor(orgId)).ids().includes(`${orgId}/greeter`), false);
    // Another org's qualified id is not reachable from this org.
    await assert.rejects(service.get(orgId, 'someone-else/greeter'), NotFound);
  });
});
