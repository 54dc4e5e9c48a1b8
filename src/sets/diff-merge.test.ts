import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import {
  EMPTY_SET,
  applyDelta,
  diffSets,
  formatDeltaSummary,
  isEmptyDelta,
  mergeDeltas,
  parseDelta,
  parseSet,
  setId,
  summarizeDelta,
} from './index.js';

const v1 = parseSet({
  modules: {
    web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'web:1' } } } },
    worker: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'worker:1' } } } },
  },
  shared: { dns: { type: 'dns' } },
});
const v2 = parseSet({
  modules: {
    web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'web:2' } } } },
    cron: { profile: 'humanitec/default-cronjob' },
  },
  shared: { dns: { type: 'dns', class: 'internal' } },
});

test('diff adds new modules whole, removes dropped ones and patches changed ones', () => {
  const delta = diffSets(v1, v2);
  assert.deepEqual(Object.keys(delta.modules.add), ['cron']);
  assert.deepEqual(delta.modules.remove, ['worker']);
  assert.deepEqual(delta.modules.update, { web: [{ op: 'replace', path: '/spec/containers/main/image', value: 'web:2' }] });
  assert.deepEqual(delta.shared, [{ op: 'add', path: '/dns/class', value: 'internal' }]);
  assert.equal(setId(applyDelta(v1, delta)), setId(v2));
  assert.ok(isEmptyDelta(diffSets(v2, v2)));
  assert.ok(!isEmptyDelta(delta));
});

test('diff from the empty set adds everything', () => {
  const delta = diffSets(EMPTY_SET, v1);
  assert.deepEqual(Object.keys(delta.modules.add).sort(), ['web', 'worker']);
  assert.deepEqual(applyDelta(EMPTY_SET, delta), v1);
});

test('merge: a later add overrides an earlier add or update', () => {
  const merged = mergeDeltas(
    parseDelta({ modules: { add: { web: { profile: 'a' } }, update: { worker: [{ op: 'replace', path: '/profile', value: 'x' }] } } }),
    [parseDelta({ modules: { add: { web: { profile: 'b' }, worker: { profile: 'c' } } } })],
  );
  assert.deepEqual(merged.modules.add, { web: { profile: 'b', spec: {}, externals: {} }, worker: { profile: 'c', spec: {}, externals: {} } });
  assert.deepEqual(merged.modules.update, {});
});

test('merge: an update of a module added earlier is folded into the add', () => {
  const merged = mergeDeltas(parseDelta({ modules: { add: { web: { profile: 'a' } } } }), [
    parseDelta({ modules: { update: { web: [{ op: 'add', path: '/spec/replicas', value: 3 }] } } }),
  ]);
  assert.deepEqual(merged.modules, { add: { web: { profile: 'a', spec: { replicas: 3 }, externals: {} } }, remove: [], update: {} });
});

test('merge: a failing update of an added module throws with the module and index', () => {
  assert.throws(
    () =>
      mergeDeltas(parseDelta({ modules: { add: { web: { profile: 'a' } } } }), [
        parseDelta({ modules: { update: { web: [{ op: 'remove', path: '/spec/nope' }] } } }),
      ]),
    (error: unknown) => error instanceof InvalidInput && error.details.module === 'web' && error.details.operationIndex === 0,
  );
});

test('merge: a remove cancels earlier adds and updates; updates accumulate; shared ops concatenate', () => {
  const merged = mergeDeltas(
    parseDelta({
      id: 'd1',
      metadata: { name: 'draft' },
      modules: { add: { web: { profile: 'a' } }, update: { worker: [{ op: 'replace', path: '/profile', value: 'x' }] } },
      shared: [{ op: 'add', path: '/dns', value: { type: 'dns' } }],
    }),
    [
      parseDelta({ modules: { remove: ['web'], update: { cron: [{ op: 'replace', path: '/profile', value: 'y' }] } } }),
      parseDelta({ modules: { update: { cron: [{ op: 'replace', path: '/profile', value: 'z' }], web: [{ op: 'replace', path: '/profile', value: 'w' }] } }, shared: [{ op: 'remove', path: '/dns' }] }),
    ],
  );
  assert.equal(merged.id, 'd1');
  assert.deepEqual(merged.metadata, { name: 'draft' });
  assert.deepEqual(merged.modules.add, {});
  assert.deepEqual(merged.modules.remove, ['web']);
  assert.deepEqual(merged.modules.update, {
    worker: [{ op: 'replace', path: '/profile', value: 'x' }],
    cron: [
      { op: 'replace', path: '/profile', value: 'y' },
      { op: 'replace', path: '/profile', value: 'z' },
    ],
  });
  assert.deepEqual(merged.shared.map((op) => op.op), ['add', 'remove']);
});

test('merge: a later add after a remove re-adds the module', () => {
  const merged = mergeDeltas(parseDelta({ modules: { remove: ['web'] } }), [parseDelta({ modules: { add: { web: { profile: 'n' } } } })]);
  assert.deepEqual(merged.modules.remove, []);
  assert.deepEqual(Object.keys(merged.modules.add), ['web']);
  assert.deepEqual(applyDelta(v1, merged).modules.web, { profile: 'n', spec: {}, externals: {} });
});

test('summary lists added, removed and updated modules and shared changes', () => {
  const text = formatDeltaSummary(summarizeDelta(diffSets(v1, v2)));
  assert.deepEqual(text.split('\n'), [
    '+ module cron',
    '- module worker',
    '~ module web',
    '    ~ /spec/containers/main/image = "web:2"',
    '~ shared',
    '    + /dns/class = "internal"',
  ]);
  assert.equal(formatDeltaSummary(summarizeDelta(diffSets(v1, v1))), 'no changes');
});
