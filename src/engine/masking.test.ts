import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectStrings, isMaskable, maskSecrets } from './masking.js';

describe('masking', () => {
  const secrets = new Set<string>();
  collectStrings({ user: 'default', password: 'Zq8-long-redis-password-41', nested: { short: 'abc1234', common: 'postgres', token: 'tok_9f8e7d6c5b' } }, secrets);

  it('masks every exact occurrence of a long secret in a log line and an error message', () => {
    assert.equal(maskSecrets('AUTH default Zq8-long-redis-password-41 failed', secrets), 'AUTH default *** failed');
    assert.equal(maskSecrets('error: bad token tok_9f8e7d6c5b (tok_9f8e7d6c5b)', secrets), 'error: bad token *** (***)');
  });

  it('does not mask short secrets nor common values such as "default" or "postgres"', () => {
    assert.deepEqual([...secrets].sort(), ['Zq8-long-redis-password-41', 'tok_9f8e7d6c5b']);
    const line = 'using the default user postgres with password abc1234';
    assert.equal(maskSecrets(line, secrets), line);
    // even when handed in directly, a common or short value is left alone
    assert.equal(maskSecrets('the default class', new Set(['default', 'DEFAULT', 'abc'])), 'the default class');
  });

  it('draws the line at 8 characters and compares the allow-list case-insensitively', () => {
    assert.equal(isMaskable('1234567'), false);
    assert.equal(isMaskable('12345678'), true);
    assert.equal(isMaskable('Password'), false);
    assert.equal(isMaskable('Localhost'), false);
  });

  it('masks a secret that contains another one whole', () => {
    const both = new Set(['abcdefgh-1234', 'abcdefgh-1234-extended']);
    assert.equal(maskSecrets('x abcdefgh-1234-extended y abcdefgh-1234', both), 'x *** y ***');
  });
});
