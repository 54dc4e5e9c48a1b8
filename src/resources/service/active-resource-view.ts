/**
 * How an active resource is shown through the API (Humanitec's ActiveResourceResponse): values in clear, secret
 * outputs only as reference paths. One converter for the env's resource list (engine) and a definition's
 * resources (definitions service), so both show the same thing.
 */
import type { SecretBox } from '../../secrets/index.js';
import { fromJsonText } from '../../store/index.js';
import type { ActiveResourceRow } from '../../store/resource-active-repo.js';

type JsonObject = Record<string, unknown>;

export interface ActiveResourceView {
  org_id: string;
  app_id: string;
  env_id: string;
  env_type: string;
  type: string;
  class: string;
  res_id: string;
  gu_res_id: string;
  def_id: string;
  def_version_id: string;
  /** The definition version the resource is pinned to (`…/actions/pin`); absent when not pinned. */
  target_def_version_id?: string;
  criteria_id: string;
  driver_type: string;
  driver_account?: string;
  deploy_id: string;
  resource: JsonObject;
  secret_refs: Record<string, string>;
  status: string;
  scheduled_deletion: boolean;
  updated_at: string;
  /** Baton: no longer needed by the environment's current set, kept until deleted (Humanitec's rule). */
  orphaned: boolean;
  /** Baton: why deprovisioning failed (status `deprovision_failed`), secrets masked. */
  last_error?: string;
}

/** The AAD an active resource's sealed parts (`secrets`, `cookie`, …) are bound to. */
export function activeResourceAad(orgId: string, appId: string, envId: string, guresid: string, part: string): string {
  return `orgs/${orgId}/apps/${appId}/envs/${envId}/resources/${guresid}/${part}`;
}

/** Reference paths of the secret outputs (`{password: "orgs/<org>/resources/<guresid>/secrets/.password"}`). */
export function secretRefsOf(row: ActiveResourceRow, box: SecretBox): Record<string, string> {
  if (row.secrets_sealed === null) return {};
  const opened = box.open(row.secrets_sealed, activeResourceAad(row.org_id, row.app_id, row.env_id, row.guresid, 'secrets'));
  const refs: Record<string, string> = {};
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
    } else refs[path] = `orgs/${row.org_id}/resources/${row.guresid}/secrets/.${path}`;
  };
  walk(opened, '');
  return refs;
}

export function toActiveResourceView(row: ActiveResourceRow, box: SecretBox, orphaned: boolean): ActiveResourceView {
  return {
    org_id: row.org_id,
    app_id: row.app_id,
    env_id: row.env_id,
    env_type: row.env_type,
    type: row.type,
    class: row.class,
    res_id: row.res_id,
    gu_res_id: row.guresid,
    def_id: row.def_id,
    def_version_id: row.def_version_id,
    ...(row.target_def_version_id !== null ? { target_def_version_id: row.target_def_version_id } : {}),
    criteria_id: row.criteria_id,
    driver_type: row.driver_type,
    ...(row.driver_account !== null ? { driver_account: row.driver_account } : {}),
    deploy_id: row.deploy_id,
    resource: fromJsonText<JsonObject>(row.resource) ?? {},
    secret_refs: secretRefsOf(row, box),
    status: row.status,
    scheduled_deletion: row.scheduled_deletion === 1,
    updated_at: row.updated_at,
    orphaned,
    ...(row.last_error !== null ? { last_error: row.last_error } : {}),
  };
}
