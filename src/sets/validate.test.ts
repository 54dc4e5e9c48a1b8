import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { parseDelta, parseSet } from './index.js';
import { delta91 } from './fixtures.test-data.js';

function invalid(fn: () => unknown, pattern: RegExp): InvalidInput {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InvalidInput, `expected InvalidInput, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  return caught;
}

test('parseDelta accepts Humanitec\'s example delta and fills every bucket', () => {
  const delta = parseDelta(delta91);
  assert.deepEqual(delta.modules.remove, ['legacy-worker']);
  assert.deepEqual(Object.keys(delta.modules.update), ['module-one']);
  assert.deepEqual(delta.metadata, delta91.metadata);
  const minimal = parseDelta({ modules: { add: { cache: { profile: 'humanitec/redis' } } } });
  assert.deepEqual(minimal, { modules: { add: { cache: { profile: 'humanitec/redis', spec: {}, externals: {} } }, remove: [], update: {} }, shared: [] });
  assert.deepEqual(parseDelta({ modules: null, shared: null }), { modules: { add: {}, remove: [], update: {} }, shared: [] });
});

test('parseDelta names the module and member of a malformed added module', () => {
  const error = invalid(() => parseDelta({ modules: { add: { web: { spec: {} } } } }), /\/modules\/add\/web/);
  assert.ok(Array.isArray(error.details.issues));
  invalid(() => parseDelta({ modules: { add: { web: { profile: 'p', extrenals: {} } } } }), /modules\/add\/web.*extrenals/);
  invalid(() => parseDelta({ modules: { add: { web: { profile: 'p', externals: { db: { class: 'x' } } } } } }), /\/modules\/add\/web\/externals\/db/);
});

test('parseDelta rejects invalid module ids and resource names', () => {
  invalid(() => parseDelta({ modules: { add: { 'Bad_Id': { profile: 'p' } } } }), /\/modules\/add\/Bad_Id/);
  invalid(() => parseDelta({ modules: { remove: ['UPPER'] } }), /\/modules\/remove\/0/);
  invalid(() => parseDelta({ modules: { add: { web: { profile: 'p', externals: { 'a/b': { type: 't' } } } } } }), /"a\/b"/);
});

test('parseDelta rejects malformed JSON-Patch operations with their position', () => {
  invalid(() => parseDelta({ modules: { update: { web: [{ op: 'merge', path: '/a' }] } } }), /\/modules\/update\/web\/0\/op/);
  invalid(() => parseDelta({ modules: { update: { web: [{ op: 'remove', path: '/a' }, { op: 'add', path: '/b' }] } } }), /\/modules\/update\/web\/1: operation "add" needs a "value"/);
  invalid(() => parseDelta({ shared: [{ op: 'copy', path: '/a' }] }), /\/shared\/0: operation "copy" needs a "from"/);
  invalid(() => parseDelta({ shared: [{ op: 'add', path: 'no-slash', value: 1 }] }), /\/shared\/0\/path/);
  // Humanitec's `remove` scope marker is accepted.
  assert.equal(parseDelta({ shared: [{ op: 'remove', path: '/a', value: { scope: 'delta' } }] }).shared.length, 1);
});

test('parseDelta rejects generic-mode workloads and unknown top-level members', () => {
  invalid(() => parseDelta({ workloads: { add: {} } }), /unknown member\(s\): workloads/);
  invalid(() => parseDelta([]), /invalid delta/);
});

test('parseSet rejects unsupported versions and malformed modules', () => {
  invalid(() => parseSet({ version: 1, modules: {}, shared: {} }), /\/version/);
  invalid(() => parseSet({ version: 0, modules: { web: { profile: '' } }, shared: {} }), /\/modules\/web\/profile/);
  invalid(() => parseSet({ version: 0, modules: {}, shared: { dns: { type: 'dns', extra: 1 } } }), /\/shared\/dns.*extra/);
});
