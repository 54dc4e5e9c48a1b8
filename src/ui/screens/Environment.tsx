import { useState } from 'react';
import { get, paths } from '../api';
import type { ActiveResource, Deployment, DeploymentSet, Environment, RuntimeInfo, Value } from '../api';
import { Empty, Json, Link, Show, Status, Who, useLoad } from '../components';
import { age, duration, runtimeRows } from '../format';
import type { EnvRef } from '../routes';
import { DeployDeltaDialog } from './DeployDialog';
import { NewEnvironmentDialog } from './NewEnvironment';

/** An environment: its deployments, the current set's workloads, active resources and values (secrets masked). */
export function EnvironmentScreen({ envRef }: { envRef: EnvRef }) {
  const { org, app, env } = envRef;
  const key = `${org}/${app}/${env}`;
  const envLoad = useLoad(() => get<Environment>(paths.env(org, app, env)), `env:${key}`);
  const deploys = useLoad(() => get<Deployment[]>(paths.deploys(org, app, env)), `deploys:${key}`);
  const resources = useLoad(() => get<ActiveResource[]>(paths.resources(org, app, env)), `resources:${key}`);
  const values = useLoad(() => get<Value[]>(paths.values(org, app, env)), `values:${key}`);
  const runtime = useLoad(() => get<RuntimeInfo>(paths.runtime(org, app, env)), `runtime:${key}`);
  const [creating, setCreating] = useState(false);
  const [deploying, setDeploying] = useState(false);
  const currentDeploy = deploys.result.state === 'ok' ? deploys.result.data.find((d) => d.status === 'succeeded') : undefined;
  return (
    <section>
      <nav className="crumbs">
        <Link to={{ name: 'grid', org }}>Applications</Link> / {app} / <strong>{env}</strong>
      </nav>
      <Show loaded={envLoad.result} what="the environment">
        {(e) => (
          <div className="heading-row">
            <h2>
              {e.name} <span className="sub">({e.type})</span>
            </h2>
            {deploys.result.state === 'ok' && <Status status={deploys.result.data[0]?.status} />}
            <span className="spacer" />
            <button type="button" onClick={() => setDeploying(true)}>
              Deploy a delta…
            </button>
            <button type="button" onClick={() => setCreating(true)}>
              New environment…
            </button>
            <Link to={{ name: 'graph', ...envRef }} className="button">
              Resource graph
            </Link>
          </div>
        )}
      </Show>
      {deploying && <DeployDeltaDialog envRef={envRef} onClose={() => setDeploying(false)} />}
      {creating && <NewEnvironmentDialog envRef={envRef} fromDeployId={currentDeploy?.id} onClose={() => setCreating(false)} />}
      <div className="columns">
        <div className="card">
          <h3>Deployments</h3>
          <Show loaded={deploys.result} what="deployments">
            {(list) =>
              list.length === 0 ? (
                <Empty>Nothing deployed to this environment yet.</Empty>
              ) : (
                <ol className="timeline">
                  {list.map((d) => (
                    <li key={d.id} data-testid="timeline-entry">
                      <Status status={d.status} />{' '}
                      <Link to={{ name: 'deploy', ...envRef, deploy: d.id }}>{d.comment || d.id}</Link>
                      <div className="sub">
                        {age(d.created_at)} by <Who id={d.created_by} />
                        {d.status !== 'pending' && d.status !== 'in progress' ? ` · ${duration(d.created_at, d.status_changed_at)}` : ''} · {d.id}
                      </div>
                    </li>
                  ))}
                </ol>
              )
            }
          </Show>
        </div>
        <div className="card">
          <h3>Workloads</h3>
          <Show loaded={deploys.result} what="deployments">
            {(list) => {
              // What runs: the set of the newest deployment that succeeded.
              const current = list.find((d) => d.status === 'succeeded');
              return current ? <Workloads org={org} app={app} setId={current.set_id} deployId={current.id} /> : <Empty>No successful deployment, so no workloads.</Empty>;
            }}
          </Show>
        </div>
      </div>
      {runtime.result.state === 'ok' && Object.keys(runtime.result.data.modules).length > 0 && (
        <div className="card" data-testid="local-runtime">
          <h3>Running locally</h3>
          <table className="list">
            <thead>
              <tr>
                <th>Workload</th>
                <th>Pod</th>
                <th>Status</th>
                <th>Containers</th>
                <th>Published</th>
              </tr>
            </thead>
            <tbody>
              {runtimeRows(runtime.result.data.modules).map((r) => (
                <tr key={r.workload}>
                  <td>{r.workload}</td>
                  <td>{r.pod}</td>
                  <td>{r.status}</td>
                  <td>{r.containers}</td>
                  <td>
                    {r.urls.map((url) => (
                      <a key={url} href={url}>
                        {url}{' '}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="card">
        <h3>Active resources</h3>
        <Show loaded={resources.result} what="active resources">
          {(list) =>
            list.length === 0 ? (
              <Empty>No active resources.</Empty>
            ) : (
              <table className="list">
                <thead>
                  <tr>
                    <th>Type</th>
                    <th>Class</th>
                    <th>Resource id</th>
                    <th>Definition</th>
                    <th>Status</th>
                    <th>Outputs (secrets omitted)</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((r) => (
                    <tr key={r.gu_res_id}>
                      <td>{r.type}</td>
                      <td>{r.class}</td>
                      <td>{r.res_id}</td>
                      <td>{r.def_id}</td>
                      <td>
                        <Status status={r.status} />
                        {r.orphaned && <span className="sub"> orphaned</span>}
                      </td>
                      <td>
                        <Json value={r.resource} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
      </div>
      <div className="card">
        <h3>Values</h3>
        <Show loaded={values.result} what="values">
          {(list) =>
            list.length === 0 ? (
              <Empty>No shared values.</Empty>
            ) : (
              <table className="list">
                <tbody>
                  {list.map((v) => (
                    <tr key={v.key}>
                      <td>{v.key}</td>
                      <td>{v.is_secret ? <span className="masked">•••••• (secret)</span> : v.value}</td>
                      <td className="sub">{v.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
      </div>
    </section>
  );
}

function Workloads({ org, app, setId, deployId }: { org: string; app: string; setId: string; deployId: string }) {
  const { result } = useLoad(() => get<DeploymentSet>(paths.set(org, app, setId)), `set:${org}/${app}/${setId}`);
  return (
    <Show loaded={result} what="the deployment set">
      {(set) => {
        const modules = Object.entries(set.modules ?? {});
        if (modules.length === 0) return <Empty>The current set has no workloads.</Empty>;
        return (
          <>
          <p className="sub">From deployment {deployId}</p>
          <ul className="workloads">
            {modules.map(([name, m]) => (
              <li key={name}>
                <strong>{name}</strong> <span className="sub">{m.profile}</span>
                <ul>
                  {Object.entries(m.spec?.containers ?? {}).map(([c, spec]) => (
                    <li key={c}>
                      {c}: <code>{spec.image ?? '(no image)'}</code>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          </>
        );
      }}
    </Show>
  );
}
