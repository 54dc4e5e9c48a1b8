import { useState } from 'react';
import { get, paths } from '../api';
import type { ActiveResource, AutomationRule, Deployment, DeploymentSet, Environment, RuntimeInfo, Value } from '../api';
import { DataTable, Empty, Json, Link, ReadOnlyNote, Show, Status, Who, useLoad, useMay } from '../components';
import type { Column } from '../components';
import { age, duration, runtimeRows } from '../format';
import type { RuntimeRow } from '../format';
import type { EnvRef } from '../routes';
import { DeployDeltaDialog } from './DeployDialog';
import { NewEnvironmentDialog } from './NewEnvironment';

export const DEPLOY_NEEDS = "Deploying and creating environments need the app role developer or owner with deployer on the environment's type";

const RESOURCE_COLUMNS: Column<ActiveResource>[] = [
  { header: 'Type', cell: (r) => r.type },
  { header: 'Class', cell: (r) => r.class },
  { header: 'Resource id', cell: (r) => r.res_id },
  { header: 'Definition', cell: (r) => r.def_id },
  {
    header: 'Status',
    cell: (r) => (
      <>
        <Status status={r.status} />
        {r.orphaned && <span className="sub"> orphaned</span>}
      </>
    ),
  },
  { header: 'Outputs (secrets omitted)', cell: (r) => <Json value={r.resource} /> },
];

const RUNTIME_COLUMNS: Column<RuntimeRow>[] = [
  { header: 'Workload', cell: (r) => r.workload },
  { header: 'Pod', cell: (r) => r.pod },
  { header: 'Status', cell: (r) => r.status },
  { header: 'Containers', cell: (r) => r.containers },
  {
    header: 'Published',
    cell: (r) =>
      r.urls.map((url) => (
        <a key={url} href={url}>
          {url}{' '}
        </a>
      )),
  },
];

const VALUE_COLUMNS: Column<Value>[] = [
  { header: 'Key', cell: (v) => <code>{v.key}</code> },
  { header: 'Value', cell: (v) => (v.is_secret ? <span className="masked">•••••• (secret)</span> : v.value) },
  { header: 'Description', cell: (v) => <span className="sub">{v.description}</span> },
];

const filterText = (list: string[], exclude: boolean): string => (list.length === 0 ? 'any' : `${exclude ? 'all but ' : ''}${list.join(', ')}`);
const RULE_COLUMNS: Column<AutomationRule>[] = [
  { header: 'Rule', cell: (r) => <code title={r.id}>{r.id.slice(0, 12)}</code> },
  { header: 'Active', cell: (r) => <Status status={r.active ? 'active' : 'inactive'} /> },
  { header: 'On', cell: (r) => (r.type === 'update' ? 'new artefact version' : r.type) },
  { header: 'Ref matches', cell: (r) => (r.match_ref ? <code>{r.match_ref}</code> : <span className="sub">any ref</span>) },
  { header: 'Artefacts', cell: (r) => filterText(r.artefacts_filter, r.exclude_artefacts_filter) },
  { header: 'Images', cell: (r) => filterText(r.images_filter, r.exclude_images_filter) },
  { header: 'Updated', cell: (r) => <span title={r.updated_at}>{age(r.updated_at)}</span> },
];

/** An environment: its deployments, the current set's workloads, active resources, values (secrets masked) and automation rules. */
export function EnvironmentScreen({ envRef }: { envRef: EnvRef }) {
  const { org, app, env } = envRef;
  const key = `${org}/${app}/${env}`;
  const envLoad = useLoad(() => get<Environment>(paths.env(org, app, env)), `env:${key}`);
  const deploys = useLoad(() => get<Deployment[]>(paths.deploys(org, app, env)), `deploys:${key}`);
  const resources = useLoad(() => get<ActiveResource[]>(paths.resources(org, app, env)), `resources:${key}`);
  const values = useLoad(() => get<Value[]>(paths.values(org, app, env)), `values:${key}`);
  const runtime = useLoad(() => get<RuntimeInfo>(paths.runtime(org, app, env)), `runtime:${key}`);
  const rules = useLoad(() => get<AutomationRule[]>(paths.rules(org, app, env)), `rules:${key}`);
  // Creating an environment needs deployer on its type; the dialog defaults to a clone of this one, of the same type.
  const mayDeploy = useMay('env.deploy', envRef);
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
            {mayDeploy && (
              <>
                <button type="button" onClick={() => setDeploying(true)}>
                  Deploy a delta…
                </button>
                <button type="button" onClick={() => setCreating(true)}>
                  New environment…
                </button>
              </>
            )}
            <ReadOnlyNote permission="env.deploy" object={envRef} why={DEPLOY_NEEDS} />
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
          <DataTable rows={runtimeRows(runtime.result.data.modules)} columns={RUNTIME_COLUMNS} rowKey={(r) => r.workload} empty="No workloads running." />
        </div>
      )}
      <div className="card">
        <h3>Active resources</h3>
        <Show loaded={resources.result} what="active resources">
          {(list) => <DataTable rows={list} columns={RESOURCE_COLUMNS} rowKey={(r) => r.gu_res_id} empty="No active resources." />}
        </Show>
      </div>
      <div className="card">
        <h3>Values</h3>
        <Show loaded={values.result} what="values">
          {(list) => <DataTable rows={list} columns={VALUE_COLUMNS} rowKey={(v) => v.key} empty="No shared values." />}
        </Show>
      </div>
      <div className="card">
        <h3>Automation rules</h3>
        <Show loaded={rules.result} what="automation rules">
          {(list) => <DataTable rows={list} columns={RULE_COLUMNS} rowKey={(r) => r.id} empty="No automation rules: new artefact versions are not deployed here automatically." testId="automation-rules" />}
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
