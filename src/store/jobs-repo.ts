import type { Generated, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { nowIso } from './ddl.js';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/**
 * The durable job queue. See migration 0004_engine for the ordering rule (one unfinished job per `queue_key` runs
 * at a time, oldest first). States: `queued` → `running` → `succeeded` | `failed`.
 */
export interface JobsTable {
  /** Submission order (auto-increment); `pg` returns it as a string, so read it through `Number()`. */
  seq: Generated<number>;
  id: string;
  kind: string;
  queue_key: string;
  payload: string;
  state: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

declare module './schema.js' {
  interface Database {
    jobs: JobsTable;
  }
}

export type JobRow = Omit<Selectable<JobsTable>, 'seq'> & { seq: number };

export interface NewJob {
  id: string;
  kind: string;
  queueKey: string;
  payload: unknown;
  maxAttempts?: number;
}

function toJob(row: Selectable<JobsTable>): JobRow {
  return { ...row, seq: Number(row.seq) };
}

export function createJobsRepo(db: Kysely<Database>) {
  return {
    /** Queues a job; returns its submission sequence number. */
    async enqueue(job: NewJob, trx?: Executor): Promise<number> {
      const at = nowIso();
      const row = await executor(db, trx)
        .insertInto('jobs')
        .values({
          id: job.id,
          kind: job.kind,
          queue_key: job.queueKey,
          payload: JSON.stringify(job.payload ?? null),
          state: 'queued',
          run_at: at,
          attempts: 0,
          max_attempts: job.maxAttempts ?? 5,
          locked_by: null,
          locked_until: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },

    /**
     * Claims the oldest claimable job for `worker` with a lease until `now + leaseMs`, in one statement. Claimable:
     * queued (and due), or running with an expired lease (its worker died); and no older unfinished job, and no
     * running job with a live lease, shares its queue key. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets replicas
     * claim concurrently without blocking each other; SQLite serialises writers, so the statement is atomic there.
     */
    /**
     * `running`: ids of jobs this worker still runs. A job whose lease ran out while its handler is stuck must go to
     * another worker, never back to the same one (it would run twice in one process).
     */
    async claim(worker: string, leaseMs: number, kinds: readonly string[], dialect: 'sqlite' | 'postgres', running: readonly string[] = []): Promise<JobRow | undefined> {
      const now = nowIso();
      const notRunningHere = running.length > 0 ? sql`and j.id not in (${sql.join(running.map((id) => sql`${id}`))})` : sql``;
      const until = nowIso(new Date(Date.now() + leaseMs));
      const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
      const kindList = sql.join(kinds.map((k) => sql`${k}`));
      const result = await sql<Selectable<JobsTable>>`
        update jobs set state = 'running', locked_by = ${worker}, locked_until = ${until}, attempts = attempts + 1, updated_at = ${now}
        where seq = (
          select j.seq from jobs j
          where j.kind in (${kindList})
            and ((j.state = 'queued' and j.run_at <= ${now}) or (j.state = 'running' and j.locked_until < ${now}))
            and j.attempts < j.max_attempts
            ${notRunningHere}
            and not exists (
              select 1 from jobs o where o.queue_key = j.queue_key and o.seq < j.seq and o.state in ('queued', 'running')
            )
          order by j.seq
          limit 1
          ${lock}
        )
        and ((state = 'queued') or (state = 'running' and locked_until < ${now}))
        and attempts < max_attempts
        returning *`.execute(db);
      const row = result.rows[0];
      return row ? toJob(row) : undefined;
    },

    /**
     * Ends, as `failed`, every job that would be claimable but has spent its attempts (`attempts >= max_attempts`):
     * its earlier runs all ended without finishing it (the handler threw, or the process running it died or lost its
     * lease), so it is never run again. Returns the jobs it failed; `last_error` says why. Called before `claim`.
     */
    async failSpent(kinds: readonly string[], dialect: 'sqlite' | 'postgres'): Promise<JobRow[]> {
      const now = nowIso();
      const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
      const kindList = sql.join(kinds.map((k) => sql`${k}`));
      const result = await sql<Selectable<JobsTable>>`
        update jobs set state = 'failed', locked_by = null, locked_until = null, updated_at = ${now},
          last_error = 'gave up: all ' || max_attempts || ' attempts are spent (the job was started ' || attempts || ' times and never finished)'
        where seq in (
          select j.seq from jobs j
          where j.kind in (${kindList})
            and ((j.state = 'queued' and j.run_at <= ${now}) or (j.state = 'running' and j.locked_until < ${now}))
            and j.attempts >= j.max_attempts
          ${lock}
        )
        and ((state = 'queued') or (state = 'running' and locked_until < ${now}))
        and attempts >= max_attempts
        returning *`.execute(db);
      return result.rows.map(toJob);
    },

    /** Extends the lease; false when the job is no longer this worker's (lease lost to another claimer). */
    async heartbeat(id: string, worker: string, leaseMs: number, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('jobs')
        .set({ locked_until: nowIso(new Date(Date.now() + leaseMs)), updated_at: nowIso() })
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .where('state', '=', 'running')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Ends the job if this worker still holds it; false otherwise (someone else took it over). */
    async finish(id: string, worker: string, state: 'succeeded' | 'failed', error?: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('jobs')
        .set({ state, locked_until: null, last_error: error ?? null, updated_at: nowIso() })
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .where('state', '=', 'running')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Ends a queued or running job as `failed` whoever holds it (a cancel). Its worker learns it at its next
     * heartbeat or guarded commit (both require `state = 'running'`), which then fail as a lost lease.
     * False when the job had already finished.
     */
    async cancel(id: string, reason: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('jobs')
        .set({ state: 'failed', locked_until: null, last_error: reason, updated_at: nowIso() })
        .where('id', '=', id)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Puts the job back in the queue, due at `runAt` (a retry with backoff), if this worker still holds it; the
     * attempt counts. False when it is no longer this worker's.
     */
    async reschedule(id: string, worker: string, runAt: Date, error: string): Promise<boolean> {
      const result = await db
        .updateTable('jobs')
        .set({ state: 'queued', run_at: nowIso(runAt), locked_by: null, locked_until: null, last_error: error, updated_at: nowIso() })
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .where('state', '=', 'running')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Gives the job back so another worker can take it at once. `refund` (a graceful shutdown handing it over) does
     * not count the attempt.
     */
    async release(id: string, worker: string, error?: string, refund = false): Promise<void> {
      await db
        .updateTable('jobs')
        .set((eb) => ({
          state: 'queued',
          locked_by: null,
          locked_until: null,
          last_error: error ?? null,
          updated_at: nowIso(),
          ...(refund ? { attempts: eb('attempts', '-', 1) } : {}),
        }))
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .where('state', '=', 'running')
        .execute();
    },

    async get(id: string, trx?: Executor): Promise<JobRow | undefined> {
      const row = await executor(db, trx).selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    /** Unfinished jobs of a queue key (an environment), oldest first. */
    async unfinished(queueKey: string, trx?: Executor): Promise<JobRow[]> {
      const rows = await executor(db, trx)
        .selectFrom('jobs')
        .selectAll()
        .where('queue_key', '=', queueKey)
        .where('state', 'in', ['queued', 'running'])
        .orderBy('seq')
        .execute();
      return rows.map(toJob);
    },
  };
}
export type JobsRepo = ReturnType<typeof createJobsRepo>;
