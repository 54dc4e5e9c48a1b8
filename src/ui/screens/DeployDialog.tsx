import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, get, paths, post } from '../api';
import type { Deployment, Plan } from '../api';
import { Empty, ErrorBox, ManifestChangesView, Show, Warnings, navigate, useLoad } from '../components';
import { planSummary, workloadChanges } from '../deploy-status';
import type { WorkloadChange } from '../deploy-status';
import type { EnvRef } from '../routes';

export interface DeployBody {
  delta_id?: string;
  set_id?: string;
  value_set_version_id?: string;
  comment: string;
}

/**
 * A deployment after a plan preview: the dialog plans `body` (POST …/baton/plans, no side effects) and shows what
 * it would do; confirming submits the same body (POST …/deploys) and opens the new deployment.
 */
export function DeployDialog({ envRef, body, title, confirm, onClose, children }: { envRef: EnvRef; body: DeployBody; title: string; confirm: string; onClose: () => void; children: ReactNode }) {
  const { org, app, env } = envRef;
  const plan = useLoad(() => post<Plan>(paths.plans(org, app, env), body), `plan:${JSON.stringify(body)}`);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="dialog-backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="deploy-title">
        <h3 id="deploy-title">{title}</h3>
        <p>{children}</p>
        <h4>Plan preview</h4>
        <Show loaded={plan.result} what="the plan">
          {(p) => <PlanPreview plan={p} />}
        </Show>
        {error && <ErrorBox error={error} what="the deployment" />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              post<Deployment>(paths.deploys(org, app, env), body).then(
                (created) => {
                  onClose();
                  navigate({ name: 'deploy', ...envRef, deploy: created.id });
                },
                (e: unknown) => {
                  setBusy(false);
                  setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
                },
              );
            }}
          >
            {confirm}
          </button>
        </div>
      </div>
    </div>
  );
}

const CHANGE_CLASS: Record<WorkloadChange['change'], string> = { added: 'chg-add', updated: 'chg-upd', removed: 'chg-del' };

/** The workloads a set diff adds, updates (with the fields it touches) and removes. */
export function WorkloadChangesList({ changes }: { changes: WorkloadChange[] }) {
  if (changes.length === 0) return <Empty>No workload changes.</Empty>;
  return (
    <ul className="changes" data-testid="workload-changes">
      {changes.map((c) => (
        <li key={c.workload}>
          <span className={`chg ${CHANGE_CLASS[c.change]}`}>{c.change}</span> <strong>{c.workload}</strong>
          {c.paths.length > 0 && <div className="sub">{c.paths.map((path) => path.replace(/^\//, '').replaceAll('/', '.')).join(', ')}</div>}
        </li>
      ))}
    </ul>
  );
}

/** What a plan would change: its warnings first, then workloads, resources by action, the manifests, and what cannot be known before deploying. */
function PlanPreview({ plan }: { plan: Plan }) {
  const summary = planSummary(plan);
  const groups: [string, string, string[]][] = [
    ['chg-add', 'create', summary.create],
    ['chg-upd', 'update (driver runs again)', summary.update],
    ['chg-upd', 're-provision (another definition now matches)', summary.reprovision],
    ['chg-del', 'orphan (kept, no longer needed)', summary.orphan],
  ];
  const acting = groups.filter(([, , items]) => items.length > 0);
  return (
    <div className="plan-section" data-testid="plan-preview">
      <Warnings warnings={plan.warnings ?? []} lead="the deployment goes ahead, but check these first" testId="plan-warnings" />
      <h5>Workloads</h5>
      <WorkloadChangesList changes={workloadChanges(plan.set_diff)} />
      <h5>Resources</h5>
      {acting.length === 0 ? (
        <Empty>No resource is created, updated or orphaned.</Empty>
      ) : (
        <ul className="changes" data-testid="plan-resources">
          {acting.flatMap(([cls, label, items]) =>
            items.map((item) => (
              <li key={`${label}:${item}`}>
                <span className={`chg ${cls}`}>{label.split(' ')[0]}</span> <code>{item}</code> <span className="sub">{label.includes('(') ? label.slice(label.indexOf('(')) : ''}</span>
              </li>
            )),
          )}
        </ul>
      )}
      {summary.unchanged.length > 0 && <p className="sub">{summary.unchanged.length} resource(s) unchanged.</p>}
      <h5>Manifests</h5>
      <ManifestChangesView changes={plan.manifests} testId="plan-manifests" />
      {plan.unresolved_workloads.length > 0 && (
        <>
          <h5>Known only after deploying</h5>
          <ul className="plan">
            {plan.unresolved_workloads.map((u) => (
              <li key={u.workload} className="bad">
                {u.workload}: {u.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

interface Delta {
  id: string;
  metadata: { name?: string; created_at: string; env_id?: string };
  modules: { add?: Record<string, unknown>; update?: Record<string, unknown>; remove?: string[] };
}

/** Pick one of the app's deltas (GET …/deltas), then plan and deploy it. */
export function DeployDeltaDialog({ envRef, onClose }: { envRef: EnvRef; onClose: () => void }) {
  const { org, app, env } = envRef;
  const deltas = useLoad(() => get<Delta[]>(`/orgs/${encodeURIComponent(org)}/apps/${encodeURIComponent(app)}/deltas`), `deltas:${org}/${app}`);
  const [picked, setPicked] = useState<Delta | null>(null);
  if (picked) {
    return (
      <DeployDialog envRef={envRef} body={{ delta_id: picked.id, comment: `Delta ${picked.metadata.name ?? picked.id.slice(0, 12)}` }} title={`Deploy delta ${picked.metadata.name ?? picked.id.slice(0, 12)} to ${env}?`} confirm="Confirm deployment" onClose={onClose}>
        The delta is applied to the environment's current set.
      </DeployDialog>
    );
  }
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="delta-title">
        <h3 id="delta-title">Deploy a delta to {env}</h3>
        <Show loaded={deltas.result} what="deltas">
          {(list) =>
            list.length === 0 ? (
              <p className="empty">This app has no deltas.</p>
            ) : (
              <table className="list">
                <tbody>
                  {list.map((d) => (
                    <tr key={d.id}>
                      <td>
                        {d.metadata.name ?? <code>{d.id.slice(0, 12)}</code>}
                        <div className="sub">
                          {[...Object.keys(d.modules.add ?? {}).map((m) => `+${m}`), ...Object.keys(d.modules.update ?? {}).map((m) => `~${m}`), ...(d.modules.remove ?? []).map((m) => `-${m}`)].join(' ')} · {d.metadata.created_at.slice(0, 19).replace('T', ' ')}
                        </div>
                      </td>
                      <td>
                        <button type="button" onClick={() => setPicked(d)} aria-label={`Plan delta ${d.id}`}>
                          Plan…
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
