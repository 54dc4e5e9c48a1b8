/**
 * The `service-port` resource type (issue 19 theme 3): its params are checked against the deployment set when the
 * graph is built (so plans and deployments refuse an unknown workload or port, naming the param and the name meant),
 * and the default definition turns what the graph resolved into outputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../drivers/contract.js';
import { createBuiltinRegistry } from '../drivers/registry.js';
import { InvalidInput } from '../shared/errors.js';
import { defaultDefinitions } from './defaults/index.js';
import { buildResourceGraph } from './graph.js';
import { checkOutputs, defaultTypeRegistry } from './index.js';
import { resolveServicePortParams } from './service-port.js';

const context = { orgId: 'local', appId: 'shop', envId: 'development', envType: 'development' };
const modules = {
  'workload-a': { spec: { containers: {}, service: { ports: { web: { protocol: 'TCP', service_port: 8080, container_port: 80 }, metrics: { service_port: 9090, container_port: 9090 } } } } },
  'workload-b': { spec: { containers: {} }, externals: { dependency: { type: 'service-port', params: { workload: 'workload-a', port: 'web' } } } },
};

function refused(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof InvalidInput && pattern.test(error.message), String(pattern));
}

describe('service-port params', () => {
  it('resolve a port name, or the port number as a string alias, to the Service and container ports', () => {
    const where = 'modules.workload-b.externals.dependency';
    assert.deepEqual(resolveServicePortParams(modules, { workload: 'workload-a', port: 'web' }, where).service, {
      hostname: 'workload-a',
      name: 'web',
      service_port: 8080,
      target_port: 80,
      protocol: 'TCP',
    });
    assert.equal((resolveServicePortParams(modules, { workload: 'workload-a', port: '9090' }, where).service as { name: string }).name, 'metrics');
    assert.equal((resolveServicePortParams(modules, { workload: 'workload-a', port: 8080 }, where).service as { name: string }).name, 'web');
  });

  it('an unknown workload or port is an error naming the resource, the param and the name meant', () => {
    const where = 'modules.workload-b.externals.dependency';
    refused(() => resolveServicePortParams(modules, { workload: 'workload-aa', port: 'web' }, where), /^modules\.workload-b\.externals\.dependency params\.workload: unknown workload 'workload-aa' \(did you mean 'workload-a'\?\)/);
    refused(() => resolveServicePortParams(modules, { workload: 'workload-a', port: 'wbe' }, where), /params\.port: workload 'workload-a' has no service port 'wbe' \(did you mean 'web'\?\); its ports: web, metrics/);
    refused(() => resolveServicePortParams(modules, { port: 'web' }, where), /params\.workload: a service-port resource needs the param 'workload'/);
    refused(() => resolveServicePortParams(modules, { workload: 'workload-a' }, where), /params\.port: a service-port resource needs the param 'port'/);
  });

  it('params that are still placeholders are left as they are', () => {
    const params = { workload: '${resources.other.name}', port: 'web' };
    assert.deepEqual(resolveServicePortParams(modules, params, 'shared.x'), params);
  });

  it('the graph checks them for set resources (shared ones too) and hands the resolved service to the definition', () => {
    const graph = buildResourceGraph({ set: { modules }, context, definitions: defaultDefinitions() });
    const node = graph.nodes.find((n) => n.resId === 'modules.workload-b.externals.dependency');
    assert.ok(node);
    assert.equal(node.definition.id, 'baton-default-service-port');
    assert.deepEqual(node.params.service, { hostname: 'workload-a', name: 'web', service_port: 8080, target_port: 80, protocol: 'TCP' });
    refused(
      () => buildResourceGraph({ set: { modules: { 'workload-a': modules['workload-a'] }, shared: { api: { type: 'service-port', params: { workload: 'workload-a', port: 'http' } } } }, context, definitions: defaultDefinitions() }),
      /^shared\.api params\.port: workload 'workload-a' has no service port 'http'/,
    );
  });

  it("the default definition outputs hostname, the container port (as score-compose/score-k8s), name and the Service's port", async () => {
    const graph = buildResourceGraph({ set: { modules }, context, definitions: defaultDefinitions() });
    const node = graph.nodes.find((n) => n.resId === 'modules.workload-b.externals.dependency')!;
    const definition = defaultDefinitions().find((d) => d.id === node.definition.id)!;
    const driver = createBuiltinRegistry({ terraformStateDir: '/nonexistent' }).get(definition.driver_type);
    const provision = (resource: JsonObject) =>
      driver.provision({
        guresid: node.guresid,
        type: 'service-port',
        class: 'default',
        resId: node.resId,
        resource,
        driver: { values: definition.driver_inputs.values, secrets: {} },
        context,
        signal: new AbortController().signal,
        log: () => undefined,
      });
    const result = await provision(node.params);
    assert.deepEqual(result.values, { hostname: 'workload-a', port: 80, name: 'web', service_port: 8080, protocol: 'TCP' });
    assert.deepEqual(checkOutputs(defaultTypeRegistry.require('service-port'), result), []);
    // Without what the plan resolves (e.g. params left as placeholders that named nothing), the definition fails.
    await assert.rejects(provision({ workload: 'x', port: 'y' }), /service-port: the params workload and port must name a workload/);
  });
});
