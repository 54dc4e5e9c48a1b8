import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, get, paths, post } from '../api';
import type { Deployment, Plan } from '../api';
import { ErrorBox, Show, navigate, useLoad } from '../components';
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
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="deploy-title">
        <h3 id="deploy-title">{title}</h3>
        <p>{children}</p>
        <h4>Plan preview</h4>
        <Show loaded={plan.result} what="the plan">
          {(p) => (
            <ul className="plan">
              <li>{p.resources.length} resource action(s)</li>
              <li>{p.objects.length} object(s) to apply</li>
              {p.unresolved_workloads.map((u) => (
                <li key={u.workload} className="bad">
                  {u.workload}: {u.message}
                </li>
              ))}
            </ul>
          )}
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
