/**
 * `baton resources active-resource-usage` (humctl's verb): which applications and environments use which active
 * resources, provisioned by which definition, and how current each one is: `latest deploy` when the environment's
 * newest deployment provisioned it, `N deploy(s) ago` when a later deployment did not (it failed, or no longer
 * needs the resource: then it is also `orphaned`). Pure, so it is tested without a server.
 */

type Row = Record<string, unknown>;

export interface ResourceUsage {
  app_id: string;
  env_id: string;
  type: string;
  class: string;
  res_id: string;
  def_id: string;
  gu_res_id: string;
  deploy_id: string;
  /** How many deployments of the environment came after the one that last provisioned it (null: not in the list). */
  deploys_ago: number | null;
  usage: string;
  status: string;
  orphaned: boolean;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** One row from its active resource (a Humanitec ActiveResource or a Baton usage row) and its `deploys_ago`. */
function usageRow(r: Row, ago: number | null): ResourceUsage {
  const orphaned = r.orphaned === true;
  const when = ago === null ? 'unknown deploy' : ago === 0 ? 'latest deploy' : `${ago} deploy${ago === 1 ? '' : 's'} ago`;
  return {
    app_id: str(r.app_id),
    env_id: str(r.env_id),
    type: str(r.type),
    class: str(r.class) || 'default',
    res_id: str(r.res_id),
    def_id: str(r.def_id),
    gu_res_id: str(r.gu_res_id),
    deploy_id: str(r.deploy_id),
    deploys_ago: ago,
    usage: orphaned ? `${when}, orphaned` : when,
    status: str(r.status),
    orphaned,
  };
}

function sorted(rows: ResourceUsage[]): ResourceUsage[] {
  return rows.sort((a, b) => a.app_id.localeCompare(b.app_id) || a.env_id.localeCompare(b.env_id) || a.type.localeCompare(b.type) || a.res_id.localeCompare(b.res_id));
}

/**
 * From per-environment listings (servers without Baton's usage endpoint): `deploysNewestFirst(app, env)` gives the
 * environment's deployment ids, newest first.
 */
export function resourceUsage(resources: readonly Row[], deploysNewestFirst: (app: string, env: string) => readonly string[]): ResourceUsage[] {
  return sorted(
    resources.map((r) => {
      const index = deploysNewestFirst(str(r.app_id), str(r.env_id)).indexOf(str(r.deploy_id));
      return usageRow(r, index < 0 ? null : index);
    }),
  );
}

/** From Baton's `GET /orgs/{org}/baton/active-resource-usage`, which counts `deploys_ago` itself. */
export function resourceUsageFromServer(rows: readonly Row[]): ResourceUsage[] {
  return sorted(rows.map((r) => usageRow(r, typeof r.deploys_ago === 'number' && Number.isInteger(r.deploys_ago) && r.deploys_ago >= 0 ? r.deploys_ago : null)));
}

/** Newest first by `created_at` (ISO-8601 strings sort as text). */
export function deployIdsNewestFirst(deploys: readonly Row[]): string[] {
  return [...deploys].sort((a, b) => str(b.created_at).localeCompare(str(a.created_at))).map((d) => str(d.id));
}
