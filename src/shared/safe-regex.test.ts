import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInput } from './errors.js';
import { assertSafePattern, safeRegExpEngine, unsafePatternReason } from './safe-regex.js';

test('patterns that can backtrack exponentially are refused, naming the pattern', () => {
  for (const pattern of ['^(a+)+$', '(a|aa)*$', '(?:x*y)+', '^(a|b){2,}$', '^(\\w+\\s?)*$', '(a)\\1', '(?<n>a)\\k<n>', 'a(?=b)', '(?<!a)b']) {
    assert.notEqual(unsafePatternReason(pattern), undefined, pattern);
    assert.throws(() => assertSafePattern(pattern, 'spec_schema'), (e: unknown) => e instanceof InvalidInput && e.message.includes(JSON.stringify(pattern)));
  }
});

test('ordinary patterns are allowed and run as JavaScript RegExps', () => {
  for (const pattern of ['^[a-z0-9-]+$', '^[a-z]([-a-z0-9]*[a-z0-9])?$', '^(ab)+$', '^\\d{1,3}(\\.\\d{1,3}){3}$', '[(+]+', 'a{2,}b', '^(a|b)$']) {
    assert.equal(unsafePatternReason(pattern), undefined, pattern);
  }
  assert.equal(safeRegExpEngine('^[a-z]+$', 'u').test('abc'), true);
  assert.throws(() => safeRegExpEngine('^(a+)+$', 'u'), InvalidInput);
});
