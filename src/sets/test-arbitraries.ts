/**
 * fast-check generators of realistic Deployment Sets and Deltas, shared by the property tests and the benchmark.
 * Module and resource names come from small pools so that independently generated sets overlap (which is what makes
 * diffs and merges interesting), plus an occasional random name.
 */
import fc from 'fast-check';
import type { Delta, DeploymentSet, Module, PatchOperation, ResourceRef } from './schemas.js';

export const moduleIdPool = ['web', 'api', 'worker', 'cron', 'frontend', 'backend', 'cache', 'auth', 'billing', 'db-migrate'];
const resourceNamePool = ['db', 'cache', 'queue', 'bucket', 'dns', 'route', 'secrets', 'db-class-replica'];
const resourceTypes = ['postgres', 'redis', 'amqp', 's3', 'dns', 'route', 'mysql', 'volume'];

/** Real sets and deltas arrive as JSON: plain objects only (fast-check may build null-prototype ones). */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const randomId = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
export const moduleIdArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...moduleIdPool) }, { weight: 1, arbitrary: randomId });
export const resourceNameArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...resourceNamePool) }, { weight: 1, arbitrary: randomId });

const envKeyArb = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/);
const envValueArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('${externals.db.host}', '${shared.dns.host}', '${values.API_KEY}', '${modules.api.service.name}'),
);
const imageArb = fc
  .tuple(fc.constantFrom('registry.example.com/team', 'ghcr.io/acme', 'busybox'), fc.constantFrom('app', 'svc', 'job'), fc.nat(30))
  .map(([registry, repo, tag]) => `${registry}/${repo}:1.${tag}.0`);

const paramsArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.constantFrom('size', 'version', 'extensions', 'region', 'replicas'),
  fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 64 }), fc.boolean(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })),
  { maxKeys: 3, noNullPrototype: true },
);

export const resourceArb: fc.Arbitrary<ResourceRef> = fc.record(
  { type: fc.constantFrom(...resourceTypes), class: fc.constantFrom('default', 'large', 'internal'), params: paramsArb },
  { requiredKeys: ['type'] },
).map(asJson);

const probeArb = fc.record({ type: fc.constant('http'), path: fc.constantFrom('/healthz', '/ready'), port: fc.integer({ min: 1, max: 65535 }) });

const containerArb = (id: string) =>
  fc.record(
    {
      id: fc.constant(id),
      image: imageArb,
      variables: fc.dictionary(envKeyArb, envValueArb, { maxKeys: 5, noNullPrototype: true }),
      args: fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
      resources: fc.record({
        limits: fc.record({ cpu: fc.constantFrom('100m', '250m', '1'), memory: fc.constantFrom('128Mi', '256Mi', '1Gi') }),
      }),
      readiness_probe: probeArb,
    },
    { requiredKeys: ['id', 'image'] },
  );

const containersArb = fc
  .uniqueArray(fc.constantFrom('main', 'sidecar', 'init', 'proxy'), { minLength: 1, maxLength: 2 })
  .chain((ids) => fc.tuple(...ids.map((id) => containerArb(id).map((container) => [id, container] as const))))
  .map((entries) => Object.fromEntries(entries));

const specArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    containers: containersArb,
    service: fc.record({
      ports: fc.dictionary(fc.constantFrom('www', 'grpc', 'metrics'), fc.record({ protocol: fc.constant('TCP'), service_port: fc.integer({ min: 1, max: 9999 }), container_port: fc.integer({ min: 1, max: 9999 }) }), { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
    }),
    labels: fc.dictionary(fc.constantFrom('team', 'tier', 'app.kubernetes.io/part-of'), fc.string({ maxLength: 8 }), { maxKeys: 2, noNullPrototype: true }),
  },
  { requiredKeys: ['containers'] },
);

export const moduleArb: fc.Arbitrary<Module> = fc.record(
  {
    profile: fc.constantFrom('humanitec/default-module', 'humanitec/default-job', 'acme/worker'),
    spec: specArb,
    externals: fc.dictionary(resourceNameArb, resourceArb, { maxKeys: 3, noNullPrototype: true }),
    deploy: fc.record(
      { when: fc.constantFrom('before' as const, 'deploy' as const, 'after' as const), success: fc.constantFrom('deploy' as const, 'available' as const, 'complete' as const), timeout: fc.integer({ min: 0, max: 600 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['profile', 'spec', 'externals'] },
).map(asJson);

export const setArb: fc.Arbitrary<DeploymentSet> = fc.record({
  version: fc.constant(0 as const),
  modules: fc.dictionary(moduleIdArb, moduleArb, { maxKeys: 6, noNullPrototype: true }),
  shared: fc.dictionary(resourceNameArb, resourceArb, { maxKeys: 4, noNullPrototype: true }),
}).map(asJson);

/** Module-scoped operations that usually apply to a generated module (some, like removes, may fail: that is fine). */
const moduleOpArb: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), path: fc.constant('/profile'), value: fc.constantFrom('humanitec/default-module', 'acme/worker') }),
  fc.record({ op: fc.constant('add' as const), path: fc.constant('/spec/labels'), value: fc.dictionary(fc.constantFrom('a', 'b'), fc.string({ maxLength: 4 }), { maxKeys: 2, noNullPrototype: true }) }),
  resourceNameArb.chain((name) => resourceArb.map((value) => ({ op: 'add' as const, path: `/externals/${name}`, value }))),
  resourceNameArb.map((name) => ({ op: 'remove' as const, path: `/externals/${name}` })),
  imageArb.map((image) => ({ op: 'replace' as const, path: '/spec/containers/main/image', value: image })),
  fc.record({ op: fc.constant('add' as const), path: fc.constant('/deploy'), value: fc.record({ when: fc.constantFrom('before', 'after') }) }),
);

const sharedOpArb: fc.Arbitrary<PatchOperation> = fc.oneof(
  resourceNameArb.chain((name) => resourceArb.map((value) => ({ op: 'add' as const, path: `/${name}`, value }))),
  resourceNameArb.map((name) => ({ op: 'remove' as const, path: `/${name}` })),
  resourceNameArb.map((name) => ({ op: 'replace' as const, path: `/${name}/class`, value: 'large' })),
);

/** Hand-written style deltas: whole-module adds, removes, module-scoped patches and shared patches. */
export const deltaArb: fc.Arbitrary<Delta> = fc.record({
  modules: fc.record({
    add: fc.dictionary(moduleIdArb, moduleArb, { maxKeys: 2, noNullPrototype: true }),
    remove: fc.uniqueArray(moduleIdArb, { maxLength: 2 }),
    update: fc.dictionary(moduleIdArb, fc.array(moduleOpArb, { minLength: 1, maxLength: 3 }), { maxKeys: 3, noNullPrototype: true }),
  }),
  shared: fc.array(sharedOpArb, { maxLength: 3 }),
}).map(asJson);

/** Deterministically reorders every object's keys (arrays keep their order: it is meaningful). */
export function shuffleKeys(value: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, walk(v)]));
  };
  return walk(value);
}
