import type { Compilable, Kysely } from 'kysely';
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

/**
 * A query built and compiled once, then run with new argument values. For the lookups every request makes (bearer
 * token, role checks, the org): building and compiling a query with Kysely costs several times what SQLite spends
 * answering it (a profile of `GET /orgs/{org}/apps` under load, issue 22).
 *
 * `build` receives one placeholder per argument and must bind each as a parameter (`where('id', '=', id)`); this is
 * checked here, once: a placeholder inlined in the SQL text, or never bound, throws. Values are always bound, never
 * spliced into SQL. Baton's Kysely instances have no plugins, so a compiled query is exactly what `execute()` runs.
 */
export function precompiled<R, A extends readonly string[]>(db: Kysely<Database>, arity: A['length'], build: (...args: A) => Compilable<R>): (args: A, trx?: Executor) => Promise<R[]> {
  const marks = Array.from({ length: arity }, (_, i) => `\u0000baton-precompiled-argument-${i}\u0000`);
  const compiled = build(...(marks as unknown as A)).compile();
  const slots = compiled.parameters.map((value) => (typeof value === 'string' ? marks.indexOf(value) : -1));
  marks.forEach((mark, i) => {
    if (compiled.sql.includes(mark) || !slots.includes(i)) throw new Error(`precompiled query: argument ${i} must be bound as a parameter (${compiled.sql})`);
  });
  const constants = compiled.parameters;
  return async (args, trx) => {
    const parameters = slots.map((slot, k) => (slot >= 0 ? args[slot] : constants[k]));
    return (await executor(db, trx).executeQuery<R>({ ...compiled, parameters })).rows;
  };
}
