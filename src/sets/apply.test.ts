import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { EMPTY_SET, applyDelta, parseDelta, parseSet, setId, type DeploymentSet } from './index.js';
import { delta91, set92 } from './fixtures.test-data.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const twoWorkloads: DeploymentSet = parseSet({
  modules: {
    web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'web:1' } } }, externals: { db: { type: 'postgres' } } },
    worker: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'worker:1' } } } },
  },
  shared: { dns: { type: 'dns' } },
});

function failure(fn: () => unknown): InvalidInput {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InvalidInput, `expected InvalidInput, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to throw');
}

test('Humanitec\'s example delta applied to the empty set gives the documented set (absent modules ignored)', () => {
  assert.deepEqual(applyDelta(EMPTY_SET, parseDelta(delta91)), parseSet(set92));
});

test('with missingModules "reject", removing or updating an absent module names it', () => {
  const onlyRemove = parseDelta({ modules: { remove: ['legacy-worker'] } });
  assert.match(failure(() => applyDelta(EMPTY_SET, onlyRemove, { missingModules: 'reject' })).message, /"legacy-worker"/);
  const onlyUpdate = parseDelta({ modules: { update: { 'module-one': [{ op: 'remove', path: '/spec' }] } } });
  const error = failure(() => applyDelta(EMPTY_SET, onlyUpdate, { missingModules: 'reject' }));
  assert.equal(error.details.module, 'module-one');
});

test('adding an existing module replaces it whole', () => {
  const next = applyDelta(twoWorkloads, parseDelta({ modules: { add: { web: { profile: 'acme/other' } } } }));
  assert.deepEqual(next.modules.web, { profile: 'acme/other', spec: {}, externals: {} });
  assert.deepEqual(next.modules.worker, twoWorkloads.modules.worker);
});

test('an update patches only its module, with paths rooted at the module, and leaves inputs untouched', () => {
  const base = deepFreeze(structuredClone(twoWorkloads));
  const delta = deepFreeze(
    parseDelta({
      modules: {
        update: {
          web: [
            { op: 'replace', path: '/spec/containers/main/image', value: 'web:2' },
            { op: 'add', path: '/spec/containers/main/variables', value: { A: '1' } },
            { op: 'add', path: '/spec/containers/main/variables/B', value: '2' },
          ],
        },
      },
    }),
  );
  const next = applyDelta(base, delta);
  assert.deepEqual(next.modules.web?.spec, { containers: { main: { id: 'main', image: 'web:2', variables: { A: '1', B: '2' } } } });
  assert.deepEqual(next.modules.worker, base.modules.worker);
  assert.deepEqual(base, twoWorkloads);
  // The result shares nothing mutable with the delta.
  (next.modules.web?.spec as { containers: { main: { variables: Record<string, string> } } }).containers.main.variables.C = '3';
  assert.deepEqual(delta.modules.update.web?.[1]?.value, { A: '1' });
});

test('a failing operation names the module, the operation index and the path', () => {
  const delta = parseDelta({
    modules: {
      update: {
        web: [
          { op: 'replace', path: '/profile', value: 'x' },
          { op: 'replace', path: '/spec/containers/nope/image', value: 'y' },
        ],
      },
    },
  });
  const error = failure(() => applyDelta(twoWorkloads, delta));
  assert.match(error.message, /module "web".*operation 1.*\/spec\/containers\/nope\/image/);
  assert.equal(error.details.module, 'web');
  assert.equal(error.details.operationIndex, 1);
  assert.equal(error.details.path, '/spec/containers/nope/image');
});

test('a patch that breaks a module\'s shape is rejected, naming the module', () => {
  const error = failure(() => applyDelta(twoWorkloads, parseDelta({ modules: { update: { worker: [{ op: 'remove', path: '/profile' }] } } })));
  assert.match(error.message, /module "worker"/);
  failure(() => applyDelta(twoWorkloads, parseDelta({ modules: { update: { web: [{ op: 'replace', path: '/externals', value: 'x' }] } } })));
});

test('patches that set module members to null normalise like input does', () => {
  const next = applyDelta(twoWorkloads, parseDelta({ modules: { update: { web: [{ op: 'replace', path: '/externals', value: null }] } } }));
  assert.deepEqual(next.modules.web?.externals, {});
});

test('shared operations patch the shared map; failures name the shared target and index', () => {
  const next = applyDelta(
    twoWorkloads,
    parseDelta({ shared: [{ op: 'add', path: '/cache', value: { type: 'redis', params: { size: 'S' } } }, { op: 'remove', path: '/dns' }] }),
  );
  assert.deepEqual(next.shared, { cache: { type: 'redis', params: { size: 'S' } } });
  const error = failure(() => applyDelta(twoWorkloads, parseDelta({ shared: [{ op: 'remove', path: '/nope' }] })));
  assert.match(error.message, /shared.*operation 0.*\/nope/);
  assert.match(failure(() => applyDelta(twoWorkloads, parseDelta({ shared: [{ op: 'add', path: '/bad', value: { class: 'x' } }] }))).message, /\/shared\/bad/);
});

test('inside one delta: remove, then add, then update', () => {
  const next = applyDelta(
    twoWorkloads,
    parseDelta({
      modules: {
        remove: ['web'],
        add: { web: { profile: 'fresh' } },
        update: { web: [{ op: 'add', path: '/spec/replicas', value: 2 }] },
      },
    }),
  );
  assert.deepEqual(next.modules.web, { profile: 'fresh', spec: { replicas: 2 }, externals: {} });
});

test('a delta that changes nothing keeps the id', () => {
  assert.equal(setId(applyDelta(twoWorkloads, parseDelta({}))), setId(twoWorkloads));
});
