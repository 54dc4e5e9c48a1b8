import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';

it('parses m/h/d/w durations, combined ones too, and refuses anything else', () => {
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('12h'), 12 * 3_600_000);
  assert.equal(parseDuration('30d'), 30 * 86_400_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
  for (const bad of ['', 'soon', '12', '1.5h', '-1h', '0m', '1y', '99999w']) assert.throws(() => parseDuration(bad), UsageError, bad);
});
