import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TooManyAttempts } from '../shared/errors.js';
import { createAuthFailureLimiter } from './auth-rate-limit.js';

describe('failed-authentication limiter', () => {
  it('blocks an address after maxFailures within the window, with the seconds left, and lets it in again after', () => {
    let t = 1_000_000;
    const limiter = createAuthFailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      limiter.assertAllowed('10.0.0.1');
      limiter.recordFailure('10.0.0.1');
    }
    t += 15_000;
    assert.throws(() => limiter.assertAllowed('10.0.0.1'), (e: unknown) => e instanceof TooManyAttempts && e.retryAfterSeconds === 45);
    limiter.assertAllowed('10.0.0.2'); // another address is not affected
    t += 45_000;
    limiter.assertAllowed('10.0.0.1');
    limiter.recordFailure('10.0.0.1'); // a new window starts with one failure
    limiter.assertAllowed('10.0.0.1');
  });

  it('never counts successes, and a success does not wipe earlier failures', () => {
    const limiter = createAuthFailureLimiter({ maxFailures: 2, windowMs: 60_000, now: () => 5 });
    for (let i = 0; i < 1000; i++) {
      limiter.assertAllowed('10.0.0.3');
      limiter.recordSuccess('10.0.0.3');
    }
    limiter.recordFailure('10.0.0.3');
    limiter.recordSuccess('10.0.0.3');
    limiter.recordFailure('10.0.0.3');
    limiter.recordSuccess('10.0.0.3');
    assert.throws(() => limiter.assertAllowed('10.0.0.3'), TooManyAttempts);
  });

  it('tracks at most maxTrackedAddresses addresses, dropping finished windows first, then the oldest', () => {
    let t = 0;
    const limiter = createAuthFailureLimiter({ maxFailures: 1, windowMs: 1_000, maxTrackedAddresses: 100, now: () => t });
    for (let i = 0; i < 100; i++) limiter.recordFailure(`a${i}`);
    assert.equal(limiter.trackedAddresses, 100);
    t = 2_000; // every window is over
    limiter.recordFailure('fresh');
    assert.equal(limiter.trackedAddresses, 1);
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`b${i}`);
    assert.equal(limiter.trackedAddresses, 100);
    assert.throws(() => limiter.assertAllowed('b9999'), TooManyAttempts);
    limiter.assertAllowed('b0'); // evicted as the oldest
  });

  it('maxFailures 0 turns it off', () => {
    const limiter = createAuthFailureLimiter({ maxFailures: 0 });
    for (let i = 0; i < 100; i++) limiter.recordFailure('10.0.0.4');
    limiter.assertAllowed('10.0.0.4');
    assert.equal(limiter.trackedAddresses, 0);
  });
});
