/**
 * The worker: claims jobs from the durable queue with a lease, renews the lease while the job runs, and runs at
 * most `concurrency` jobs at once. A worker that dies simply stops renewing; once the lease expires any worker (this
 * process restarted, or another replica) claims the job again and the handler resumes it.
 *
 * The lease is renewed by the job's own work: every guarded transaction (`guard`) renews it, and between them a
 * heartbeat does, but only while none of the job's database work (`work`) is stuck — once one has been open for a
 * third of the lease, the heartbeat stops, the lease runs out and another replica takes the job over.
 *
 * A job whose attempts are spent (`max_attempts`; a process running it died each time, or the handler threw) is
 * never run again: before claiming, the worker ends such jobs `failed` and calls `onDead`.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { JobRow, JobsRepo } from '../store/jobs-repo.js';
import type { Executor } from '../store/index.js';

export interface JobContext {
  job: JobRow;
  /** Confirms and renews the lease inside a transaction; throws `LeaseLostError` when the job is no longer ours. */
  guard: (trx: Executor) => Promise<void>;
  /** Aborted when the lease is lost or the worker stops. */
  signal: AbortSignal;
  /** Runs the job's database work (a guarded transaction); while it is stuck the lease is not renewed. */
  work: <T>(run: () => Promise<T>) => Promise<T>;
}

export class LeaseLostError extends Error {}

/** How a job ended: for good, or (`retryAt`) to run again no earlier than then (the attempt counts). */
export type JobOutcome = 'succeeded' | 'failed' | { retryAt: Date; error: string };

export type JobHandler = (context: JobContext) => Promise<JobOutcome>;

export interface WorkerOptions {
  jobs: JobsRepo;
  dialect: 'sqlite' | 'postgres';
  kinds: readonly string[];
  handler: JobHandler;
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  /** Called when the handler throws (infrastructure trouble); the job is retried until `max_attempts`. */
  onError?: (job: JobRow, error: unknown) => void;
  /** Called when a job exhausted its attempts (its handler threw the last time, or it is found spent at claim time). */
  onDead?: (job: JobRow, error: unknown) => Promise<void>;
}

export class AttemptsSpentError extends Error {}

export class Worker {
  readonly id: string;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: WorkerOptions) {
    this.id = options.workerId ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    this.concurrency = options.concurrency ?? 4;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.pollMs = options.pollMs ?? 250;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a claim round now (after an enqueue in this process) instead of at the next poll. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /**
   * Stops claiming; lets running jobs finish for up to `graceMs`, then aborts the rest and gives them back to the
   * queue (without counting the attempt), so another worker takes them over at once.
   */
  async stop(graceMs = 0): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.promise));
    if (graceMs > 0 && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    for (const { abort } of this.running.values()) abort.abort(new Error('worker stopping'));
    await all();
  }

  /** Aborts `jobId` at once if this worker runs it (a cancel recorded in the database; other replicas see it at their next heartbeat). */
  cancel(jobId: string, reason: string): void {
    this.running.get(jobId)?.abort.abort(new LeaseLostError(`job ${jobId} cancelled: ${reason}`));
  }

  /** Resolves when no job is running (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.promise));
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      for (const spent of await this.options.jobs.failSpent(this.options.kinds, this.options.dialect)) {
        await this.options.onDead?.(spent, new AttemptsSpentError(spent.last_error ?? 'all attempts are spent')).catch((error: unknown) => this.options.onError?.(spent, error));
      }
      while (!this.stopped && this.running.size < this.concurrency) {
        const job = await this.options.jobs.claim(this.id, this.leaseMs, this.options.kinds, this.options.dialect, [...this.running.keys()]);
        if (!job) break;
        this.launch(job);
      }
    } catch (error) {
      this.options.onError?.({ id: '(claim)' } as JobRow, error);
    } finally {
      this.polling = false;
      if (!this.stopped) this.schedule(this.pollMs);
    }
  }

  private launch(job: JobRow): void {
    const abort = new AbortController();
    // One deployment signal is shared by every driver call of a graph level (they remove their listeners after).
    setMaxListeners(0, abort.signal);
    // Start times of the job's database work in flight; the heartbeat renews the lease only while none is stuck.
    const inFlight = new Set<{ since: number }>();
    const stuckAfterMs = Math.max(50, Math.floor(this.leaseMs / 3));
    const work = async <T>(run: () => Promise<T>): Promise<T> => {
      const entry = { since: Date.now() };
      inFlight.add(entry);
      try {
        return await run();
      } finally {
        inFlight.delete(entry);
      }
    };
    const heartbeat = setInterval(() => {
      const now = Date.now();
      for (const entry of inFlight) if (now - entry.since >= stuckAfterMs) return;
      this.options.jobs.heartbeat(job.id, this.id, this.leaseMs).then(
        (ok) => {
          if (!ok) abort.abort(new LeaseLostError(`lease of job ${job.id} lost`));
        },
        () => undefined, // a transient database error: the next beat tries again, the lease has slack
      );
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    const guard = async (trx: Executor): Promise<void> => {
      if (abort.signal.aborted || !(await this.options.jobs.heartbeat(job.id, this.id, this.leaseMs, trx))) {
        abort.abort(new LeaseLostError(`lease of job ${job.id} lost`));
        throw new LeaseLostError(`lease of job ${job.id} lost`);
      }
    };
    const promise = (async () => {
      try {
        const outcome = await this.options.handler({ job, guard, signal: abort.signal, work });
        if (typeof outcome === 'object') await this.options.jobs.reschedule(job.id, this.id, outcome.retryAt, outcome.error);
        else await this.options.jobs.finish(job.id, this.id, outcome);
      } catch (error) {
        if (abort.signal.aborted || error instanceof LeaseLostError || (error instanceof Error && error.name === 'LeaseLost')) {
          // Someone else owns it now, or we are stopping: hand it back if it is still ours (not an attempt spent).
          if (this.stopped) await this.options.jobs.release(job.id, this.id, undefined, true).catch(() => undefined);
          return;
        }
        this.options.onError?.(job, error);
        if (job.attempts >= job.max_attempts) {
          await this.options.onDead?.(job, error).catch(() => undefined);
          await this.options.jobs.finish(job.id, this.id, 'failed', String(error)).catch(() => undefined);
        } else {
          await this.options.jobs.release(job.id, this.id, String(error)).catch(() => undefined);
        }
      } finally {
        clearInterval(heartbeat);
        this.running.delete(job.id);
        if (!this.stopped) this.schedule(0);
      }
    })();
    this.running.set(job.id, { promise, abort });
  }
}
