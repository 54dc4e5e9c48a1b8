import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInput } from './errors.js';
import { getAt, pointerSegments, safeRecord, setAt } from './safe-path.js';

test('pointer segments are unescaped and __proto__, constructor and prototype are refused naming the path', () => {
  assert.deepEqual(pointerSegments('/a~1b/c~0d'), ['a/b', 'c~d']);
  assert.deepEqual(pointerSegments(''), []);
  for (const pointer of ['/__proto__/x', '/a/constructor/prototype', '/prototype']) {
    assert.throws(() => pointerSegments(pointer), (e: unknown) => e instanceof InvalidInput && e.message.includes(JSON.stringify(pointer)) && e.details.path === pointer);
  }
  assert.throws(() => pointerSegments('no-slash'), InvalidInput);
});

test('setAt and getAt follow own properties only and never reach Object.prototype', () => {
  const root: Record<string, unknown> = {};
  setAt(root, ['a', 'b'], 1);
  assert.deepEqual(root, { a: { b: 1 } });
  assert.equal(getAt(root, ['a', 'b']), 1);
  assert.equal(getAt({}, ['toString']), undefined);
  assert.throws(() => setAt(root, ['__proto__', 'polluted'], true), InvalidInput);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('safeRecord builds a null-prototype map and refuses forbidden keys', () => {
  const record = safeRecord([['a', 1]], 'labels');
  assert.equal(Object.getPrototypeOf(record), null);
  assert.throws(() => safeRecord([['constructor', 1]], 'labels'), /labels: the key "constructor" is not allowed/);
});
