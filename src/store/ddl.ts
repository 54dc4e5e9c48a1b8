import type { ColumnDataType, Kysely } from 'kysely';
import { sql } from 'kysely';

/** The two SQL dialects Baton runs on. */
export type DialectName = 'sqlite' | 'postgres';

/**
 * Column types to use in migrations. Both dialects get the same logical types (see schema.ts for why
 * timestamps and JSON are text), so a migration only branches on dialect for truly dialect-specific DDL
 * such as auto-increment keys.
 */
export const columnType = {
  id: 'text',
  text: 'text',
  /** ISO-8601 UTC string, see `nowIso()`. */
  timestamp: 'text',
  /** JSON document serialised with `toJsonText`. */
  json: 'text',
  integer: 'integer',
  /** 0/1. */
  boolean: 'integer',
} as const satisfies Record<string, ColumnDataType>;

/** `bigint` counters: note that `pg` returns int8 as a string, so convert with `Number()` when reading. */
export function bigintType(_dialect: DialectName): ColumnDataType {
  return 'bigint';
}

/** DDL for an auto-incrementing integer primary key (e.g. an ordered event log). */
export function autoIncrementPrimaryKey(dialect: DialectName): ColumnDataType | ReturnType<typeof sql> {
  return dialect === 'postgres' ? sql`bigserial` : 'integer';
}

/** Marks the column built with `autoIncrementPrimaryKey` as the auto-incrementing primary key. */
export function isAutoIncrement(dialect: DialectName): boolean {
  return dialect === 'sqlite';
}

/** The current time as stored in timestamp columns. */
export function nowIso(date: Date = new Date()): string {
  return date.toISOString();
}

export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJsonText<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Detects a unique/primary-key violation on either driver, so repositories can turn it into `Conflict`. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Detects a foreign-key violation on either driver. */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's typed one
export type MigrationDb = Kysely<any>;
