import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createJobsRepo } from './jobs-repo.js';
import { forEachDialect } from './testing.js';

const id = () => randomBytes(6).toString('hex');

forEachDialect('jobs queue', (getStore, dialect) => {
  it('claims the oldest job of a queue key only; a younger one waits until the older finishes', async () => {
    const jobs = createJobsRepo(getStore().db);
    const key = `env-${id()}`;
    const first = id();
    const second = id();
    await jobs.enqueue({ id: first, kind: 'k1', queueKey: key, payload: { n: 1 } });
    await jobs.enqueue({ id: second, kind: 'k1', queueKey: key, payload: { n: 2 } });
    const claimed = await jobs.claim('w1', 10_000, ['k1'], dialect);
    assert.equal(claimed?.id, first);
    assert.equal(claimed?.attempts, 1);
    assert.equal(await jobs.claim('w2', 10_000, ['k1'], dialect), undefined, 'the second job waits for the first');
    assert.equal(await jobs.finish(first, 'w1', 'succeeded'), true);
    assert.equal((await jobs.claim('w2', 10_000, ['k1'], dialect))?.id, second);
    assert.equal(await jobs.finish(second, 'w2', 'succeeded'), true);
  });

  it('jobs of different queue keys run side by side', async () => {
    const jobs = createJobsRepo(getStore().db);
    const a = id();
    const b = id();
    await jobs.enqueue({ id: a, kind: 'k2', queueKey: `env-${id()}`, payload: null });
    await jobs.enqueue({ id: b, kind: 'k2', queueKey: `env-${id()}`, payload: null });
    const one = await jobs.claim('w1', 10_000, ['k2'], dialect);
    const two = await jobs.claim('w2', 10_000, ['k2'], dialect);
    assert.deepEqual([one?.id, two?.id].sort(), [a, b].sort());
    await jobs.finish(a, one?.id === a ? 'w1' : 'w2', 'succeeded');
    await jobs.finish(b, one?.id === b ? 'w1' : 'w2', 'succeeded');
  });

  it('an expired lease makes the job claimable again (attempts + 1) and the old holder can no longer heartbeat or finish', async () => {
    const jobs = createJobsRepo(getStore().db);
    const job = id();
    await jobs.enqueue({ id: job, kind: 'k3', queueKey: `env-${id()}`, payload: null });
    assert.equal((await jobs.claim('dead-worker', 30, ['k3'], dialect))?.id, job);
    assert.equal(await jobs.claim('w2', 10_000, ['k3'], dialect), undefined, 'a live lease is respected');
    await new Promise((r) => setTimeout(r, 60));
    const again = await jobs.claim('w2', 10_000, ['k3'], dialect);
    assert.equal(again?.id, job);
    assert.equal(again?.attempts, 2);
    assert.equal(await jobs.heartbeat(job, 'dead-worker', 10_000), false);
    assert.equal(await jobs.finish(job, 'dead-worker', 'succeeded'), false);
    assert.equal(await jobs.heartbeat(job, 'w2', 10_000), true);
    assert.equal(await jobs.finish(job, 'w2', 'succeeded'), true);
    assert.equal((await jobs.get(job))?.state, 'succeeded');
  });

  it('concurrent claimers never get the same job', async () => {
    const jobs = createJobsRepo(getStore().db);
    const ids = Array.from({ length: 12 }, id);
    for (const job of ids) await jobs.enqueue({ id: job, kind: 'k4', queueKey: `env-${job}`, payload: null });
    const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => jobs.claim(`w${i}`, 10_000, ['k4'], dialect)));
    const got = claims.filter((c) => c !== undefined).map((c) => c.id);
    assert.equal(new Set(got).size, got.length, 'no job claimed twice');
    assert.ok(got.every((g) => ids.includes(g)));
  });

  it('a job whose attempts are spent is never claimed: failSpent ends it failed with an error saying so', async () => {
    const jobs = createJobsRepo(getStore().db);
    const key = `env-${id()}`;
    const poison = id();
    const next = id();
    await jobs.enqueue({ id: poison, kind: 'k5', queueKey: key, payload: null, maxAttempts: 2 });
    await jobs.enqueue({ id: next, kind: 'k5', queueKey: key, payload: null });
    // Two claims whose workers died (their leases expire).
    for (const worker of ['dead-1', 'dead-2']) {
      assert.equal((await jobs.claim(worker, 20, ['k5'], dialect))?.id, poison);
      await new Promise((r) => setTimeout(r, 40));
    }
    assert.equal(await jobs.claim('w', 10_000, ['k5'], dialect), undefined, 'the spent job is not claimed, and still blocks its queue');
    const failed = await jobs.failSpent(['k5'], dialect);
    assert.deepEqual(failed.map((j) => j.id), [poison]);
    const row = await jobs.get(poison);
    assert.equal(row?.state, 'failed');
    assert.match(row?.last_error ?? '', /all 2 attempts are spent/);
    assert.deepEqual(await jobs.failSpent(['k5'], dialect), [], 'only once');
    assert.equal((await jobs.claim('w', 10_000, ['k5'], dialect))?.id, next, 'the queue moves on');
    await jobs.finish(next, 'w', 'succeeded');
  });

  it('a job handed back on shutdown (refund) does not spend an attempt; an ordinary release does', async () => {
    const jobs = createJobsRepo(getStore().db);
    const job = id();
    await jobs.enqueue({ id: job, kind: 'k6', queueKey: `env-${id()}`, payload: null });
    assert.equal((await jobs.claim('w1', 10_000, ['k6'], dialect))?.attempts, 1);
    await jobs.release(job, 'w1', undefined, true);
    assert.equal((await jobs.get(job))?.attempts, 0);
    assert.equal((await jobs.claim('w2', 10_000, ['k6'], dialect))?.attempts, 1);
    await jobs.release(job, 'w2', 'boom');
    assert.equal((await jobs.get(job))?.attempts, 1);
    assert.equal((await jobs.claim('w3', 10_000, ['k6'], dialect))?.attempts, 2);
    await jobs.finish(job, 'w3', 'succeeded');
  });
});
