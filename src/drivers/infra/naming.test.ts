import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InvalidInput } from '../../shared/errors.js';
import { deriveName } from './naming.js';
import { generatePassword } from './passwords.js';

const SQL_RULE = { prefix: 'baton', separator: '_', maxLength: 63 } as const;

test('a well-formed GUResID is used verbatim after the prefix', () => {
  const guresid = 'a'.repeat(20) + '0123456789abcdef0123';
  assert.equal(deriveName(guresid, SQL_RULE), `baton_${guresid}`);
});

test('derived names are deterministic, safe and within the length limit for any input', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }), fc.integer({ min: 20, max: 80 }), (id, max) => {
      const rule = { prefix: 'baton', separator: '_' as const, maxLength: max };
      const name = deriveName(id, rule);
      assert.equal(name, deriveName(id, rule));
      assert.ok(name.length <= max, name);
      assert.match(name, /^baton_[a-z0-9_]*$/);
    }),
  );
});

test('ids that sanitise or truncate to the same text still get different names', () => {
  assert.notEqual(deriveName("abc'd", SQL_RULE), deriveName('abcd"', SQL_RULE));
  assert.notEqual(deriveName('x'.repeat(200) + '1', SQL_RULE), deriveName('x'.repeat(200) + '2', SQL_RULE));
  assert.notEqual(deriveName('ABC', SQL_RULE), deriveName('abc', SQL_RULE));
});

test('an empty GUResID is rejected as invalid input', () => {
  assert.throws(() => deriveName('', SQL_RULE), InvalidInput);
});

test('generated passwords are alphanumeric, of the asked length and not repeated', () => {
  const a = generatePassword();
  const b = generatePassword();
  assert.match(a, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, b);
  assert.equal(generatePassword(12).length, 12);
});
