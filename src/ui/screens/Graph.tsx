import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, ReactFlow } from '@xyflow/react';
import type { Edge, Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { get, paths } from '../api';
import type { ActiveResource, Deployment, DeploymentError, Graph, GraphNode } from '../api';
import { Empty, Json, Link, Show, navigate, useLoad } from '../components';
import { statusTone } from '../format';
import { graphShape, layeredLayout, NODE_HEIGHT, NODE_WIDTH } from '../graph-layout';
import type { EnvRef } from '../routes';

interface GraphData {
  deploy: Deployment;
  /** Resource ids (`modules.api.externals.db`) the deployment failed on. */
  failed: Set<string>;
  graph: Graph;
  resources: Map<string, ActiveResource>;
  positions: Map<string, { x: number; y: number }>;
}

/** The resource graph of the environment's latest deployment that matched one, coloured by each resource's status. */
export function GraphScreen({ envRef, node }: { envRef: EnvRef; node: string | undefined }) {
  const { org, app, env } = envRef;
  const { result } = useLoad(async (): Promise<GraphData | null> => {
    const deploys = await get<Deployment[]>(paths.deploys(org, app, env));
    const deploy = deploys.find((d) => d.dependency_graph_id);
    if (!deploy?.dependency_graph_id) return null;
    const [graph, active, errors] = await Promise.all([
      get<Graph>(paths.graph(org, app, env, deploy.dependency_graph_id)),
      get<ActiveResource[]>(paths.resources(org, app, env)),
      deploy.status === 'failed' ? get<DeploymentError[]>(`${paths.deploy(org, app, env, deploy.id)}/errors`) : Promise.resolve([]),
    ]);
    const positions = await layeredLayout(graphShape(graph.nodes));
    const failed = new Set(errors.filter((e) => e.scope === 'resource').map((e) => e.object_id));
    return { deploy, failed, graph, resources: new Map(active.map((r) => [r.gu_res_id, r])), positions };
  }, `graph:${org}/${app}/${env}`);
  return (
    <section>
      <nav className="crumbs">
        <Link to={{ name: 'grid', org }}>Applications</Link> / {app} / <Link to={{ name: 'env', ...envRef }}>{env}</Link> / <strong>resource graph</strong>
      </nav>
      <Show loaded={result} what="the resource graph">
        {(data) => (data === null ? <Empty>No deployment of this environment has matched its resources yet.</Empty> : <GraphView envRef={envRef} data={data} selected={node} />)}
      </Show>
    </section>
  );
}

function GraphView({ envRef, data, selected }: { envRef: EnvRef; data: GraphData; selected: string | undefined }) {
  const shape = useMemo(() => graphShape(data.graph.nodes), [data]);
  const statusOf = (guresid: string, resId: string): string => (data.failed.has(resId) ? 'failed' : (data.resources.get(guresid)?.status ?? 'not provisioned'));
  const nodes: Node[] = shape.nodes.map((n) => {
    const status = statusOf(n.id, n.label);
    return {
      id: n.id,
      position: data.positions.get(n.id) ?? { x: 0, y: 0 },
      data: {
        label: (
          <div className="node-label" data-testid={`node-${n.label}`}>
            <strong>{n.label}</strong>
            <span>
              {n.sub} · {status}
            </span>
          </div>
        ),
      },
      className: `rnode rnode-${statusTone(status)}${selected === n.id ? ' rnode-selected' : ''}`,
      style: { width: NODE_WIDTH, height: NODE_HEIGHT },
      connectable: false,
      draggable: false,
    };
  });
  const edges: Edge[] = shape.edges.map((e) => ({ id: e.id, source: e.source, target: e.target }));
  const node = data.graph.nodes.find((n) => n.guresid === selected);
  return (
    <div className="graph-layout">
      <div className="graph-canvas" aria-label="resource graph">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          nodesConnectable={false}
          nodesDraggable={false}
          proOptions={{ hideAttribution: true }}
          onNodeClick={(_event, n) => navigate({ name: 'graph', ...envRef, node: n.id }, true)}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <aside className="card graph-details" aria-label="resource details">
        <p className="sub">
          Graph of deployment <Link to={{ name: 'deploy', ...envRef, deploy: data.deploy.id }}>{data.deploy.id}</Link>
        </p>
        {node ? <NodeDetails envRef={envRef} node={node} status={statusOf(node.guresid, node.id)} active={data.resources.get(node.guresid)} /> : <Empty>Click a resource for its definition, driver and outputs.</Empty>}
      </aside>
    </div>
  );
}

interface Definition {
  id: string;
  name: string;
  driver_type: string;
  criteria?: { id: string; app_id?: string; env_id?: string; env_type?: string; class?: string; res_id?: string }[];
}

function NodeDetails({ envRef, node, status, active }: { envRef: EnvRef; node: GraphNode; status: string; active: ActiveResource | undefined }) {
  const { org } = envRef;
  const [def, setDef] = useState<Definition | null>(null);
  useEffect(() => {
    let live = true;
    setDef(null);
    get<Definition>(`/orgs/${encodeURIComponent(org)}/resources/defs/${encodeURIComponent(node.def_id)}`).then(
      (d) => live && setDef(d),
      () => undefined, // defaults (is_default) and deleted definitions: the node itself says enough
    );
    return () => {
      live = false;
    };
  }, [org, node.def_id]);
  const criterion = def?.criteria?.find((c) => c.id === node.criteria_id);
  return (
    <div data-testid="node-details">
      <h3>{node.id}</h3>
      <dl className="facts">
        <dt>Type</dt>
        <dd>
          {node.type}
          {node.class ? `.${node.class}` : ''}
        </dd>
        <dt>Status</dt>
        <dd>{status}</dd>
        <dt>Definition</dt>
        <dd>{node.def_id}</dd>
        <dt>Driver</dt>
        <dd>{node.driver_type}</dd>
        <dt>Matched by</dt>
        <dd>{node.criteria_id ? `criteria ${node.criteria_id}${criterion ? `: ${JSON.stringify({ ...criterion, id: undefined })}` : ''}` : 'no criteria (default definition)'}</dd>
      </dl>
      <p>
        <Link to={{ name: 'defs', org, question: { app: envRef.app, env: envRef.env, type: node.type, class: node.class, res_id: node.id } }}>Why this definition? Every candidate, explained</Link>
      </p>
      <h4>Outputs (secrets omitted)</h4>
      <Json value={active?.resource ?? node.resource} />
    </div>
  );
}
