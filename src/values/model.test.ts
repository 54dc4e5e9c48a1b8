import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { changeBetween, changeTouchesKey, checkValueKey, mergeValueSets, purgedValue, restoreVersion, writtenValue } from './model.js';
import type { StoredValue } from './model.js';

const T = '2024-01-01T00:00:00.000Z';
const plain = (key: string, value: string): StoredValue => ({ key, value, description: '', is_secret: false, created_at: T, updated_at: T });

describe('values model', () => {
  it('accepts Humanitec value keys and rejects others naming the field', () => {
    assert.equal(checkValueKey('key', 'DB.url_1-x'), 'DB.url_1-x');
    for (const bad of ['', 'a b', 'a/b', 'ä', 'x'.repeat(257)]) {
      assert.throws(() => checkValueKey('key', bad), (e: unknown) => e instanceof InvalidInput && e.details.field === 'key');
    }
  });

  it('describes a secret change by its version only, never its content', () => {
    const seal = (clear: string) => `sealed(${clear})`;
    const first = writtenValue('S', { value: 'one', is_secret: true }, undefined, T, seal);
    const second = writtenValue('S', { value: 'two' }, first, T, seal);
    assert.equal(first.value, '');
    assert.equal(second.secret_version, '2');
    const change = changeBetween({ S: first }, { S: second });
    assert.deepEqual(change, [{ op: 'replace', path: '/S/secret_version', value: '2' }]);
    assert.ok(!JSON.stringify(change).includes('sealed'));
    const described = writtenValue('S', { description: 'd' }, second, T, seal);
    assert.equal(described.sealed, 'sealed(two)', 'a description-only write keeps the secret');
  });

  it('lets env values override app values and hides purged ones', () => {
    const merged = mergeValueSets({ A: plain('A', 'app'), B: plain('B', 'b') }, { A: plain('A', 'env'), B: purgedValue(plain('B', 'gone'), T) });
    assert.deepEqual(merged.map((m) => [m.value.key, m.value.value, m.source]), [['A', 'env', 'env']]);
    assert.equal(mergeValueSets({}, { B: purgedValue(plain('B', 'gone'), T) }, { includePurged: true }).length, 1);
  });

  it('restores a version exactly: extra keys go, purged keys stay gone', () => {
    const restored = restoreVersion({ A: plain('A', 'new'), C: plain('C', 'c') }, { A: plain('A', 'old'), B: purgedValue(plain('B', 'x'), T) }, 'now');
    assert.deepEqual(Object.keys(restored), ['A']);
    assert.equal(restored.A?.value, 'old');
    assert.ok(changeTouchesKey([{ op: 'remove', path: '/A' }], 'A'));
    assert.ok(!changeTouchesKey([{ op: 'remove', path: '/AB' }], 'A'));
  });
});
