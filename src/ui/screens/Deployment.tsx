import { useEffect, useState } from 'react';
import { followLogs, get, paths } from '../api';
import type { Deployment, DeploymentError, LogEntry, Phase } from '../api';
import { Empty, Json, Link, Show, Status, Who, useLoad } from '../components';
import { age, duration, isRunning } from '../format';
import type { EnvRef } from '../routes';
import { DeployDialog } from './DeployDialog';

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

/** Redeploy a past deployment's set and value set version, through the plan-then-confirm dialog. */
function RedeployDialog({ envRef, deploy, onClose }: { envRef: EnvRef; deploy: Deployment; onClose: () => void }) {
  const body = {
    set_id: deploy.set_id,
    ...(deploy.value_set_version_id ? { value_set_version_id: deploy.value_set_version_id } : {}),
    comment: `Redeploy of ${deploy.id}`,
  };
  return (
    <DeployDialog envRef={envRef} body={body} title={`Redeploy ${deploy.id} to ${envRef.env}?`} confirm="Confirm redeploy" onClose={onClose}>
      This deploys that deployment's set ({deploy.set_id}) again, as a new deployment.
    </DeployDialog>
  );
}
