import type { Kysely, Selectable } from 'kysely';
import { nowIso } from './ddl.js';
import { executor, insertOrConflict } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';
import type { PagePosition } from '../shared/pagination.js';

/** Tables of migration 0012_ci (artefacts, image builds, automation rules, webhooks and their deliveries). */
export interface ArtefactsTable {
  org_id: string;
  id: string;
  type: string;
  name: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}
export interface ArtefactVersionsTable {
  org_id: string;
  id: string;
  artefact_id: string;
  type: string;
  name: string;
  version: string;
  ref: string;
  commit: string;
  digest: string;
  archived: number;
  workload: string | null;
  deployment_set: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}
export interface ImageBuildsTable {
  org_id: string;
  image_id: string;
  id: string;
  branch: string;
  commit: string;
  image: string;
  tags: string;
  artefact_version_id: string;
  added_at: string;
}
export interface AutomationRulesTable {
  org_id: string;
  app_id: string;
  env_id: string;
  id: string;
  rule: string;
  active: number;
  created_at: string;
  created_by: string;
  updated_at: string;
}
export interface WebhooksTable {
  org_id: string;
  app_id: string;
  id: string;
  url: string;
  headers: string;
  payload: string;
  triggers: string;
  disabled: number;
  secret_sealed: string;
  created_at: string;
  created_by: string;
}
export interface WebhookDeliveriesTable {
  org_id: string;
  app_id: string;
  webhook_id: string;
  id: string;
  event: string;
  body: string;
  state: string;
  attempts: number;
  created_at: string;
  updated_at: string;
}
export interface WebhookAttemptsTable {
  org_id: string;
  app_id: string;
  delivery_id: string;
  n: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

declare module './schema.js' {
  interface Database {
    artefacts: ArtefactsTable;
    artefact_versions: ArtefactVersionsTable;
    image_builds: ImageBuildsTable;
    automation_rules: AutomationRulesTable;
    webhooks: WebhooksTable;
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}

export type ArtefactRow = Selectable<ArtefactsTable>;
export type ArtefactVersionRow = Selectable<ArtefactVersionsTable>;
export type ImageBuildRow = Selectable<ImageBuildsTable>;
export type AutomationRuleRow = Selectable<AutomationRulesTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;

export interface ArtefactVersionFilter {
  artefactId?: string | undefined;
  name?: string | undefined;
  ref?: string | undefined;
  type?: string | undefined;
  /** undefined: both */
  archived?: boolean | undefined;
  limit: number;
  /** Keyset paging: only versions listed after this one (newest first: older, or as old with a smaller id). */
  after?: PagePosition | undefined;
}

const num = <T extends { archived?: number; active?: number; disabled?: number; attempts?: number; n?: number }>(row: T): T => {
  const out = { ...row };
  for (const key of ['archived', 'active', 'disabled', 'attempts', 'n'] as const) if (out[key] !== undefined) (out as Record<string, unknown>)[key] = Number(out[key]);
  return out;
};

export function createCiRepo(db: Kysely<Database>) {
  return {
    artefacts: {
      async find(orgId: string, type: string, name: string, trx?: Executor): Promise<ArtefactRow | undefined> {
        return executor(db, trx).selectFrom('artefacts').selectAll().where('org_id', '=', orgId).where('type', '=', type).where('name', '=', name).executeTakeFirst();
      },
      async get(orgId: string, id: string, trx?: Executor): Promise<ArtefactRow | undefined> {
        return executor(db, trx).selectFrom('artefacts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      },
      async insert(row: ArtefactRow, trx?: Executor): Promise<void> {
        await insertOrConflict(`artefact "${row.name}" already exists`, { kind: 'artefact', name: row.name }, () => executor(db, trx).insertInto('artefacts').values(row).execute());
      },
      async touch(orgId: string, id: string, actor: string, trx?: Executor): Promise<void> {
        await executor(db, trx).updateTable('artefacts').set({ updated_at: nowIso(), updated_by: actor }).where('org_id', '=', orgId).where('id', '=', id).execute();
      },
      async list(orgId: string, filter: { type?: string | undefined; name?: string | undefined }, limit: number): Promise<ArtefactRow[]> {
        let q = db.selectFrom('artefacts').selectAll().where('org_id', '=', orgId);
        if (filter.type !== undefined) q = q.where('type', '=', filter.type);
        if (filter.name !== undefined) q = q.where('name', '=', filter.name);
        return q.orderBy('created_at').orderBy('id').limit(limit).execute();
      },
      async delete(orgId: string, id: string): Promise<boolean> {
        const result = await db.deleteFrom('artefacts').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      },
    },
    versions: {
      async insert(row: ArtefactVersionRow, trx?: Executor): Promise<void> {
        await executor(db, trx).insertInto('artefact_versions').values(row).execute();
      },
      async get(orgId: string, id: string): Promise<ArtefactVersionRow | undefined> {
        const row = await db.selectFrom('artefact_versions').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
        return row && num(row);
      },
      /** Newest first. */
      async list(orgId: string, filter: ArtefactVersionFilter): Promise<ArtefactVersionRow[]> {
        let q = db.selectFrom('artefact_versions').selectAll().where('org_id', '=', orgId);
        if (filter.artefactId !== undefined) q = q.where('artefact_id', '=', filter.artefactId);
        if (filter.name !== undefined) q = q.where('name', '=', filter.name);
        if (filter.ref !== undefined) q = q.where('ref', '=', filter.ref);
        if (filter.type !== undefined) q = q.where('type', '=', filter.type);
        if (filter.archived !== undefined) q = q.where('archived', '=', filter.archived ? 1 : 0);
        const after = filter.after;
        if (after !== undefined) q = q.where((eb) => eb.or([eb('created_at', '<', after.created_at), eb.and([eb('created_at', '=', after.created_at), eb('id', '<', after.id)])]));
        return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()).map(num);
      },
      async setArchived(orgId: string, artefactId: string, id: string, archived: boolean, actor: string): Promise<boolean> {
        const result = await db
          .updateTable('artefact_versions')
          .set({ archived: archived ? 1 : 0, updated_at: nowIso(), updated_by: actor })
          .where('org_id', '=', orgId)
          .where('artefact_id', '=', artefactId)
          .where('id', '=', id)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      },
    },
    images: {
      async insertBuild(row: ImageBuildRow, trx?: Executor): Promise<void> {
        await executor(db, trx).insertInto('image_builds').values(row).execute();
      },
      /** Oldest first. */
      async builds(orgId: string, imageId?: string): Promise<ImageBuildRow[]> {
        let q = db.selectFrom('image_builds').selectAll().where('org_id', '=', orgId);
        if (imageId !== undefined) q = q.where('image_id', '=', imageId);
        return q.orderBy('added_at').orderBy('id').limit(10_000).execute();
      },
    },
    rules: {
      async insert(row: AutomationRuleRow): Promise<void> {
        await insertOrConflict(`automation rule "${row.id}" already exists`, { kind: 'automation rule', id: row.id }, () => db.insertInto('automation_rules').values(row).execute());
      },
      async get(orgId: string, appId: string, envId: string, id: string): Promise<AutomationRuleRow | undefined> {
        const row = await db.selectFrom('automation_rules').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('env_id', '=', envId).where('id', '=', id).executeTakeFirst();
        return row && num(row);
      },
      async list(orgId: string, appId: string, envId: string): Promise<AutomationRuleRow[]> {
        const rows = await db.selectFrom('automation_rules').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('env_id', '=', envId).orderBy('created_at').orderBy('id').execute();
        return rows.map(num);
      },
      /** Every active rule of the org (a new artefact version is matched against them). */
      async active(orgId: string): Promise<AutomationRuleRow[]> {
        const rows = await db.selectFrom('automation_rules').selectAll().where('org_id', '=', orgId).where('active', '=', 1).orderBy('app_id').orderBy('env_id').orderBy('created_at').execute();
        return rows.map(num);
      },
      async update(orgId: string, appId: string, envId: string, id: string, set: { rule: string; active: number }): Promise<boolean> {
        const result = await db.updateTable('automation_rules').set({ ...set, updated_at: nowIso() }).where('org_id', '=', orgId).where('app_id', '=', appId).where('env_id', '=', envId).where('id', '=', id).executeTakeFirst();
        return result.numUpdatedRows > 0n;
      },
      async delete(orgId: string, appId: string, envId: string, id: string): Promise<boolean> {
        const result = await db.deleteFrom('automation_rules').where('org_id', '=', orgId).where('app_id', '=', appId).where('env_id', '=', envId).where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      },
    },
    webhooks: {
      async insert(row: WebhookRow): Promise<void> {
        await insertOrConflict(`webhook "${row.id}" already exists`, { kind: 'webhook', id: row.id }, () => db.insertInto('webhooks').values(row).execute());
      },
      async get(orgId: string, appId: string, id: string, trx?: Executor): Promise<WebhookRow | undefined> {
        const row = await executor(db, trx).selectFrom('webhooks').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
        return row && num(row);
      },
      async list(orgId: string, appId: string, trx?: Executor): Promise<WebhookRow[]> {
        const rows = await executor(db, trx).selectFrom('webhooks').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
        return rows.map(num);
      },
      async update(orgId: string, appId: string, id: string, set: Partial<Pick<WebhookRow, 'url' | 'headers' | 'payload' | 'triggers' | 'disabled'>>): Promise<boolean> {
        const result = await db.updateTable('webhooks').set(set).where('org_id', '=', orgId).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
        return result.numUpdatedRows > 0n;
      },
      async delete(orgId: string, appId: string, id?: string): Promise<number> {
        let q = db.deleteFrom('webhooks').where('org_id', '=', orgId).where('app_id', '=', appId);
        if (id !== undefined) q = q.where('id', '=', id);
        return Number((await q.executeTakeFirst()).numDeletedRows);
      },
    },
    deliveries: {
      /** False when a delivery with this id is already recorded (the same event emitted again). */
      async insertIfAbsent(row: WebhookDeliveryRow, trx?: Executor): Promise<boolean> {
        const result = await executor(db, trx).insertInto('webhook_deliveries').values(row).onConflict((oc) => oc.columns(['org_id', 'app_id', 'id']).doNothing()).executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
      },
      async get(orgId: string, appId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
        const row = await db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
        return row && num(row);
      },
      async list(orgId: string, appId: string, webhookId: string, limit: number): Promise<WebhookDeliveryRow[]> {
        const rows = await db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('webhook_id', '=', webhookId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
        return rows.map(num);
      },
      async recordAttempt(attempt: WebhookAttemptRow, state: string, trx?: Executor): Promise<void> {
        await executor(db, trx).insertInto('webhook_attempts').values(attempt).execute();
        await executor(db, trx)
          .updateTable('webhook_deliveries')
          .set({ state, attempts: attempt.n, updated_at: attempt.at })
          .where('org_id', '=', attempt.org_id)
          .where('app_id', '=', attempt.app_id)
          .where('id', '=', attempt.delivery_id)
          .execute();
      },
      async attempts(orgId: string, appId: string, deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]> {
        if (deliveryIds.length === 0) return [];
        const rows = await db.selectFrom('webhook_attempts').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId).where('delivery_id', 'in', deliveryIds).orderBy('delivery_id').orderBy('n').execute();
        return rows.map((r) => ({ ...num(r), status_code: r.status_code === null ? null : Number(r.status_code), duration_ms: Number(r.duration_ms) }));
      },
    },
  };
}
export type CiRepo = ReturnType<typeof createCiRepo>;
