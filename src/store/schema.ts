/**
 * The typed shape of every table, for Kysely.
 *
 * Conventions (the same on SQLite and PostgreSQL, so repositories never branch on dialect):
 * - ids are `text`;
 * - timestamps are `text` holding ISO-8601 UTC with milliseconds (`2024-05-01T12:00:00.000Z`,
 *   see `nowIso()`): they sort lexicographically in time order and are exactly what the Humanitec API returns;
 * - JSON documents are `text` holding `JSON.stringify` output (see `toJsonText`/`fromJsonText` in ddl.ts);
 * - booleans are `integer` 0/1 (SQLite has no boolean type).
 *
 * Extension point: a later concern adds its tables by declaration merging in its own file, next to its migration:
 *
 *     declare module './schema.js' { interface Database { sets: SetsTable } }
 *
 * so this file does not become a merge hotspot.
 */
import type { ColumnType } from 'kysely';

export interface OrgsTable {
  id: string;
  name: string;
  created_at: string;
  created_by: string;
}

export interface UsersTable {
  id: string;
  name: string;
  email: string | null;
  /** `user`, `service` or `system`, as in Humanitec's UserProfileResponse. */
  type: string;
  created_at: string;
}

export interface TokensTable {
  /** Chosen by the client, unique per user (primary key `(user_id, id)`). */
  id: string;
  user_id: string;
  /**
   * Keyed hash of the bearer token, `hmac-sha256:<hex>` (src/org/tokens.ts); rows older than migration 0011 hold
   * bare SHA-256 hex until their token is next used. The token itself is never stored.
   */
  token_hash: string;
  description: string;
  created_at: string;
  /** The user who issued the token. */
  created_by: string;
  expires_at: string | null;
}

export interface EnvTypesTable {
  org_id: string;
  id: string;
  description: string;
  created_at: string;
  created_by: string;
}

/** `active` or `deleting` (migration 0008): optional on insert, the column defaults to `active`. */
export type LifecycleStatusColumn = ColumnType<string, string | undefined, string>;
/** When `status` last changed; NULL until it first does. */
export type StatusChangedAtColumn = ColumnType<string | null, string | null | undefined, string | null>;

export interface AppsTable {
  org_id: string;
  id: string;
  name: string;
  created_at: string;
  created_by: string;
  status: LifecycleStatusColumn;
  status_changed_at: StatusChangedAtColumn;
}

export interface EnvsTable {
  org_id: string;
  app_id: string;
  id: string;
  name: string;
  type: string;
  created_at: string;
  created_by: string;
  status: LifecycleStatusColumn;
  status_changed_at: StatusChangedAtColumn;
}

export interface Database {
  orgs: OrgsTable;
  users: UsersTable;
  tokens: TokensTable;
  env_types: EnvTypesTable;
  apps: AppsTable;
  envs: EnvsTable;
}
