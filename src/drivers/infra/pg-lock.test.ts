/**
 * The advisory lock replicas share through PostgreSQL (the Terraform driver holds it across apply and output):
 * one holder at a time per name, other names are independent, a waiter gives up at its deadline or when
 * cancelled, and a holder whose connection dies (a crashed replica) releases the lock.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { Timeout } from '../../shared/errors.js';
import { TEST_POSTGRES_URL } from '../../store/testing.js';
import { acquirePgAdvisoryLock } from './pg-lock.js';

const lockName = () => `test:${randomBytes(6).toString('hex')}`;

describe('PostgreSQL advisory lock', () => {
  it('admits one holder per name: the second waits until the first releases; another name does not wait', async () => {
    const name = lockName();
    const events: string[] = [];
    const releaseFirst = await acquirePgAdvisoryLock(TEST_POSTGRES_URL, name);
    events.push('first acquired');
    const second = acquirePgAdvisoryLock(TEST_POSTGRES_URL, name, { pollMs: 20 }).then((release) => {
      events.push('second acquired');
      return release;
    });
    const releaseOther = await acquirePgAdvisoryLock(TEST_POSTGRES_URL, lockName());
    events.push('other name acquired');
    await new Promise((resolve) => setTimeout(resolve, 300));
    events.push('first releasing');
    await releaseFirst();
    const releaseSecond = await second;
    await releaseSecond();
    await releaseOther();
    assert.deepEqual(events, ['first acquired', 'other name acquired', 'first releasing', 'second acquired']);
  });

  it('a waiter gives up with a Timeout at its deadline, and when its signal is aborted', async () => {
    const name = lockName();
    const release = await acquirePgAdvisoryLock(TEST_POSTGRES_URL, name);
    try {
      await assert.rejects(acquirePgAdvisoryLock(TEST_POSTGRES_URL, name, { timeoutMs: 100, pollMs: 20 }), (error: unknown) => error instanceof Timeout && /gave up waiting for lock/.test(error.message));
      const controller = new AbortController();
      const waiting = acquirePgAdvisoryLock(TEST_POSTGRES_URL, name, { signal: controller.signal, pollMs: 20 });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(waiting, (error: unknown) => error instanceof Timeout && /cancelled/.test(error.message));
    } finally {
      await release();
    }
  });

  it('a holder whose session dies (a crashed replica) releases the lock', async () => {
    const name = lockName();
    await acquirePgAdvisoryLock(TEST_POSTGRES_URL, name);
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      // The holder's session is ended from outside, as when its process is killed.
      // Only the session that holds this test's lock (two-key advisory locks show as classid, objid, objsubid 2).
      const killed = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(l.pid))::int AS n FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
            AND l.classid = $1::bigint::oid AND l.objid = (hashtext($2)::bigint & 4294967295)::oid`,
        [0x6261746e, name],
      );
      assert.ok((killed.rows[0]?.n ?? 0) >= 1, 'the holding session was found');
      const release = await acquirePgAdvisoryLock(TEST_POSTGRES_URL, name, { timeoutMs: 10_000, pollMs: 20 });
      await release();
    } finally {
      await admin.end();
    }
  });
});
