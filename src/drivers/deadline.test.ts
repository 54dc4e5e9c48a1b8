import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDeadlineValue, splitDeadline } from './deadline.js';

test("a definition's baton_timeout_seconds replaces the global deadline and is removed from the driver's values", () => {
  assert.deepEqual(splitDeadline({ region: 'eu', baton_timeout_seconds: 5 }, 600_000), { values: { region: 'eu' }, timeoutMs: 5_000 });
  const untouched = { region: 'eu' };
  assert.deepEqual(splitDeadline(untouched, 600_000), { values: untouched, timeoutMs: 600_000 });
  // A stored value that is not valid (written before validation) falls back to the global deadline, still removed.
  assert.deepEqual(splitDeadline({ baton_timeout_seconds: 'soon' }, 1_000), { values: {}, timeoutMs: 1_000 });
});

test('baton_timeout_seconds must be a whole number of seconds from 1 to 86400', () => {
  assert.equal(checkDeadlineValue({}), undefined);
  assert.equal(checkDeadlineValue({ baton_timeout_seconds: 1 }), undefined);
  assert.equal(checkDeadlineValue({ baton_timeout_seconds: 86_400 }), undefined);
  for (const bad of [0, -1, 1.5, 86_401, '30', null, '${context.app.id}']) {
    assert.match(checkDeadlineValue({ baton_timeout_seconds: bad }) ?? '', /baton_timeout_seconds: must be a whole number/, String(bad));
  }
});
