import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createJobsRepo } from '../store/jobs-repo.js';
import { forEachDialect } from '../store/testing.js';
import { Worker } from './worker.js';
import type { JobHandler } from './worker.js';

const id = () => randomBytes(6).toString('hex');

forEachDialect('worker leases', (getStore, dialect) => {
  /** Runs one job on worker A with `handlerA`; returns who holds it after `waitMs` while worker B polls too. */
  async function holderAfter(handlerA: JobHandler, waitMs: number): Promise<string | null | undefined> {
    const jobs = createJobsRepo(getStore().db);
    const kind = `lease-${id()}`;
    const job = id();
    await jobs.enqueue({ id: job, kind, queueKey: `env-${job}`, payload: null });
    const a = new Worker({ jobs, dialect, kinds: [kind], handler: handlerA, workerId: 'A', leaseMs: 300, pollMs: 20 });
    const b = new Worker({ jobs, dialect, kinds: [kind], handler: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('failed'))), workerId: 'B', leaseMs: 300, pollMs: 20 });
    a.start();
    while ((await jobs.get(job))?.locked_by !== 'A') await new Promise((r) => setTimeout(r, 10));
    b.start();
    await new Promise((r) => setTimeout(r, waitMs));
    const holder = (await jobs.get(job))?.locked_by;
    await Promise.all([a.stop(), b.stop()]);
    return holder;
  }

  it('a job waiting on something else (a driver call) keeps its lease through heartbeats', { timeout: 20_000 }, async () => {
    const holder = await holderAfter(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('failed'))), 1_200);
    assert.equal(holder, 'A');
  });

  it('a job whose own database work is stuck stops renewing its lease, and another worker (never the same one) takes it over', { timeout: 20_000 }, async () => {
    const holder = await holderAfter(({ work, signal }) => work(() => new Promise((resolve) => signal.addEventListener('abort', () => resolve('failed')))), 1_200);
    assert.equal(holder, 'B');
  });
});
