import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EMPTY_SET, EMPTY_SET_ID, applyDelta, isSetId, parseDelta, parseSet, resolveSetIdAlias, setId, toSetResponse } from './index.js';
import { delta91, set92 } from './fixtures.test-data.js';
import { shuffleKeys } from './test-arbitraries.js';

test('the empty set id is sha256 of its documented canonical encoding, cut to 40 hex digits', () => {
  const expected = createHash('sha256').update('{"modules":{},"shared":{},"version":0}').digest('hex').slice(0, 40);
  assert.equal(EMPTY_SET_ID, expected);
  assert.equal(setId(EMPTY_SET), EMPTY_SET_ID);
  assert.equal(setId({ version: 0, modules: {}, shared: {} }), EMPTY_SET_ID);
});

test('"0" is an alias of the empty set id; other ids pass through', () => {
  assert.equal(resolveSetIdAlias('0'), EMPTY_SET_ID);
  assert.equal(resolveSetIdAlias('5bc76a8f626ab5255ccfd8b17fb0a73ed0d2bff9'), '5bc76a8f626ab5255ccfd8b17fb0a73ed0d2bff9');
});

test('the id of a known set is pinned (changing the hashing would orphan every stored set)', () => {
  assert.equal(setId(parseSet(set92)), '5bc76a8f626ab5255ccfd8b17fb0a73ed0d2bff9');
  assert.equal(setId(applyDelta(EMPTY_SET, parseDelta(delta91))), '5bc76a8f626ab5255ccfd8b17fb0a73ed0d2bff9');
});

test('set ids have Humanitec\'s 40-lowercase-hex format', () => {
  assert.ok(isSetId(setId(parseSet(set92))));
  assert.ok(!isSetId('0'));
});

test('the same content in another key order and whitespace gets the same id', () => {
  const reordered = `{
    "shared": { "api-dns": { "type": "dns" } },
    "modules": { "service-a": {
      "spec": ${JSON.stringify(shuffleKeys(set92.modules['service-a'].spec, 7), null, 4)},
      "externals": { "db": { "class": "default", "type": "postgres" } },
      "profile": "humanitec/default-module" } },
    "version": 0 }`;
  assert.equal(setId(parseSet(JSON.parse(reordered))), setId(parseSet(set92)));
});

test('absent, null and empty externals/spec give the same id; params {} and class differ from absent', () => {
  const base = { version: 0, modules: { web: { profile: 'p', spec: {}, externals: {} } }, shared: { dns: { type: 'dns' } } };
  const variants = [
    { version: 0, modules: { web: { profile: 'p' } }, shared: { dns: { type: 'dns' } } },
    { modules: { web: { profile: 'p', spec: null, externals: null, deploy: null } }, shared: { dns: { type: 'dns', class: null, params: null } } },
  ];
  for (const variant of variants) assert.equal(setId(parseSet(variant)), setId(parseSet(base)));
  assert.notEqual(setId(parseSet({ ...base, shared: { dns: { type: 'dns', params: {} } } })), setId(parseSet(base)));
  assert.notEqual(setId(parseSet({ ...base, shared: { dns: { type: 'dns', class: 'default' } } })), setId(parseSet(base)));
});

test('an id carried in the input is ignored, and toSetResponse adds the derived one', () => {
  const set = parseSet({ ...set92, id: 'ffffffffffffffffffffffffffffffffffffffff' });
  assert.equal(setId(set), setId(parseSet(set92)));
  const response = toSetResponse(set);
  assert.equal(response.id, setId(set));
  assert.deepEqual(response.modules, set.modules);
});
