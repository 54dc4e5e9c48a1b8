import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName, editDistance } from './suggest.js';

test('edit distance counts a swap of neighbours as one edit, ignoring case', () => {
  assert.equal(editDistance('taem', 'team'), 1);
  assert.equal(editDistance('Postgres', 'postgres'), 0);
  assert.equal(editDistance('varaibles', 'variables'), 1);
  assert.equal(editDistance('', 'abc'), 3);
});

test('closestName suggests only names close enough to be a typo', () => {
  assert.equal(closestName('postgress', ['postgres', 'mysql', 'redis']), 'postgres');
  assert.equal(closestName('livenesProbe', ['livenessProbe', 'readinessProbe']), 'livenessProbe');
  assert.equal(closestName('kafka', ['postgres', 'mysql', 'redis']), undefined);
  assert.equal(closestName('x', []), undefined);
});
