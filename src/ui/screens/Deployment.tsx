import { useEffect, useState } from 'react';
import { followLogs, get, paths } from '../api';
import type { ActiveResource, Deployment, DeploymentError, DeploymentManifests, Graph, LogEntry, Phase, SetDelta } from '../api';
import { DataTable, Empty, Json, Link, ManifestChangesView, ReadOnlyNote, Show, Status, Warnings, Who, useLoad, useMay } from '../components';
import type { Column } from '../components';
import { phaseBars, resourceStatuses, workloadChanges } from '../deploy-status';
import type { ResourceStatusRow } from '../deploy-status';
import { age, duration, isRunning, statusTone } from '../format';
import type { EnvRef } from '../routes';
import { DeployDialog, WorkloadChangesList } from './DeployDialog';
import { DEPLOY_NEEDS } from './Environment';

interface Details {
  deploy: Deployment;
  errors: DeploymentError[];
  phases: Phase[];
  logs: LogEntry[];
}

/**
 * A deployment: status, errors first, phases with timings, each resource's status, the set diff and the manifest
 * diff from the previous deployment side by side, and the log (followed live while it runs).
 */
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
  const mayDeploy = useMay('env.deploy', envRef);

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
                {mayDeploy && (
                  <button type="button" disabled={running} onClick={() => setConfirming(true)}>
                    Redeploy this deployment…
                  </button>
                )}
                <ReadOnlyNote permission="env.deploy" object={envRef} why={DEPLOY_NEEDS} />
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
              {/* The engine records a deployment's warnings as `warn` log entries (the plan's, and the target's). */}
              <Warnings warnings={logs.filter((l) => l.level === 'warn').map((l) => (l.resource ? `${l.resource}: ${l.message}` : l.message))} lead="the deployment went on with these" testId="deployment-warnings" />
              <div className="columns">
                <div className="card">
                  <h3>Phases</h3>
                  <Phases phases={phases} />
                </div>
                <div className="card">
                  <h3>Resources</h3>
                  <Resources envRef={envRef} deploy={deploy} logs={logs} errors={errors} running={running} />
                </div>
              </div>
              <h3>Changes from the previous deployment</h3>
              <div className="side-by-side">
                <div className="card" data-testid="set-diff">
                  <h3>Set diff (workloads)</h3>
                  <SetDiff envRef={envRef} deploy={deploy} />
                </div>
                <div className="card">
                  <h3>Manifest diff (what the target got)</h3>
                  <ManifestDiff envRef={envRef} deploy={deploy} running={running} />
                </div>
              </div>
              <div className="card" style={{ marginTop: '1rem' }}>
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

function Phases({ phases }: { phases: Phase[] }) {
  if (phases.length === 0) return <Empty>No phase started yet.</Empty>;
  return (
    <div className="phase-bars" data-testid="phases">
      {phaseBars(phases).map((p) => (
        <div className="phase-bar" key={p.name}>
          <span>{p.name}</span>
          <span className="phase-track" role="img" aria-label={`${p.name} ${p.status}`}>
            <span className={`phase-fill tone-${statusTone(p.status === 'running' ? 'in progress' : p.status)}`} style={{ left: `${p.offset}%`, width: `${p.width}%` }} />
          </span>
          <span className="sub">{p.ms === undefined ? p.status : p.ms < 1000 ? `${p.ms} ms` : `${(p.ms / 1000).toFixed(1)} s`}</span>
        </div>
      ))}
    </div>
  );
}

const STATE_STATUS: Record<ResourceStatusRow['state'], string> = { failed: 'failed', provisioned: 'succeeded', provisioning: 'in progress', waiting: 'pending', 'not reached': 'not reached' };
const RESOURCE_COLUMNS: Column<ResourceStatusRow>[] = [
  {
    header: 'Resource',
    cell: (r) => (
      <>
        <code>{r.resId}</code>
        <div className="sub">
          {r.type}
          {r.class && r.class !== 'default' ? `.${r.class}` : ''} · {r.defId} ({r.driver})
        </div>
      </>
    ),
  },
  {
    header: 'In this deployment',
    cell: (r) => (
      <>
        <span className={`status status-${statusTone(STATE_STATUS[r.state])}`}>{r.state}</span>
        {r.error && (
          <div className="bad clamp" title={r.error}>
            {r.error}
          </div>
        )}
      </>
    ),
  },
  { header: 'Now', cell: (r) => (r.active ? <Status status={r.active} /> : <span className="sub">not active</span>) },
];

/** Each resource of the deployment's graph: what the deployment did to it (from its log and errors) and its status now. */
function Resources({ envRef, deploy, logs, errors, running }: { envRef: EnvRef; deploy: Deployment; logs: LogEntry[]; errors: DeploymentError[]; running: boolean }) {
  const { org, app, env } = envRef;
  const graphId = deploy.dependency_graph_id;
  const { result } = useLoad(async () => {
    if (!graphId) return null;
    const [graph, active] = await Promise.all([get<Graph>(paths.graph(org, app, env, graphId)), get<ActiveResource[]>(paths.resources(org, app, env))]);
    return { graph, active };
  }, `resources:${deploy.id}:${graphId ?? ''}:${deploy.status}`);
  return (
    <Show loaded={result} what="the deployment's resources">
      {(data) =>
        data === null ? (
          <Empty>{running ? 'Resources are not matched yet.' : 'The deployment stopped before its resources were matched.'}</Empty>
        ) : (
          <DataTable rows={resourceStatuses(data.graph.nodes, logs, errors, data.active, running)} columns={RESOURCE_COLUMNS} rowKey={(r) => r.guresid} empty="The deployment's graph has no resources." testId="resource-statuses" />
        )
      }
    </Show>
  );
}

function SetDiff({ envRef, deploy }: { envRef: EnvRef; deploy: Deployment }) {
  const { org, app, env } = envRef;
  const { result } = useLoad(async () => {
    if (!deploy.from_id) return null;
    const previous = await get<Deployment>(paths.deploy(org, app, env, deploy.from_id));
    if (previous.set_id === deploy.set_id) return { same: true as const, previous };
    return { same: false as const, previous, diff: await get<SetDelta>(paths.setDiff(org, app, deploy.set_id, previous.set_id)) };
  }, `diff:${deploy.id}`);
  return (
    <Show loaded={result} what="the set diff">
      {(d) =>
        d === null ? (
          <Empty>The first deployment of this environment.</Empty>
        ) : (
          <>
            <p className="sub">
              From <Link to={{ name: 'deploy', ...envRef, deploy: d.previous.id }}>{d.previous.comment || d.previous.id}</Link>
            </p>
            {d.same ? (
              <Empty>Same set as the previous deployment.</Empty>
            ) : (
              <>
                <WorkloadChangesList changes={workloadChanges(d.diff)} />
                <details>
                  <summary>The delta as JSON</summary>
                  <Json value={d.diff} />
                </details>
              </>
            )}
          </>
        )
      }
    </Show>
  );
}

function ManifestDiff({ envRef, deploy, running }: { envRef: EnvRef; deploy: Deployment; running: boolean }) {
  const { org, app, env } = envRef;
  const { result } = useLoad(() => get<DeploymentManifests>(paths.manifests(org, app, env, deploy.id)), `manifests:${deploy.id}:${deploy.status}`);
  return (
    <Show loaded={result} what="the manifest diff">
      {(m) =>
        !m.recorded ? (
          <Empty>{running ? 'Known once the deployment has applied.' : 'This deployment applied nothing to its target (it stopped earlier, or ran before Baton recorded applies).'}</Empty>
        ) : (
          <>
            {!m.previous_recorded && <p className="sub">The previous deployment's manifests were not recorded: every object shows as added.</p>}
            <ManifestChangesView changes={m} testId="manifest-diff" />
          </>
        )
      }
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
