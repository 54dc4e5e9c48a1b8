import assert from 'node:assert/strict';
import { it } from 'node:test';
import { graphShape, layeredLayout } from './graph-layout.js';

const nodes = [
  { guresid: 'w', id: 'modules.api', type: 'workload', class: 'default', depends_on: ['db', 'dns', 'gone'] },
  { guresid: 'db', id: 'modules.api.externals.db', type: 'postgres', class: 'large', depends_on: [] },
  { guresid: 'dns', id: 'shared.dns', type: 'dns', class: 'default', depends_on: [] },
];

it('has one node per resource and an edge per known dependency', () => {
  const shape = graphShape(nodes);
  assert.deepEqual(shape.nodes.map((n) => [n.id, n.sub]), [['w', 'workload'], ['db', 'postgres.large'], ['dns', 'dns']]);
  assert.deepEqual(shape.edges.map((e) => e.id), ['w->db', 'w->dns']);
});

it('lays dependents out in a layer above their dependencies', async () => {
  const positions = await layeredLayout(graphShape(nodes));
  assert.equal(positions.size, 3);
  assert.ok(positions.get('w')!.y < positions.get('db')!.y);
  assert.equal(positions.get('db')!.y, positions.get('dns')!.y);
  assert.notEqual(positions.get('db')!.x, positions.get('dns')!.x);
});
