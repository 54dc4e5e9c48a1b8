import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTemplateDriver } from '../../drivers/template.js';
import { matchDefinition } from '../index.js';
import type { ResourceDefinition } from '../index.js';
import { checkOutputs, defaultTypeRegistry } from '../index.js';
import { IN_NAMESPACE_DEFINITIONS, developmentDefinitions } from './development.js';
import { FALLBACK_DEFINITIONS } from './implicit.js';
import { validateK8sObject } from '../../profiles/testing.js';
import type { K8sObject } from '../../profiles/index.js';

const context = { orgId: 'local', appId: 'shop', envId: 'dev', envType: 'development' };

function provisionRequest(definition: ResourceDefinition, cookie?: unknown) {
  return {
    guresid: '0123456789abcdef0123456789abcdef01234567',
    type: definition.type,
    class: 'default',
    resId: 'modules.web.externals.db',
    resource: {},
    driver: { values: definition.driver_inputs.values, secrets: definition.driver_inputs.secrets ?? {} },
    cookie,
    context,
    signal: new AbortController().signal,
    log: () => undefined,
  };
}

describe('in-namespace fallback definitions', () => {
  for (const definition of IN_NAMESPACE_DEFINITIONS.filter((d) => d.driver_type === 'humanitec/template')) {
    it(`${definition.type}: renders valid Kubernetes objects and outputs of the ${definition.type} type, with a password kept by the cookie`, async () => {
      const driver = createTemplateDriver();
      const first = await driver.provision(provisionRequest(definition));
      const type = defaultTypeRegistry.get(definition.type)!;
      assert.deepEqual(checkOutputs(type, { values: first.values, secrets: first.secrets }), []);
      assert.equal(typeof first.values.port, 'number');
      assert.ok(String(first.secrets.password).length >= 16);
      const kinds = first.manifests.map((m) => `${m.location}:${String(m.data.kind)}`).sort();
      assert.deepEqual(kinds, ['namespace:Secret', 'namespace:Service', 'namespace:StatefulSet']);
      for (const manifest of first.manifests) validateK8sObject(manifest.data as unknown as K8sObject);
      const second = await driver.provision(provisionRequest(definition, first.cookie));
      assert.equal(second.secrets.password, first.secrets.password, 'the generated password survives a re-provision');
      assert.deepEqual(second.values, first.values);
    });
  }
});

describe('development server definitions', () => {
  const servers = {
    postgresUrl: 'postgres://admin:s%40fe@127.0.0.1:5432/test',
    mysqlUrl: 'mysql://root@127.0.0.1:3306',
    redisUrl: 'redis://127.0.0.1:6379',
    amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
  };
  const all = [...FALLBACK_DEFINITIONS, ...developmentDefinitions(servers)];

  it('parse the server URLs into the infrastructure drivers inputs', () => {
    const postgres = all.find((d) => d.id === 'baton-dev-postgres')!;
    assert.equal(postgres.driver_type, 'humanitec/postgres');
    assert.deepEqual(postgres.driver_inputs.values, { host: '127.0.0.1', port: 5432, name: 'test' });
    assert.deepEqual(postgres.driver_inputs.secrets, { dbcredentials: { username: 'admin', password: 's@fe' } });
    assert.equal(all.find((d) => d.id === 'baton-dev-redis')!.driver_type, 'baton/redis');
    assert.equal(all.find((d) => d.id === 'baton-dev-amqp')!.driver_type, 'baton/rabbitmq');
  });

  it('win in development environments; other environment types get the in-namespace templates', () => {
    const resource = { type: 'postgres', class: 'default', resId: 'modules.web.externals.db' };
    assert.equal(matchDefinition(all, resource, { appId: 'shop', envId: 'dev', envType: 'development' }).definition.id, 'baton-dev-postgres');
    assert.equal(matchDefinition(all, resource, { appId: 'shop', envId: 'stage', envType: 'staging' }).definition.id, 'baton-default-postgres');
  });

  it('lose to any definition an organization writes for the type', () => {
    const own: ResourceDefinition = {
      id: 'team-postgres',
      name: 'team postgres',
      type: 'postgres',
      driver_type: 'humanitec/echo',
      driver_inputs: { values: {}, secrets: {} },
      provision: {},
      criteria: [{ id: 'c1', class: 'default' }],
      version_id: 'v1',
      created_at: '2026-01-01T00:00:00.000Z',
    };
    const resource = { type: 'postgres', class: 'default', resId: 'modules.web.externals.db' };
    assert.equal(matchDefinition([own, ...all], resource, { appId: 'shop', envId: 'stage', envType: 'staging' }).definition.id, 'team-postgres');
  });

  it('a malformed server URL is refused naming the variable', () => {
    assert.throws(() => developmentDefinitions({ redisUrl: 'http://x' }), /BATON_DEV_REDIS_URL must start with redis:\/\//);
  });
});
