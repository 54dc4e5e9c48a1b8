import type { Kysely } from 'kysely';
import { Conflict } from '../shared/errors.js';
import { isUniqueViolation } from './ddl.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** The executor for one call: the caller's transaction when given, else the store's pool. */
export function executor(db: Kysely<Database>, trx: Executor | undefined): Executor {
  return trx ?? db;
}

/** Runs an insert and turns a unique-key violation into the domain's `Conflict`. */
export async function insertOrConflict<T>(conflictMessage: string, details: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(conflictMessage, details, { cause: error });
    throw error;
  }
}
