/**
 * Resource graph rendering: Graphviz dot, Mermaid flowchart, or an indented tree. Input is the Humanitec
 * dependency-graph node list (`{guresid, type, class, id, def_id, depends_on}`), or active resources without edges.
 */
export interface GraphNode {
  guresid: string;
  type: string;
  class: string;
  id: string;
  defId?: string | undefined;
  dependsOn: string[];
}

export const GRAPH_FORMATS = ['tree', 'dot', 'mermaid', 'json', 'yaml'] as const;

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** Accepts dependency-graph nodes or active resources; unknown shapes become nodes with what they have. */
export function toGraphNodes(items: readonly unknown[]): GraphNode[] {
  return items
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => ({
      guresid: str(item.guresid, str(item.gu_res_id, `${str(item.type)}.${str(item.class)}.${str(item.id, str(item.res_id))}`)),
      type: str(item.type),
      class: str(item.class, 'default'),
      id: str(item.id, str(item.res_id)),
      defId: typeof item.def_id === 'string' ? item.def_id : undefined,
      dependsOn: Array.isArray(item.depends_on) ? item.depends_on.filter((d): d is string => typeof d === 'string') : [],
    }));
}

function label(node: GraphNode): string {
  const cls = node.class && node.class !== 'default' ? `/${node.class}` : '';
  return `${node.type}${cls} ${node.id}${node.defId ? ` (${node.defId})` : ''}`;
}

function sorted(nodes: readonly GraphNode[]): GraphNode[] {
  return [...nodes].sort((a, b) => (a.id + a.type < b.id + b.type ? -1 : a.id + a.type > b.id + b.type ? 1 : 0));
}

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function toDot(nodes: readonly GraphNode[]): string {
  const lines = ['digraph resources {', '  rankdir=LR;', '  node [shape=box];'];
  for (const node of sorted(nodes)) lines.push(`  ${quote(node.guresid)} [label=${quote(label(node))}];`);
  for (const node of sorted(nodes)) for (const dep of [...node.dependsOn].sort()) lines.push(`  ${quote(node.guresid)} -> ${quote(dep)};`);
  lines.push('}');
  return lines.join('\n');
}

export function toMermaid(nodes: readonly GraphNode[]): string {
  const ids = new Map<string, string>();
  sorted(nodes).forEach((node, index) => ids.set(node.guresid, `n${index}`));
  const idOf = (guresid: string) => {
    if (!ids.has(guresid)) ids.set(guresid, `n${ids.size}`);
    return ids.get(guresid)!;
  };
  const lines = ['flowchart LR'];
  for (const node of sorted(nodes)) lines.push(`  ${idOf(node.guresid)}["${label(node).replace(/"/g, '#quot;')}"]`);
  for (const node of sorted(nodes)) for (const dep of [...node.dependsOn].sort()) lines.push(`  ${idOf(node.guresid)} --> ${idOf(dep)}`);
  return lines.join('\n');
}

/** Roots are nodes nothing depends on (usually workloads); each child is printed under every parent. */
export function toTree(nodes: readonly GraphNode[]): string {
  const byId = new Map(nodes.map((n) => [n.guresid, n]));
  const dependedOn = new Set(nodes.flatMap((n) => n.dependsOn));
  const roots = sorted(nodes.filter((n) => !dependedOn.has(n.guresid)));
  const lines: string[] = [];
  const walk = (node: GraphNode, prefix: string, last: boolean, seen: Set<string>, isRoot: boolean) => {
    lines.push(isRoot ? label(node) : `${prefix}${last ? '└── ' : '├── '}${label(node)}${seen.has(node.guresid) ? ' (cycle)' : ''}`);
    if (seen.has(node.guresid)) return;
    const children = sorted(node.dependsOn.map((d) => byId.get(d)).filter((n): n is GraphNode => n !== undefined));
    const childPrefix = isRoot ? '' : prefix + (last ? '    ' : '│   ');
    children.forEach((child, i) => walk(child, childPrefix, i === children.length - 1, new Set([...seen, node.guresid]), false));
  };
  for (const root of roots.length > 0 ? roots : sorted(nodes)) walk(root, '', true, new Set(), true);
  return lines.length === 0 ? '(no resources)' : lines.join('\n');
}

/**
 * Edges for nodes that came without any (active resources): a workload `modules.<w>` depends on its externals
 * `modules.<w>.externals.<r>`. A stand-in until the server returns the deployment's dependency graph.
 */
export function inferWorkloadEdges(nodes: readonly GraphNode[]): GraphNode[] {
  if (nodes.some((n) => n.dependsOn.length > 0)) return [...nodes];
  return nodes.map((node) => {
    if (node.type !== 'workload' || !/^modules\.[^.]+$/.test(node.id)) return node;
    const prefix = `${node.id}.externals.`;
    return { ...node, dependsOn: nodes.filter((n) => n.id.startsWith(prefix)).map((n) => n.guresid) };
  });
}
