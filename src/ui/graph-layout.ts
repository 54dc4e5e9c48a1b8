/**
 * The resource graph's shape, from the dependency graph's nodes (pure, tested in graph-layout.test.ts): one node per
 * resource, an edge from each resource to what it depends on, and a layered layout by elkjs.
 */
import ELK from 'elkjs/lib/elk.bundled.js';

export interface ShapeNode {
  id: string;
  label: string;
  sub: string;
}
export interface ShapeEdge {
  id: string;
  source: string;
  target: string;
}

export function graphShape(nodes: readonly { guresid: string; id: string; type: string; class: string; depends_on: readonly string[] }[]): { nodes: ShapeNode[]; edges: ShapeEdge[] } {
  const known = new Set(nodes.map((n) => n.guresid));
  return {
    nodes: nodes.map((n) => ({ id: n.guresid, label: n.id, sub: n.class && n.class !== 'default' ? `${n.type}.${n.class}` : n.type })),
    edges: nodes.flatMap((n) => n.depends_on.filter((d) => known.has(d)).map((d) => ({ id: `${n.guresid}->${d}`, source: n.guresid, target: d }))),
  };
}

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 56;

/** Positions (top-left) by elkjs's layered algorithm, dependents above what they depend on. */
export async function layeredLayout(shape: { nodes: ShapeNode[]; edges: ShapeEdge[] }): Promise<Map<string, { x: number; y: number }>> {
  const elk = new ELK();
  const laid = await elk.layout({
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.spacing.nodeNode': '40', 'elk.layered.spacing.nodeNodeBetweenLayers': '60', 'elk.separateConnectedComponents': 'false' },
    children: shape.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: shape.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  return new Map((laid.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
