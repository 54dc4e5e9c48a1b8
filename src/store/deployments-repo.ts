import type { Generated, Kysely, Selectable } from 'kysely';
import { executor } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

/** One deployment (Humanitec's Deployment) plus the engine's step progress (`progress`, JSON text). */
export interface DeploymentsTable {
  org_id: string;
  app_id: string;
  id: string;
  env_id: string;
  /** The job's submission sequence: orders deployments (newest first in listings). */
  seq: number;
  from_id: string;
  delta_id: string | null;
  base_set_id: string | null;
  /** Empty until the read phase stored the set (when a delta is applied). */
  set_id: string;
  value_set_version_id: string | null;
  comment: string;
  /** `pending`, `in progress`, `succeeded`, `failed`. */
  status: string;
  status_changed_at: string;
  dependency_graph_id: string | null;
  progress: string;
  created_at: string;
  created_by: string;
}

export interface DeploymentErrorsTable {
  org_id: string;
  app_id: string;
  deploy_id: string;
  position: number;
  scope: string;
  object_id: string;
  code: string;
  summary: string;
  message: string;
  error_type: string;
}

export interface DeploymentLogsTable {
  seq: Generated<number>;
  org_id: string;
  app_id: string;
  deploy_id: string;
  at: string;
  phase: string;
  level: string;
  resource: string | null;
  message: string;
}

export interface EnvDeployStateTable {
  org_id: string;
  app_id: string;
  env_id: string;
  from_deploy_id: string | null;
  last_deploy_id: string | null;
  updated_at: string;
}

export interface ActiveResourceLinksTable {
  org_id: string;
  app_id: string;
  env_id: string;
  guresid: string;
  depends_on: string;
  orphaned: number;
}

declare module './schema.js' {
  interface Database {
    deployments: DeploymentsTable;
    deployment_errors: DeploymentErrorsTable;
    deployment_logs: DeploymentLogsTable;
    env_deploy_state: EnvDeployStateTable;
    active_resource_links: ActiveResourceLinksTable;
  }
}

export type DeploymentRow = Selectable<DeploymentsTable>;
export type DeploymentErrorRow = Selectable<DeploymentErrorsTable>;
export type DeploymentLogRow = Omit<Selectable<DeploymentLogsTable>, 'seq'> & { seq: number };
export type EnvDeployStateRow = Selectable<EnvDeployStateTable>;
export type ActiveResourceLinkRow = Selectable<ActiveResourceLinksTable>;
export type NewDeploymentLog = Omit<DeploymentLogRow, 'seq'>;

function toDeployment(row: DeploymentRow): DeploymentRow {
  return { ...row, seq: Number(row.seq) };
}

export function createDeploymentsRepo(db: Kysely<Database>) {
  return {
    async insert(row: DeploymentRow, trx?: Executor): Promise<void> {
      await executor(db, trx).insertInto('deployments').values(row).execute();
    },
    async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<DeploymentRow | undefined> {
      const row = await executor(db, trx)
        .selectFrom('deployments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toDeployment(row) : undefined;
    },
    /** Deployments of an env, newest first; `beforeSeq` continues a listing. */
    async listByEnv(orgId: string, appId: string, envId: string, limit: number, beforeSeq?: number, trx?: Executor): Promise<DeploymentRow[]> {
      let query = executor(db, trx)
        .selectFrom('deployments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId);
      if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
      const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
      return rows.map(toDeployment);
    },
    async activeInEnv(orgId: string, appId: string, envId: string, trx?: Executor): Promise<DeploymentRow[]> {
      const rows = await executor(db, trx)
        .selectFrom('deployments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('status', 'in', ['pending', 'in progress'])
        .orderBy('seq')
        .execute();
      return rows.map(toDeployment);
    },
    async update(
      orgId: string,
      appId: string,
      id: string,
      changes: Partial<Pick<DeploymentRow, 'status' | 'status_changed_at' | 'set_id' | 'base_set_id' | 'value_set_version_id' | 'progress' | 'dependency_graph_id' | 'from_id'>>,
      trx?: Executor,
    ): Promise<void> {
      await executor(db, trx).updateTable('deployments').set(changes).where('org_id', '=', orgId).where('app_id', '=', appId).where('id', '=', id).execute();
    },

    /** Like `update`, only while the deployment is `pending` or `in progress`; false when it had already ended. */
    async updateIfActive(orgId: string, appId: string, id: string, changes: Partial<Pick<DeploymentRow, 'status' | 'status_changed_at'>>, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('deployments')
        .set(changes)
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .where('status', 'in', ['pending', 'in progress'])
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async replaceErrors(orgId: string, appId: string, deployId: string, errors: Omit<DeploymentErrorRow, 'org_id' | 'app_id' | 'deploy_id' | 'position'>[], trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      await ex.deleteFrom('deployment_errors').where('org_id', '=', orgId).where('app_id', '=', appId).where('deploy_id', '=', deployId).execute();
      if (errors.length === 0) return;
      await ex
        .insertInto('deployment_errors')
        .values(errors.map((e, position) => ({ ...e, org_id: orgId, app_id: appId, deploy_id: deployId, position })))
        .execute();
    },
    async listErrors(orgId: string, appId: string, deployId: string, trx?: Executor): Promise<DeploymentErrorRow[]> {
      return executor(db, trx)
        .selectFrom('deployment_errors')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('deploy_id', '=', deployId)
        .orderBy('position')
        .execute();
    },

    async appendLogs(entries: readonly NewDeploymentLog[], trx?: Executor): Promise<void> {
      if (entries.length === 0) return;
      // Chunked: SQLite limits bound parameters per statement.
      for (let i = 0; i < entries.length; i += 100) {
        await executor(db, trx).insertInto('deployment_logs').values(entries.slice(i, i + 100)).execute();
      }
    },
    async listLogs(orgId: string, appId: string, deployId: string, afterSeq = 0, trx?: Executor): Promise<DeploymentLogRow[]> {
      const rows = await executor(db, trx)
        .selectFrom('deployment_logs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('deploy_id', '=', deployId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },

    async getEnvState(orgId: string, appId: string, envId: string, trx?: Executor): Promise<EnvDeployStateRow | undefined> {
      return executor(db, trx)
        .selectFrom('env_deploy_state')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .executeTakeFirst();
    },
    async setEnvState(row: EnvDeployStateRow, trx?: Executor): Promise<void> {
      const { org_id: _o, app_id: _a, env_id: _e, ...changes } = row;
      await executor(db, trx)
        .insertInto('env_deploy_state')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'env_id']).doUpdateSet(changes))
        .execute();
    },

    async listLinks(orgId: string, appId: string, envId: string, trx?: Executor): Promise<ActiveResourceLinkRow[]> {
      return executor(db, trx)
        .selectFrom('active_resource_links')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .execute();
    },
    async upsertLink(row: ActiveResourceLinkRow, trx?: Executor): Promise<void> {
      const { org_id: _o, app_id: _a, env_id: _e, guresid: _g, ...changes } = row;
      await executor(db, trx)
        .insertInto('active_resource_links')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'app_id', 'env_id', 'guresid']).doUpdateSet(changes))
        .execute();
    },
    /** An app is deleted: its deployments, their errors and logs go too (the tables have no foreign key to apps). */
    async deleteAppHistory(orgId: string, appId: string, trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      await ex.deleteFrom('deployment_logs').where('org_id', '=', orgId).where('app_id', '=', appId).execute();
      await ex.deleteFrom('deployment_errors').where('org_id', '=', orgId).where('app_id', '=', appId).execute();
      await ex.deleteFrom('deployments').where('org_id', '=', orgId).where('app_id', '=', appId).execute();
    },
    async deleteLink(orgId: string, appId: string, envId: string, guresid: string, trx?: Executor): Promise<void> {
      await executor(db, trx)
        .deleteFrom('active_resource_links')
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('env_id', '=', envId)
        .where('guresid', '=', guresid)
        .execute();
    },
  };
}
export type DeploymentsRepo = ReturnType<typeof createDeploymentsRepo>;
