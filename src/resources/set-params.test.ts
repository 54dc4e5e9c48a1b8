import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { buildResourceGraph, resolveNodeInputs, restoreVerbatimFields, withoutVerbatimFields, type GraphNode, type GraphSetInput, type ResourceGraph } from './graph.js';
import type { JsonObject } from './definitions.js';
import { def, fixture } from './test-helpers.js';

const context = { orgId: 'test-org', appId: 'my-app', envId: 'development', envType: 'development' };
const definitions = [...fixture('platform-basics.yaml'), def('dns-def', 'dns', [{}]), def('route-def', 'route', [{}]), def('pg-def', 'postgres', [{}])];

function node(graph: ResourceGraph, descriptor: string): GraphNode {
  const found = graph.nodes.find((n) => n.descriptor === descriptor);
  assert.ok(found, `expected node ${descriptor}; have ${graph.nodes.map((n) => n.descriptor).join(', ')}`);
  return found;
}

/** Provisions every node in graph order with the given outputs (by descriptor), recording what each resolved to. */
function provision(graph: ResourceGraph, outputsByDescriptor: Record<string, { values: JsonObject; secrets?: JsonObject }>): Map<string, ReturnType<typeof resolveNodeInputs>> {
  const outputs = new Map<string, { values: JsonObject; secrets: JsonObject }>();
  const resolved = new Map<string, ReturnType<typeof resolveNodeInputs>>();
  for (const n of graph.nodes) {
    resolved.set(n.descriptor, resolveNodeInputs(graph, n, outputs));
    const given = outputsByDescriptor[n.descriptor];
    outputs.set(n.guresid, { values: given?.values ?? {}, secrets: given?.secrets ?? {} });
  }
  return resolved;
}

describe('resource params that reference the set\'s resources', () => {
  it('resolves externals.<r>.<output> from the same module, after the referenced resource, keeping whole-value types', () => {
    const set: GraphSetInput = {
      modules: {
        web: {
          externals: {
            dns: { type: 'dns' },
            route: { type: 'route', params: { host: '${externals.dns.host}', path: '/', port: '${externals.dns.port}', url: 'https://${externals.dns.host}:${externals.dns.port}/' } },
          },
        },
      },
    };
    const graph = buildResourceGraph({ set, context, definitions });
    const route = node(graph, 'route.default#modules.web.externals.route');
    const dns = node(graph, 'dns.default#modules.web.externals.dns');
    assert.ok(route.dependsOn.includes(dns.guresid));
    const resolved = provision(graph, { [dns.descriptor]: { values: { host: 'web.example.com', port: 8443 } } });
    assert.deepEqual(resolved.get(route.descriptor)!.params, { host: 'web.example.com', path: '/', port: 8443, url: 'https://web.example.com:8443/' });
    assert.deepEqual(resolved.get(route.descriptor)!.secretPaths, []);
  });

  it('resolves shared.<r>.<output> in a module\'s and in a shared resource\'s params', () => {
    const set: GraphSetInput = {
      modules: { api: { externals: { route: { type: 'route', params: { host: '${shared.dns.host}', port: 80 } } } } },
      shared: { dns: { type: 'dns' }, db: { type: 'postgres', params: { owner: '${shared.dns.host}' } } },
    };
    const graph = buildResourceGraph({ set, context, definitions });
    const resolved = provision(graph, { 'dns.default#shared.dns': { values: { host: 'shared.example.com' } } });
    assert.deepEqual(resolved.get('route.default#modules.api.externals.route')!.params, { host: 'shared.example.com', port: 80 });
    assert.deepEqual(resolved.get('postgres.default#shared.db')!.params, { owner: 'shared.example.com' });
  });

  it('taints params that take a secret output', () => {
    const set: GraphSetInput = {
      modules: { api: { externals: { db: { type: 'postgres' }, route: { type: 'route', params: { token: '${externals.db.password}', dsn: 'pg://u:${externals.db.password}@h' } } } } },
    };
    const graph = buildResourceGraph({ set, context, definitions });
    const resolved = provision(graph, { 'postgres.default#modules.api.externals.db': { values: { host: 'h' }, secrets: { password: 's3cret' } } });
    const route = resolved.get('route.default#modules.api.externals.route')!;
    assert.deepEqual(route.params, { token: 's3cret', dsn: 'pg://u:s3cret@h' });
    assert.deepEqual(route.secretPaths.sort(), ['/params/dsn', '/params/token']);
  });

  it('does not let one module\'s resource see another module\'s externals, nor a missing output pass', () => {
    const set: GraphSetInput = {
      modules: { a: { externals: { dns: { type: 'dns' } } }, b: { externals: { dns: { type: 'dns' }, route: { type: 'route', params: { host: '${externals.dns.nothing}' } } } } },
    };
    const graph = buildResourceGraph({ set, context, definitions });
    assert.throws(
      () => provision(graph, { 'dns.default#modules.b.externals.dns': { values: { host: 'b.example.com' } } }),
      (error: unknown) => error instanceof InvalidInput && /no output "nothing"/.test(error.message),
    );
    // Both modules have a dns; b's route reads its own.
    const twoModules = provision(buildResourceGraph({ set: { modules: { ...set.modules, b: { externals: { dns: { type: 'dns' }, route: { type: 'route', params: { host: '${externals.dns.host}' } } } } } }, context, definitions }), {
      'dns.default#modules.a.externals.dns': { values: { host: 'a.example.com' } },
      'dns.default#modules.b.externals.dns': { values: { host: 'b.example.com' } },
    });
    assert.deepEqual(twoModules.get('route.default#modules.b.externals.route')!.params, { host: 'b.example.com' });
  });
});

describe('containers\' command and args are passed through verbatim', () => {
  it('draws no edge and raises no error for placeholders in command/args, while variables still count', () => {
    const set: GraphSetInput = {
      modules: {
        web: {
          externals: { db: { type: 'postgres' } },
          spec: { containers: { main: { image: 'x', command: ['sh', '-c', 'echo ${HOME} ${externals.nope.x}'], args: ['${args}', '${not valid}'], variables: { DB: '${externals.db.host}' } } } },
        },
      },
    };
    const graph = buildResourceGraph({ set, context, definitions });
    assert.ok(node(graph, 'workload.default#modules.web').dependsOn.includes(node(graph, 'postgres.default#modules.web.externals.db').guresid));
    // Without the verbatim rule the spec's `${externals.nope.x}` names a missing external.
    assert.throws(() => buildResourceGraph({ set: { modules: { web: { ...set.modules.web, spec: { containers: { main: { variables: { X: '${externals.nope.x}' } } } } } } }, context, definitions }), InvalidInput);
  });

  it('strips command/args for resolution and puts the originals back afterwards', () => {
    const spec = { containers: { main: { image: 'x', command: ['run'], args: ['${args}'], variables: { A: '${values.a}' } } }, labels: { l: '1' } };
    const stripped = withoutVerbatimFields(spec) as { containers: { main: Record<string, unknown> } };
    assert.deepEqual(Object.keys(stripped.containers.main).sort(), ['image', 'variables']);
    assert.deepEqual(spec.containers.main.args, ['${args}'], 'the original is not changed');
    const resolved = { containers: { main: { image: 'x', variables: { A: 'resolved' } } }, labels: { l: '1' } };
    assert.deepEqual(restoreVerbatimFields(resolved, spec), {
      containers: { main: { image: 'x', variables: { A: 'resolved' }, command: ['run'], args: ['${args}'] } },
      labels: { l: '1' },
    });
  });
});
