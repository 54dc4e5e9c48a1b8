import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDelta } from './apply.js';
import { diffSets, isEmptyDelta } from './diff.js';
import { mergeDeltas } from './merge.js';
import { parseDelta, parseSet } from './validate.js';
import { setId } from './set-id.js';
import { deltaArb, setArb, shuffleKeys } from './test-arbitraries.js';
import type { Delta, DeploymentSet } from './schemas.js';

const runs = { seed: 20240604, numRuns: 200 };

test('applying diff(A, B) to A yields B, with B\'s id', () => {
  fc.assert(
    fc.property(setArb, setArb, (a, b) => {
      const result = applyDelta(a, diffSets(a, b));
      assert.deepStrictEqual(result, b);
      assert.equal(setId(result), setId(b));
    }),
    runs,
  );
});

test('applying diff(A, B) to A yields B when B is derived from A by a random delta', () => {
  fc.assert(
    fc.property(setArb, deltaArb, (a, delta) => {
      let b: DeploymentSet;
      try {
        b = applyDelta(a, delta);
      } catch {
        fc.pre(false);
        return;
      }
      assert.deepStrictEqual(applyDelta(a, diffSets(a, b)), b);
    }),
    runs,
  );
});

test('diff(A, A) is empty, also when A arrives with its keys reordered', () => {
  fc.assert(
    fc.property(setArb, fc.integer(), (a, seed) => {
      assert.ok(isEmptyDelta(diffSets(a, a)));
      assert.ok(isEmptyDelta(diffSets(a, parseSet(shuffleKeys(a, seed)))));
    }),
    runs,
  );
});

test('diffs survive a JSON round trip through parseDelta (what the API stores and serves)', () => {
  fc.assert(
    fc.property(setArb, setArb, (a, b) => {
      const wire = parseDelta(JSON.parse(JSON.stringify(diffSets(a, b))));
      assert.equal(setId(applyDelta(a, wire)), setId(b));
    }),
    runs,
  );
});

test('set id is stable under key reordering and whitespace', () => {
  fc.assert(
    fc.property(setArb, fc.integer(), (set, seed) => {
      const reordered = JSON.stringify(shuffleKeys(set, seed), null, 2);
      assert.equal(setId(parseSet(JSON.parse(reordered))), setId(set));
    }),
    runs,
  );
});

test('set id changes when content changes', () => {
  fc.assert(
    fc.property(setArb, setArb, (a, b) => {
      fc.pre(!isEmptyDelta(diffSets(a, b)));
      assert.notEqual(setId(a), setId(b));
    }),
    runs,
  );
});

function applySequentially(set: DeploymentSet, deltas: readonly Delta[]): DeploymentSet | undefined {
  try {
    return deltas.reduce((current, delta) => applyDelta(current, delta), set);
  } catch {
    return undefined;
  }
}

test('applying the merged delta equals applying the deltas one after another', () => {
  let exercised = 0;
  fc.assert(
    fc.property(setArb, fc.array(deltaArb, { minLength: 1, maxLength: 4 }), (set, deltas) => {
      const sequential = applySequentially(set, deltas);
      fc.pre(sequential !== undefined);
      exercised++;
      const merged = mergeDeltas(deltas[0]!, deltas.slice(1));
      assert.deepStrictEqual(applyDelta(set, merged), sequential);
    }),
    runs,
  );
  // Guard against a generator that makes every sequence fail (the property would then prove nothing).
  assert.ok(exercised >= 100, `only ${exercised} sequences applied cleanly`);
});

test('merging diffs of a chain of sets gives the diff from first to last', () => {
  fc.assert(
    fc.property(fc.array(setArb, { minLength: 2, maxLength: 5 }), (sets) => {
      const diffs = sets.slice(1).map((set, i) => diffSets(sets[i]!, set));
      const merged = mergeDeltas(diffs[0]!, diffs.slice(1));
      assert.deepStrictEqual(applyDelta(sets[0]!, merged), sets.at(-1));
    }),
    runs,
  );
});
