/**
 * The embedded defaults for route, ingress, tls-cert, volume and endpoint (issue 18 item 3, issue 26 item 5):
 * each renders through its driver to outputs of its type and to valid Kubernetes objects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Volume } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import type { JsonObject } from '../../drivers/contract.js';
import { createBuiltinRegistry } from '../../drivers/registry.js';
import { checkOutputs, defaultTypeRegistry, resolvePlaceholders } from '../index.js';
import type { ResourceDefinition } from '../index.js';
import { defaultDefinitions } from './index.js';
import { NETWORKING_DEFINITIONS } from './networking.js';

const registry = createBuiltinRegistry({ terraformStateDir: '/nonexistent' });
const GURESID = '0123456789abcdef0123456789abcdef01234567';

function definition(type: string): ResourceDefinition {
  const found = NETWORKING_DEFINITIONS.find((d) => d.type === type);
  assert.ok(found, type);
  return found;
}

/** Provisions `type`'s default for resource `resId` with resource inputs `params`, as the engine would. */
async function provision(type: string, resId: string, params: JsonObject = {}) {
  const def = definition(type);
  const context = { orgId: 'local', appId: 'shop', envId: 'dev', envType: 'development', res: { resId, type, class: 'default', guresid: GURESID } };
  const values = resolvePlaceholders(def.driver_inputs.values, { context }).value as JsonObject;
  const result = await registry.get(def.driver_type).provision({
    guresid: GURESID,
    type,
    class: 'default',
    resId,
    resource: params,
    driver: { values, secrets: {} },
    context: { orgId: 'local', appId: 'shop', envId: 'dev', envType: 'development' },
    signal: new AbortController().signal,
    log: () => undefined,
  });
  assert.deepEqual(checkOutputs(defaultTypeRegistry.require(type), result), [], `${type} outputs fit the type`);
  return result;
}

describe('embedded networking and storage defaults', () => {
  it('are part of the defaults, one per type, as fallbacks', () => {
    const types = defaultDefinitions().map((d) => d.type);
    for (const type of ['route', 'dns', 'ingress', 'tls-cert', 'volume', 'endpoint', 'postgres', 'mysql']) assert.equal(types.filter((t) => t === type).length, 1, type);
    for (const def of NETWORKING_DEFINITIONS) assert.equal(def.is_default, true);
  });

  it("route: outputs from the route's params and an Ingress to the workload's Service", async () => {
    const result = await provision('route', 'modules.frontend.externals.route', { host: 'shop-dev.localhost', path: '/', port: 8080 });
    assert.deepEqual(result.values, { host: 'shop-dev.localhost', path: '/', port: 8080, service: 'frontend' });
    assert.equal(result.manifests.length, 1);
    const ingress = result.manifests[0]!;
    assert.equal(ingress.location, 'namespace');
    assert.deepEqual((ingress.data as { spec: unknown }).spec, {
      rules: [{ host: 'shop-dev.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 8080 } } } }] } }],
    });
    assert.equal((ingress.data as { metadata: { name: string } }).metadata.name, 'route-route-0123456789');
    new Ingress(ingress.data).validate();
  });

  it('volume: an emptyDir pod volume', async () => {
    const result = await provision('volume', 'modules.web.externals.data');
    assert.deepEqual(result.manifests, [{ name: 'volume.yaml', location: 'volumes', data: { name: 'volume-0123456789', emptyDir: {} } }]);
    new Volume(result.manifests[0]!.data).validate();
  });

  it("endpoint: the workload named like the resource, at the port param (score-spec/examples' traderx)", async () => {
    const result = await provision('endpoint', 'modules.trade-service.externals.people-service', { port: 8181, openapi_file: 'x.json' });
    assert.deepEqual(result.values, { name: 'people-service', scheme: 'http', host: 'people-service', port: 8181, path: '' });
    assert.deepEqual(result.secrets, { url: 'http://people-service:8181' });
  });

  it('tls-cert names the Secret of the app/env; ingress without TLS writes nothing without routes', async () => {
    assert.deepEqual((await provision('tls-cert', 'shared.dns')).values, { tls_secret_name: 'shop-dev-tls' });
    const def = definition('ingress');
    assert.equal(def.driver_type, 'humanitec/ingress');
    assert.deepEqual(def.driver_inputs.values, { no_tls: true });
  });
});
