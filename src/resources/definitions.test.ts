import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, InvalidInput } from '../shared/errors.js';
import { assertNoDuplicateCriteria, parseResourceDescriptor, validateDefinitionRequest } from './definitions.js';
import { parseDefinitionManifests, toDefinitionManifest } from './manifests.js';
import { def } from './test-helpers.js';
import { stringify } from 'yaml';

const valid = {
  id: 'dev-postgres',
  name: 'Dev Postgres',
  type: 'postgres',
  driver_type: 'humanitec/postgres',
  driver_inputs: { values: { host: 'dev-postgres.example.com', port: 5432, name: 'postgres' }, secrets: { dbcredentials: { username: 'postgres', password: '53cr3t' } } },
  criteria: [{ env_type: 'development' }],
};

describe('validateDefinitionRequest', () => {
  it('accepts the API fixture and fills defaults', () => {
    const d = validateDefinitionRequest({ ...valid, provision: { 'aws-policy': undefined, 'dns#my-dns': {} } as unknown, criteria: [{ env_type: 'development' }] }, {});
    assert.equal(d.criteria[0]?.class, 'default');
    assert.match(d.criteria[0]?.id ?? '', /^[0-9a-f]{12}$/);
    assert.deepEqual(d.driver_inputs.secrets, valid.driver_inputs.secrets);
  });

  it('reports every problem, naming each field', () => {
    assert.throws(
      () => validateDefinitionRequest({ id: 'X', type: 'nope', driver_type: 'echo', driver_inputs: { values: [], secrets: { a: 1 }, secret_refs: { b: { value: 'x' } } }, provision: { 'bad#': {} }, criteria: [{ env: 'x' }] }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInput);
        const issues = error.details.issues as string[];
        for (const fragment of ['id: must match', 'type: unknown resource type "nope"', 'driver_type: must be', 'driver_inputs.values: must be an object', '"secrets" and "secret_refs" cannot be used together', 'provision["bad#"]', 'criteria[0].env: unknown criterion field']) {
          assert.ok(issues.some((i) => i.includes(fragment)), `missing issue "${fragment}" in ${issues.join(' | ')}`);
        }
        return true;
      },
    );
  });

  it('validates provision entries and secret_refs leaves', () => {
    assert.throws(() => validateDefinitionRequest({ ...valid, provision: { ingress: { is_dependent: 'yes' } } }), /provision\["ingress"\]\.is_dependent: must be a boolean/);
    assert.throws(() => validateDefinitionRequest({ ...valid, provision: { 'unknown-type': {} } }), /unknown resource type "unknown-type"/);
    assert.throws(() => validateDefinitionRequest({ ...valid, driver_inputs: { secret_refs: { a: { store: 'humanitec', ref: 'x' } } } }), /store cannot be "humanitec"/);
    const ok = validateDefinitionRequest({ ...valid, driver_inputs: { secret_refs: { creds: { user: { store: 'vault', ref: 'p/u' }, password: { value: 'x' } } } }, provision: { 'dns.default#my-dns': { match_dependents: true, params: { a: 1 } } } });
    assert.deepEqual(ok.provision['dns.default#my-dns'], { is_dependent: false, match_dependents: true, params: { a: 1 } });
  });

  it('splits descriptors whose id contains dots', () => {
    assert.deepEqual(parseResourceDescriptor('dns.default#shared.api-dns'), { type: 'dns', class: 'default', resId: 'shared.api-dns' });
    assert.deepEqual(parseResourceDescriptor('my-org/queue#q'), { type: 'my-org/queue', resId: 'q' });
    assert.throws(() => parseResourceDescriptor('dns.#x'), /not a resource descriptor/);
  });
});

describe('duplicate criteria', () => {
  it('refuses a criterion another definition of the same type already has', () => {
    const existing = [def('pg-one', 'postgres', [{ env_type: 'development' }]), def('redis-one', 'redis', [{ env_type: 'test' }])];
    assert.throws(() => assertNoDuplicateCriteria(existing, def('pg-two', 'postgres', [{ env_type: 'development', class: 'default' }])), (e: unknown) => e instanceof Conflict && /duplicates one of definition "pg-one"/.test(e.message));
    // Same values for another type, another class, or an update of the same definition are fine.
    assertNoDuplicateCriteria(existing, def('pg-three', 'redis', [{ env_type: 'development' }]));
    assertNoDuplicateCriteria(existing, def('pg-four', 'postgres', [{ env_type: 'development', class: 'big' }]));
    assertNoDuplicateCriteria(existing, def('pg-one', 'postgres', [{ env_type: 'development' }]));
  });

  it('refuses the same criterion twice in one definition', () => {
    assert.throws(() => validateDefinitionRequest({ ...valid, criteria: [{ app_id: 'a' }, { app_id: 'a', class: 'default' }] }), Conflict);
  });
});

describe('parseDefinitionManifests', () => {
  it('loads multi-document Humanitec manifests unchanged and round-trips them', () => {
    const text = [
      'apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata: {id: dns-template}\nentity:\n  name: dns-template\n  type: dns\n  driver_type: humanitec/dns-wildcard\n  driver_inputs: {values: {domain: my-domain.com}}\n  provision: {ingress: {is_dependent: false}}\n  criteria: [{}]\n',
      '\n',
      stringify({ apiVersion: 'entity.humanitec.io/v1b1', kind: 'Definition', metadata: { id: valid.id }, entity: { ...valid, id: undefined } }),
    ].join('---\n');
    const parsed = parseDefinitionManifests(text, 'defs.yaml');
    assert.deepEqual(parsed.map((p) => p.definition.id), ['dns-template', 'dev-postgres']);
    assert.deepEqual(parsed[0]?.definition.provision, { ingress: { is_dependent: false, match_dependents: false } });
    assert.equal(parsed[1]?.source.line, 14);
    const again = parseDefinitionManifests(stringify(toDefinitionManifest(parsed[1].definition)), 'again.yaml');
    assert.deepEqual(again[0]?.definition, parsed[1]?.definition);
  });

  it('reports YAML and definition errors with file, line and column', () => {
    assert.throws(() => parseDefinitionManifests('apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata: {id: x\n', 'bad.yaml'), /bad\.yaml:4:1: Flow map/);
    assert.throws(
      () => parseDefinitionManifests('apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata: {id: ok-def}\nentity: {type: postgres, driver_type: humanitec/echo}\n---\nkind: Other\n', 'two.yaml'),
      (e: unknown) => e instanceof InvalidInput && /two\.yaml:6:1: apiVersion must be/.test(e.message),
    );
    assert.throws(() => parseDefinitionManifests('apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata: {id: ok-def}\nentity: {type: nope, driver_type: humanitec/echo}\n', 'c.yaml'), /c\.yaml:1:1: invalid resource definition "ok-def": type: unknown resource type "nope"/);
  });
});
