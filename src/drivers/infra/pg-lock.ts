import pg from 'pg';
import { DriverFailed, Timeout } from '../../shared/errors.js';

export interface PgLockOptions {
  signal?: AbortSignal | undefined;
  /** Give up waiting after this long. Default 15 minutes. */
  timeoutMs?: number | undefined;
  pollMs?: number | undefined;
}

/**
 * The first key of Baton's two-key advisory locks ("batn"). PostgreSQL keeps the two-int4 key space apart from
 * the single-bigint one, which Terraform's `pg` backend uses for its state locks, so the two never collide.
 */
const BATON_LOCK_CLASS = 0x6261746e;

/**
 * An exclusive lock on `name` shared by every replica using this PostgreSQL database: a session-level advisory
 * lock held on a connection of its own. If the process dies the connection closes and the lock is released, so a
 * crashed replica never blocks the others. Waiting polls `pg_try_advisory_lock` so that the caller's signal and
 * deadline are honoured. Returns the release function.
 *
 * Why the Terraform driver needs it: the backend locks the state only for the span of one command, and a provision is
 * several (`apply`, then `output`); without a lock across them a second replica's apply could land in between and
 * the first would report the other's outputs.
 */
export async function acquirePgAdvisoryLock(connectionString: string, name: string, options: PgLockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  const client = new pg.Client({ connectionString, application_name: 'baton-lock' });
  // A dropped connection must not become an unhandled 'error' event (a dead process); the lock is lost with it,
  // which the next statement on this client reports.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new DriverFailed(`could not connect to PostgreSQL to take the lock "${name}"`, {}, { cause: error });
  }
  const close = () => client.end().catch(() => undefined);
  try {
    for (;;) {
      if (options.signal?.aborted) throw new Timeout(`cancelled while waiting for lock "${name}"`);
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS locked', [BATON_LOCK_CLASS, name]);
      if (result.rows[0]?.locked === true) break;
      if (Date.now() >= deadline) throw new Timeout(`gave up waiting for lock "${name}" after ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } catch (error) {
    await close();
    if (error instanceof Timeout) throw error;
    throw new DriverFailed(`could not take the lock "${name}" in PostgreSQL`, {}, { cause: error });
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Closing the session releases the lock even if the unlock statement fails.
    await client.query('SELECT pg_advisory_unlock($1::int4, hashtext($2))', [BATON_LOCK_CLASS, name]).catch(() => undefined);
    await close();
  };
}
