import { useEffect, useState } from 'react';
import { ApiError, followLogs, get, paths, post } from '../api';
import type { Deployment, DeploymentError, LogEntry, Phase, Plan } from '../api';
import { Empty, ErrorBox, Json, Link, Show, Status, Who, navigate, useLoad } from '../components';
import { age, duration, isRunning } from '../format';
import type { EnvRef } from '../routes';

interface Details {
  deploy: Deployment;
  errors: DeploymentError[];
  phases: Phase[];
  logs: LogEntry[];
}

/** A deployment: status, errors first, phases with timings, the log (refreshed while it runs) and the set diff. */
export function DeploymentScreen({ envRef, deployId }: { envRef: EnvRef; deployId: string }) {
  const { org, app, env } = envRef;
  const base = paths.deploy(org, app, env, deployId);
  const { result, reload } = useLoad(async (): Promise<Details> => {
    const [deploy, errors, phases, logs] = await Promise.all([
      get<Deployment>(base),
      get<DeploymentError[]>(`${base}/errors`),
      get<Phase[]>(`${base}/baton/phases`),
      get<LogEntry[]>(`${base}/baton/logs`),
    ]);
    return { deploy, errors, phases, logs };
  }, `deploy:${base}`);
  const running = result.state === 'ok' && isRunning(result.data.deploy.status);
  // While it runs: log entries as they are written (SSE), and status and phases every 2 s.
  const [live, setLive] = useState<LogEntry[]>([]);
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(reload, 2000);
    return () => clearTimeout(timer);
  }, [running, result, reload]);
  useEffect(() => {
    if (!running) return;
    const abort = new AbortController();
    followLogs(`${base}/baton/logs`, (entry) => setLive((list) => [...list, entry]), reload, abort.signal).catch(() => undefined);
    return () => abort.abort();
  }, [running, base, reload]);
  const [confirming, setConfirming] = useState(false);

  return (
    <section>
      <nav className="crumbs">
        <Link to={{ name: 'grid', org }}>Applications</Link> / {app} / <Link to={{ name: 'env', ...envRef }}>{env}</Link> / deployment{' '}
        <strong>{deployId}</strong>
      </nav>
      <Show loaded={result} what="the deployment">
        {({ deploy, errors, phases, logs: loaded }) => {
          const seen = new Set(loaded.map((l) => l.seq));
          const logs = [...loaded, ...live.filter((l) => !seen.has(l.seq))].sort((a, b) => a.seq - b.seq);
          return (
          <>
            <div className="heading-row">
              <h2>{deploy.comment || `Deployment ${deploy.id}`}</h2>
              <Status status={deploy.status} />
              <span className="spacer" />
              <button type="button" disabled={running} onClick={() => setConfirming(true)}>
                Redeploy this deployment…
              </button>
            </div>
            <p className="sub">
              {deploy.id} · started {age(deploy.created_at)} by <Who id={deploy.created_by} />
              {!running && ` · took ${duration(deploy.created_at, deploy.status_changed_at)}`} · set {deploy.set_id}
            </p>
            {confirming && <RedeployDialog envRef={envRef} deploy={deploy} onClose={() => setConfirming(false)} />}
            {errors.length > 0 && (
              <div className="errors" role="alert">
                <h3>Errors</h3>
                {errors.map((e, i) => (
                  <div className="deploy-error" key={i} data-testid="deployment-error">
                    <div className="error-where">
                      <span className="tag">{e.scope}</span> <code>{e.object_id}</code> <span className="sub">{e.code}</span>
                    </div>
                    <div className="error-message">{e.message}</div>
                  </div>
                ))}
              </div>
            )}
            <div className="columns">
              <div className="card">
                <h3>Phases</h3>
                {phases.length === 0 ? (
                  <Empty>No phase started yet.</Empty>
                ) : (
                  <table className="list">
                    <tbody>
                      {phases.map((p) => (
                        <tr key={p.name}>
                          <td>{p.name}</td>
                          <td>
                            <Status status={p.status} />
                          </td>
                          <td>{duration(p.started_at, p.ended_at)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
              <div className="card">
                <h3>Changes from the previous deployment</h3>
                <SetDiff envRef={envRef} deploy={deploy} />
              </div>
            </div>
            <div className="card">
              <h3>Log{running ? ' (live)' : ''}</h3>
              {logs.length === 0 ? (
                <Empty>No log entries.</Empty>
              ) : (
                <pre className="log" data-testid="deployment-log">
                  {logs.map((l) => `${l.at.slice(11, 23)} ${l.level.padEnd(5)} ${l.phase}${l.resource ? ` ${l.resource}` : ''}: ${l.message}`).join('\n')}
                </pre>
              )}
            </div>
          </>
          );
        }}
      </Show>
    </section>
  );
}

function SetDiff({ envRef, deploy }: { envRef: EnvRef; deploy: Deployment }) {
  const { org, app, env } = envRef;
  const { result } = useLoad(async () => {
    if (!deploy.from_id) return null;
    const previous = await get<Deployment>(paths.deploy(org, app, env, deploy.from_id));
    if (previous.set_id === deploy.set_id) return { same: true as const };
    return { same: false as const, diff: await get<unknown>(paths.setDiff(org, app, deploy.set_id, previous.set_id)) };
  }, `diff:${deploy.id}`);
  return (
    <Show loaded={result} what="the set diff">
      {(d) => (d === null ? <Empty>The first deployment of this environment.</Empty> : d.same ? <Empty>Same set as the previous deployment.</Empty> : <Json value={d.diff} />)}
    </Show>
  );
}

/** Redeploy a past deployment's set and value set version: a plan preview first, then confirm. */
function RedeployDialog({ envRef, deploy, onClose }: { envRef: EnvRef; deploy: Deployment; onClose: () => void }) {
  const { org, app, env } = envRef;
  const body = {
    set_id: deploy.set_id,
    ...(deploy.value_set_version_id ? { value_set_version_id: deploy.value_set_version_id } : {}),
    comment: `Redeploy of ${deploy.id}`,
  };
  const plan = useLoad(() => post<Plan>(paths.plans(org, app, env), body), `plan:${deploy.id}`);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="redeploy-title">
        <h3 id="redeploy-title">
          Redeploy {deploy.id} to {env}?
        </h3>
        <p>This deploys that deployment's set ({deploy.set_id}) again, as a new deployment.</p>
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
            Confirm redeploy
          </button>
        </div>
      </div>
    </div>
  );
}
