import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { checkValueKey, VALUE_MAX_LENGTH, writtenValue } from './model.js';

test('a value longer than VALUE_MAX_LENGTH is refused naming the key and the limit, plain or secret', () => {
  const now = '2024-01-01T00:00:00.000Z';
  for (const is_secret of [false, true]) {
    assert.throws(
      () => writtenValue('BIG', { value: 'x'.repeat(VALUE_MAX_LENGTH + 1), is_secret }, undefined, now, (clear) => clear),
      (e: unknown) => e instanceof InvalidInput && e.message.includes('"BIG"') && e.message.includes(String(VALUE_MAX_LENGTH)),
    );
  }
  assert.equal(writtenValue('OK', { value: 'x'.repeat(VALUE_MAX_LENGTH) }, undefined, now, (c) => c).value.length, VALUE_MAX_LENGTH);
});

test('value keys that would reach a prototype are refused', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) assert.throws(() => checkValueKey('key', key), InvalidInput);
  assert.equal(checkValueKey('key', 'DB_URL'), 'DB_URL');
});
