import type { Kysely, Selectable } from 'kysely';
import { decodePageToken, encodePageToken } from '../shared/pagination.js';
import type { Page } from '../shared/pagination.js';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** Tables of migration 0013_audit: the audit log and what automation rules did with each artefact version. */
export interface AuditLogTable {
  org_id: string;
  id: string;
  at: string;
  user_id: string;
  request_method: string;
  request_path: string;
  response_status: number;
}
export interface AutomationRuleRunsTable {
  org_id: string;
  version_id: string;
  rule_id: string;
  app_id: string;
  env_id: string;
  outcome: string;
  deploy_id: string | null;
  reason: string;
  at: string;
}

declare module './schema.js' {
  interface Database {
    audit_log: AuditLogTable;
    automation_rule_runs: AutomationRuleRunsTable;
  }
}

export type AuditLogRow = Selectable<AuditLogTable>;
export type AuditLogKey = Pick<AuditLogRow, 'org_id' | 'id'>;
export type AutomationRuleRunRow = Selectable<AutomationRuleRunsTable>;

export interface AuditLogFilter {
  /** Entries at or after this instant (ISO-8601 UTC). */
  from?: string | undefined;
  /** Entries at or before this instant. */
  to?: string | undefined;
}

export function createAuditRepo(db: Kysely<Database>) {
  return {
    async insert(rows: readonly AuditLogRow[], trx?: Executor): Promise<void> {
      if (rows.length === 0) return;
      await executor(db, trx).insertInto('audit_log').values([...rows]).execute();
    },
    /** Sets the answer's status on entries written before their request ran (see `AuditService.begin`). */
    async setStatus(keys: readonly AuditLogKey[], status: number): Promise<void> {
      for (const key of keys) await db.updateTable('audit_log').set({ response_status: status }).where('org_id', '=', key.org_id).where('id', '=', key.id).execute();
    },
    /** Removes entries written before their request ran, once the request turned out to change nothing (not 2xx). */
    async remove(keys: readonly AuditLogKey[]): Promise<void> {
      for (const key of keys) await db.deleteFrom('audit_log').where('org_id', '=', key.org_id).where('id', '=', key.id).execute();
    },
    /** The org's entries, newest first (`at`, then `id`, both descending), one page; the token is the last row's position. */
    async list(orgId: string, filter: AuditLogFilter, page: { limit: number; token?: string | undefined }): Promise<Page<AuditLogRow>> {
      let query = db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<=', filter.to);
      if (page.token !== undefined) {
        const after = decodePageToken(page.token);
        query = query.where((eb) => eb.or([eb('at', '<', after.created_at), eb.and([eb('at', '=', after.created_at), eb('id', '<', after.id)])]));
      }
      const rows = (await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute()).map((r) => ({ ...r, response_status: Number(r.response_status) }));
      if (rows.length <= page.limit) return { items: rows };
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1]!;
      return { items, nextToken: encodePageToken({ created_at: last.at, id: last.id }) };
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;

export function createRuleRunsRepo(db: Kysely<Database>) {
  return {
    async get(orgId: string, versionId: string, ruleId: string, trx?: Executor): Promise<AutomationRuleRunRow | undefined> {
      return executor(db, trx).selectFrom('automation_rule_runs').selectAll().where('org_id', '=', orgId).where('version_id', '=', versionId).where('rule_id', '=', ruleId).executeTakeFirst();
    },
    /** Records what a rule did with a version; fails (primary key) when it was already recorded. */
    async insert(row: AutomationRuleRunRow, trx?: Executor): Promise<void> {
      await executor(db, trx).insertInto('automation_rule_runs').values(row).execute();
    },
    /** Records what a rule did with a version unless that is already recorded. */
    async insertIfAbsent(row: AutomationRuleRunRow, trx?: Executor): Promise<void> {
      await executor(db, trx).insertInto('automation_rule_runs').values(row).onConflict((oc) => oc.columns(['org_id', 'version_id', 'rule_id']).doNothing()).execute();
    },
    /** A rule's latest runs, newest first. */
    async listForRule(orgId: string, appId: string, envId: string, ruleId: string, limit: number): Promise<AutomationRuleRunRow[]> {
      return db
        .selectFrom('automation_rule_runs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('rule_id', '=', ruleId)
        .orderBy('at', 'desc')
        .orderBy('version_id', 'desc')
        .limit(limit)
        .execute();
    },
  };
}
export type RuleRunsRepo = ReturnType<typeof createRuleRunsRepo>;
