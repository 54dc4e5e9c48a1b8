import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { scoreResolver, splitReference, substitutePlaceholders, tokenizePlaceholders } from './placeholders.js';

const resolve = scoreResolver({
  metadata: { name: 'hello', port: 5432, other: { key: 'value' }, annotations: { 'example.com/team': 'blue' } },
  resourceNames: new Set(['db']),
  resourceOutputs: (name) => (name === 'db' ? { host: 'pg', port: 5432 } : undefined),
});

test('substitution follows the Score escaping rules exactly', () => {
  const cases: [string, string][] = [
    ['${metadata.name}', 'hello'],
    ['a-${metadata.name}-b', 'a-hello-b'],
    ['$${metadata.name}', '${metadata.name}'],
    ['$$', '$'],
    ['$$$${x}', '$${x}'],
    ['$$${metadata.name}', '$hello'],
    ['$abc', '$abc'],
    ['${metadata.name', '${metadata.name'],
    ['cost: 5$', 'cost: 5$'],
    ['${resources.db.host}:${resources.db.port}', 'pg:5432'],
  ];
  for (const [input, expected] of cases) assert.equal(substitutePlaceholders(input, resolve), expected, input);
});

test('non-string values are JSON-encoded', () => {
  assert.equal(substitutePlaceholders('${metadata.other}', resolve), '{"key":"value"}');
  assert.equal(substitutePlaceholders('${metadata.port}', resolve), '5432');
});

test('an escaped dot addresses a key that contains a dot', () => {
  assert.deepEqual(splitReference('metadata.annotations.example\\.com/team'), ['metadata', 'annotations', 'example.com/team']);
  assert.equal(substitutePlaceholders('${metadata.annotations.example\\.com/team}', resolve), 'blue');
});

test('unknown keys, roots and resources are errors, all reported together', () => {
  assert.throws(
    () => substitutePlaceholders('${metadata.nope} ${foo.bar} ${resources.cache.host} ${} ${metadata}', resolve),
    (error: unknown) => {
      assert.ok(error instanceof InvalidInput);
      const errors = error.details.errors as string[];
      assert.equal(errors.length, 5);
      assert.match(errors[0]!, /key 'nope' not found/);
      assert.match(errors[1]!, /unknown reference root/);
      assert.match(errors[2]!, /no resource named 'cache'/);
      assert.match(errors[3]!, /invalid ref ''/);
      assert.match(errors[4]!, /metadata key is required/);
      return true;
    },
  );
});

test('tokenizer separates text from references', () => {
  assert.deepEqual(tokenizePlaceholders('x${a.b}$$y'), [
    { kind: 'text', text: 'x' },
    { kind: 'ref', ref: 'a.b' },
    { kind: 'text', text: '$y' },
  ]);
});
