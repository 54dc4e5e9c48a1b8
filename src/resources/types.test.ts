import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput, NotFound } from '../shared/errors.js';
import { createTypeRegistry, defaultTypeRegistry, validateCustomTypeRequest, validateOutputs } from './types.js';
import { guresid, GURESID_PATTERN } from './guresid.js';
import { createHash } from 'node:crypto';

describe('resource types', () => {
  it('ships the standard types with their use', () => {
    const expected: Record<string, string> = {
      'k8s-cluster': 'implicit', 'k8s-namespace': 'implicit', 'base-env': 'implicit', workload: 'implicit', environment: 'direct', config: 'direct',
      postgres: 'direct', mysql: 'direct', mariadb: 'direct', mongodb: 'direct', redis: 'direct', amqp: 'direct', s3: 'direct', dns: 'direct',
      route: 'direct', ingress: 'indirect', 'tls-cert': 'indirect', volume: 'direct', 'k8s-service-account': 'indirect',
    };
    for (const [type, use] of Object.entries(expected)) assert.equal(defaultTypeRegistry.get(type)?.use, use, type);
    assert.throws(() => defaultTypeRegistry.require('nope', 'modules.a.externals.b'), (e: unknown) => e instanceof NotFound && /needed by modules\.a\.externals\.b/.test(e.message));
  });

  it('validates driver outputs against the type, naming the field', () => {
    const postgres = defaultTypeRegistry.require('postgres');
    validateOutputs(postgres, { values: { host: 'h', port: 5432, name: 'db' }, secrets: { username: 'u', password: 'p' } });
    assert.throws(
      () => validateOutputs(postgres, { values: { host: 'h', port: '5432', name: 'db' }, secrets: { username: 7 } }),
      (e: unknown) => e instanceof InvalidInput && (e.details.issues as string[]).includes('values.port: must be integer') && (e.details.issues as string[]).includes('secrets.username: must be string'),
    );
  });

  it("requires no output Humanitec's catalogue and examples leave out (issue 26 item 1)", () => {
    // resource-graph-patterns/delegator-resource/def-s3-read-only.yaml (example-library) forwards only `bucket`.
    validateOutputs(defaultTypeRegistry.require('s3'), { values: { bucket: 'b' }, secrets: {} });
    // resource-packs-in-cluster mongodb: host and port, the connection string as a secret; no name, no credentials.
    validateOutputs(defaultTypeRegistry.require('mongodb'), { values: { host: 'mongodb-x', port: 27017 }, secrets: { connection_string: 'mongodb://x' } });
    // The catalogue lists every type's outputs without a required column: only Baton's own need remains.
    for (const type of defaultTypeRegistry.list()) {
      const required = [...((type.outputs_schema.values.required as string[] | undefined) ?? []), ...((type.outputs_schema.secrets.required as string[] | undefined) ?? [])];
      assert.deepEqual(required, type.type === 'k8s-namespace' ? ['namespace'] : [], type.type);
    }
  });

  it("ships Humanitec's catalogue types that need no cloud account, e.g. horizontal-pod-autoscaler and endpoint", () => {
    for (const [type, use] of [['horizontal-pod-autoscaler', 'direct'], ['endpoint', 'direct'], ['mssql', 'direct'], ['cassandra', 'direct'], ['mysql-instance', 'indirect'], ['postgres-instance', 'indirect'], ['k8s-logging', 'implicit']]) {
      assert.equal(defaultTypeRegistry.get(type!)?.use, use, type);
    }
  });

  it('registers custom types only under the org prefix', () => {
    const custom = validateCustomTypeRequest('my-org', { type: 'my-org/queue', outputs_schema: { values: { type: 'object', required: ['url'] } } });
    assert.equal(custom.use, 'direct');
    const registry = createTypeRegistry([custom]);
    assert.ok(registry.has('my-org/queue'));
    assert.throws(() => validateOutputs(registry.require('my-org/queue'), { values: {} }), /values\.url/);
    assert.throws(() => validateCustomTypeRequest('my-org', { type: 'other-org/queue' }), /must be named "my-org\/<name>"/);
    assert.throws(() => validateCustomTypeRequest('my-org', { type: 'my-org/q', use: 'sometimes' }), /use: must be one of/);
    assert.throws(() => validateCustomTypeRequest('my-org', { type: 'my-org/queue', outputs_schema: { values: { type: 'nonsense' } } }), /invalid JSON Schema/);
    assert.throws(() => createTypeRegistry([custom, custom]), /registered twice/);
  });
});

describe('guresid', () => {
  it('is the documented sha256 prefix of the NUL-joined tuple', () => {
    const parts = { orgId: 'test-org', appId: 'test-app', envId: 'gcp-dev', type: 'postgres', class: 'default', resId: 'modules.my-module.externals.my-db' };
    const expected = createHash('sha256').update(['baton-guresid-v1', 'test-org', 'test-app', 'gcp-dev', 'postgres', 'default', 'modules.my-module.externals.my-db'].join('\0')).digest('hex').slice(0, 40);
    assert.equal(guresid(parts), expected);
    assert.match(guresid(parts), GURESID_PATTERN);
    // Pinned: a change here would orphan every provisioned resource.
    assert.equal(guresid(parts), 'd85c637905138052103ac05442cf51dd961a1317');
    assert.equal(guresid({ ...parts, class: undefined }), guresid(parts));
    assert.notEqual(guresid({ ...parts, envId: 'gcp-prod' }), guresid(parts));
    assert.notEqual(guresid({ ...parts, class: 'sensitive' }), guresid(parts));
  });
});
