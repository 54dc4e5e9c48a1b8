import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFound } from '../shared/errors.js';
import { UsageError } from './errors.js';
import { isRelative, matchId, pickDeployment } from './refs.js';

describe('id references', () => {
  const ids = ['1a22ec8d90aa', '1a23ffff0000', 'b0b0b0b0'];
  it('takes an exact id, else the one id with the prefix', () => {
    assert.equal(matchId('1a22', ids, 'deployment'), '1a22ec8d90aa');
    assert.equal(matchId('b0b0b0b0', ids, 'deployment'), 'b0b0b0b0');
  });
  it('refuses an ambiguous prefix naming the candidates, and says when nothing matches', () => {
    assert.throws(() => matchId('1a2', ids, 'deployment'), (e: unknown) => e instanceof UsageError && /ambiguous: 2 deployment ids start with it \(1a22ec8d90aa, 1a23ffff0000\)/.test(e.message));
    assert.throws(() => matchId('ff', ids, 'set'), (e: unknown) => e instanceof NotFound && /no set id starts with "ff"/.test(e.message));
  });
  it('. is the newest deployment and +N goes back N, whatever order the list comes in', () => {
    const list = [
      { id: 'b', created_at: '2026-01-02T00:00:00Z' },
      { id: 'a', created_at: '2026-01-01T00:00:00Z' },
      { id: 'c', created_at: '2026-01-03T00:00:00Z' },
    ];
    assert.equal(pickDeployment('.', list, 'dev').id, 'c');
    assert.equal(pickDeployment('+1', list, 'dev').id, 'b');
    assert.equal(pickDeployment('+2', list, 'dev').id, 'a');
    assert.throws(() => pickDeployment('+3', list, 'dev'), /has 3 deployments; "\+3" goes back further/);
    assert.throws(() => pickDeployment('.', [], 'dev'), /"dev" has no deployments/);
    assert.equal(isRelative('+12'), true);
    assert.equal(isRelative('1a2'), false);
  });
});
