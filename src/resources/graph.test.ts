import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { buildResourceGraph, canonicalNodeList, findNode, resolveNodeInputs, toNodeBody, type GraphNode, type ResourceGraph } from './graph.js';
import { guresid } from './guresid.js';
import { NoMatchingDefinition } from './matching.js';
import { def, fixture } from './test-helpers.js';

const basics = fixture('platform-basics.yaml');
const context = { orgId: 'test-org', appId: 'my-app', envId: 'development', envType: 'development' };

function node(graph: ResourceGraph, descriptor: string): GraphNode {
  const found = graph.nodes.find((n) => n.descriptor === descriptor);
  assert.ok(found, `expected node ${descriptor}; have ${graph.nodes.map((n) => n.descriptor).join(', ')}`);
  return found;
}

function dependsOn(graph: ResourceGraph, from: string, to: string): boolean {
  return node(graph, from).dependsOn.includes(node(graph, to).guresid);
}

function assertTopological(graph: ResourceGraph): void {
  const position = new Map(graph.order.map((id, i) => [id, i]));
  const levelOf = new Map(graph.levels.flatMap((level, i) => level.map((id) => [id, i] as const)));
  for (const n of graph.nodes) {
    for (const dep of n.dependsOn) {
      assert.ok(position.get(dep)! < position.get(n.guresid)!, `${n.descriptor} must come after its dependency`);
      assert.ok(levelOf.get(dep)! < levelOf.get(n.guresid)!, `${n.descriptor} must be on a later level than its dependency`);
    }
    assert.equal(levelOf.get(n.guresid), n.level);
  }
  assert.deepEqual(graph.nodes.map((n) => n.guresid), graph.order);
  assert.equal(new Set(graph.order).size, graph.nodes.length);
}

describe('buildResourceGraph', () => {
  it('creates nodes for private, shared, workload and implicit resources with their GUResIDs', () => {
    const definitions = [...basics, def('pg-def', 'postgres', [{}]), def('dns-plain', 'dns', [{}])];
    const graph = buildResourceGraph({
      set: { modules: { api: { externals: { db: { type: 'postgres', params: { extensions: {} } } } } }, shared: { dns: { type: 'dns' } } },
      context,
      definitions,
    });
    assert.deepEqual(graph.nodes.map((n) => n.descriptor).sort(), [
      'base-env.default#base-env',
      'dns.default#shared.dns',
      'k8s-cluster.default#k8s-cluster',
      'k8s-namespace.default#k8s-namespace',
      'postgres.default#modules.api.externals.db',
      'workload.default#modules.api',
    ]);
    const db = node(graph, 'postgres.default#modules.api.externals.db');
    assert.equal(db.guresid, guresid({ ...context, type: 'postgres', class: 'default', resId: 'modules.api.externals.db' }));
    assert.equal(db.definition.id, 'pg-def');
    assert.deepEqual(db.params, { extensions: {} });
    assert.ok(dependsOn(graph, 'workload.default#modules.api', 'postgres.default#modules.api.externals.db'));
    // Independent resources share the first level; the workload waits for its database.
    assert.equal(db.level, 0);
    assert.equal(node(graph, 'workload.default#modules.api').level, 1);
    assertTopological(graph);
  });

  it('adds resources referenced in a workload spec as dependencies of its workload node', () => {
    const definitions = [...basics, def('dns-plain', 'dns', [{}]), def('cfg', 'config', [{}])];
    const graph = buildResourceGraph({
      set: {
        modules: { web: { spec: { containers: { main: { variables: { HOST: 'https://${shared.dns.host}', CFG: '${resources.config#app-config.outputs.x}' } } } } } },
        shared: { dns: { type: 'dns' } },
      },
      context,
      definitions,
    });
    assert.ok(dependsOn(graph, 'workload.default#modules.web', 'dns.default#shared.dns'));
    assert.ok(dependsOn(graph, 'workload.default#modules.web', 'config.default#app-config'));
    assertTopological(graph);
  });

  it('co-provisions an ingress for a dns and orders it after the routes that depend on the dns', () => {
    const definitions = [...basics, ...fixture('dns-ingress.yaml')];
    const set = {
      modules: {
        web: { externals: { route: { type: 'route', params: { host: '${shared.dns.host}', path: '/', port: 8080, service: 'web' } } } },
        admin: { externals: { route: { type: 'route', params: { host: '${shared.dns.host}', path: '/admin', port: 9090, service: 'admin' } } } },
      },
      shared: { dns: { type: 'dns' } },
    };
    const graph = buildResourceGraph({ set, context, definitions });
    const ingress = node(graph, 'ingress.default#shared.dns');
    assert.match(ingress.origins[0]!, /co-provisioned by dns\.default#shared\.dns/);
    assert.equal(ingress.definition.id, 'default-ingress');
    // `${resources.dns.outputs.host}` without id/class: the ingress shares the dns's res_id.
    assert.ok(dependsOn(graph, 'ingress.default#shared.dns', 'dns.default#shared.dns'));
    assert.ok(dependsOn(graph, 'ingress.default#shared.dns', 'tls-cert.default#shared.dns'));
    // Selector `dns<route` adds ordering edges to every route depending on the dns, but creates no route.
    assert.ok(dependsOn(graph, 'ingress.default#shared.dns', 'route.default#modules.web.externals.route'));
    assert.ok(dependsOn(graph, 'ingress.default#shared.dns', 'route.default#modules.admin.externals.route'));
    assert.equal(graph.nodes.filter((n) => n.type === 'route').length, 2);
    // is_dependent: false — the dns does not wait for the ingress, nor the ingress only because it was provisioned.
    assert.ok(!dependsOn(graph, 'dns.default#shared.dns', 'ingress.default#shared.dns'));
    assertTopological(graph);
    assert.deepEqual(
      graph.levels.map((level) => level.map((id) => graph.nodes.find((n) => n.guresid === id)!.type).sort()),
      [
        ['base-env', 'dns', 'k8s-cluster', 'k8s-namespace', 'tls-cert'],
        ['route', 'route'],
        ['ingress', 'workload', 'workload'],
      ],
    );

    // Resolving the ingress's inputs turns the selectors into aligned lists.
    const outputs = new Map<string, { values: Record<string, unknown>; secrets: Record<string, unknown> }>();
    outputs.set(node(graph, 'dns.default#shared.dns').guresid, { values: { host: 'development-my-app.my-domain.com' }, secrets: {} });
    outputs.set(node(graph, 'tls-cert.default#shared.dns').guresid, { values: { tls_secret_name: 'shared.dns-tls' }, secrets: {} });
    for (const w of ['web', 'admin']) {
      const route = node(graph, `route.default#modules.${w}.externals.route`);
      outputs.set(route.guresid, { values: { ...route.params, host: 'development-my-app.my-domain.com' }, secrets: {} });
    }
    const inputs = resolveNodeInputs(graph, ingress, outputs);
    assert.equal(inputs.driver.values.host, 'development-my-app.my-domain.com');
    assert.deepEqual(inputs.driver.values.routePaths, ['/admin', '/']);
    assert.deepEqual(inputs.driver.values.routePorts, [9090, 8080]);
    assert.deepEqual(inputs.driver.values.routeServices, ['admin', 'web']);
    assert.equal(inputs.driver.values.tlsSecretName, 'shared.dns-tls');
  });

  it('gives every workload its own service account when a workload definition references one without id or class', () => {
    const definitions = [...basics, ...fixture('workload-service-account.yaml')];
    const set = { modules: { w1: {}, w2: {} } };
    const graph = buildResourceGraph({ set, context: { ...context, appId: 'example-propagate-id' }, definitions });
    for (const w of ['w1', 'w2']) {
      const workload = node(graph, `workload.default#modules.${w}`);
      const account = node(graph, `k8s-service-account.default#modules.${w}`);
      assert.equal(workload.definition.id, 'example-workload');
      assert.equal(account.definition.id, 'example-k8s-service-account');
      assert.deepEqual(workload.dependsOn, [account.guresid]);
    }
    assert.equal(graph.nodes.filter((n) => n.type === 'k8s-service-account').length, 2);
    assertTopological(graph);

    // In another app the plain workload definition wins and no service account appears.
    const plain = buildResourceGraph({ set, context, definitions });
    assert.equal(plain.nodes.filter((n) => n.type === 'k8s-service-account').length, 0);
  });

  it('wires provision entries: is_dependent, match_dependents and params', () => {
    const definitions = [
      ...basics,
      def('s3-with-policy', 's3', [{}], {
        provision: { 'config#policy': { is_dependent: true, match_dependents: true, params: { bucket: '${resources.s3#modules.api.externals.bucket.outputs.bucket}' } } },
      }),
      def('cfg', 'config', [{}]),
    ];
    const graph = buildResourceGraph({ set: { modules: { api: { externals: { bucket: { type: 's3' } } } } }, context, definitions });
    const policy = node(graph, 'config.default#policy');
    assert.deepEqual(policy.params, { bucket: '${resources.s3#modules.api.externals.bucket.outputs.bucket}' });
    assert.ok(dependsOn(graph, 'config.default#policy', 's3.default#modules.api.externals.bucket'));
    // match_dependents: the workload depending on the bucket also depends on the policy.
    assert.ok(dependsOn(graph, 'workload.default#modules.api', 'config.default#policy'));
    assertTopological(graph);
  });

  it('provisions a pinned resource with the pinned version while it matches that definition, and ignores the pin otherwise', () => {
    const current = { ...def('pg-def', 'postgres', [{}], { driver_inputs: { values: { size: 'large' } } }), version_id: 'v2' };
    const pinned = { ...def('pg-def', 'postgres', [], { driver_inputs: { values: { size: 'small' } }, provision: { 'dns#pinned-dns': {} } }), version_id: 'v1' };
    const set = { modules: { api: { externals: { db: { type: 'postgres' } } } } };
    const pins = new Map([['postgres.default#modules.api.externals.db', pinned]]);
    const unpinned = buildResourceGraph({ set, context, definitions: [...basics, current, def('dns-plain', 'dns', [{}])] });
    const graph = buildResourceGraph({ set, context, definitions: [...basics, current, def('dns-plain', 'dns', [{}])], pins });
    const db = node(graph, 'postgres.default#modules.api.externals.db');
    assert.deepEqual(db.definition, { id: 'pg-def', versionId: 'v1' });
    assert.deepEqual(db.driverInputs.values, { size: 'small' });
    // The pinned version's provision entries apply, not the active version's; the criterion is the definition's.
    assert.ok(graph.nodes.some((n) => n.descriptor === 'dns.default#pinned-dns'));
    assert.ok(!unpinned.nodes.some((n) => n.descriptor === 'dns.default#pinned-dns'));
    assert.equal(db.criteriaId, current.criteria[0]!.id);
    assert.notEqual(graph.hash, unpinned.hash);
    // A resource that now matches another definition is not held by a pin on the old one.
    const other = def('pg-other', 'postgres', [{ app_id: 'my-app' }]);
    const moved = buildResourceGraph({ set, context, definitions: [...basics, current, other], pins });
    assert.equal(node(moved, 'postgres.default#modules.api.externals.db').definition.id, 'pg-other');
  });

  it('reports a cycle with its path', () => {
    const definitions = [
      ...basics,
      def('cfg-a', 'config', [{ res_id: 'shared.a' }], { driver_inputs: { values: { x: '${resources.config#b.outputs.x}' } } }),
      def('cfg-b', 'config', [{ res_id: 'b' }], { driver_inputs: { values: { x: '${resources.config#shared.a.outputs.x}' } } }),
    ];
    assert.throws(
      () => buildResourceGraph({ set: { modules: {}, shared: { a: { type: 'config' } } }, context, definitions }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInput);
        assert.match(error.message, /cycle: config\.default#b → config\.default#shared\.a \(placeholder in definition "cfg-b" \/driver_inputs\/values\/x\) → config\.default#b \(placeholder in definition "cfg-a" \/driver_inputs\/values\/x\)/);
        return true;
      },
    );
  });

  it('rejects a reference to an unknown type, naming who referenced it', () => {
    const definitions = [...basics, def('pg-def', 'postgres', [{}], { driver_inputs: { values: { x: '${resources.no-such-type#thing.outputs.x}' } } })];
    assert.throws(
      () => buildResourceGraph({ set: { modules: { api: { externals: { db: { type: 'postgres' } } } } }, context, definitions }),
      /unknown resource type "no-such-type" for no-such-type\.default#thing \(referenced by postgres\.default#modules\.api\.externals\.db/,
    );
    assert.throws(
      () => buildResourceGraph({ set: { modules: { api: { externals: { db: { type: 'pg-typo' } } } } }, context, definitions }),
      /unknown resource type "pg-typo" for modules\.api\.externals\.db/,
    );
    // Issue #19 theme 6: a mistyped type gets a suggestion.
    assert.throws(
      () => buildResourceGraph({ set: { modules: { api: { externals: { db: { type: 'postgress' } } } } }, context, definitions }),
      /unknown resource type "postgress" \(did you mean "postgres"\?\) for modules\.api\.externals\.db/,
    );
  });

  it('fails with the no-match error when a node has no definition', () => {
    assert.throws(
      () => buildResourceGraph({ set: { modules: { api: { externals: { db: { type: 'mysql' } } } } }, context, definitions: basics }),
      (error: unknown) => error instanceof NoMatchingDefinition && /type "mysql".*needed as set: modules\.api\.externals\.db/s.test(error.message),
    );
  });

  it('is deterministic: same input, same GUResIDs, order and hash; a change changes the hash', () => {
    const definitions = [...basics, ...fixture('dns-ingress.yaml')];
    const set = {
      modules: { web: { externals: { route: { type: 'route', params: { host: '${shared.dns.host}', path: '/', port: 8080, service: 'web' } } } } },
      shared: { dns: { type: 'dns' } },
    };
    const first = buildResourceGraph({ set, context, definitions });
    const second = buildResourceGraph({ set: structuredClone(set), context, definitions: [...definitions].reverse() });
    assert.deepEqual(second.order, first.order);
    assert.equal(second.hash, first.hash);
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    // The hash is sha256 over the canonical JSON of the NodeBody list sorted by GUResID.
    const sorted = [...first.nodes].sort((a, b) => (a.guresid < b.guresid ? -1 : 1));
    assert.equal(canonicalNodeList(sorted), canonicalJson(sorted.map((n) => toNodeBody(n))));
    assert.equal(first.hash, sha256Hex(canonicalJson(sorted.map((n) => toNodeBody(n)))));
    const changed = buildResourceGraph({ set: { ...set, shared: { dns: { type: 'dns', params: { subdomain: 'x' } } } }, context, definitions });
    assert.notEqual(changed.hash, first.hash);
    const otherEnv = buildResourceGraph({ set, context: { ...context, envId: 'staging' }, definitions });
    assert.notEqual(findNode(otherEnv, { type: 'dns', resId: 'shared.dns' })?.guresid, findNode(first, { type: 'dns', resId: 'shared.dns' })?.guresid);
  });

  it('renders nodes as Humanitec NodeBody without secret inputs', () => {
    const definitions = [...basics, def('pg-def', 'postgres', [{ env_type: 'development' }], { driver_inputs: { values: { host: 'h' }, secrets: { password: 's3cr3t' } } })];
    const graph = buildResourceGraph({ set: { modules: { api: { externals: { db: { type: 'postgres' } } } } }, context, definitions });
    const body = toNodeBody(node(graph, 'postgres.default#modules.api.externals.db'));
    assert.equal(body.id, 'modules.api.externals.db');
    assert.equal(body.def_id, 'pg-def');
    assert.deepEqual(body.driver, { values: { host: 'h' }, secrets: {} });
    assert.ok(!JSON.stringify(graph.hash).includes('s3cr3t'));
  });
});
