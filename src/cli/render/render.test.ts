import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import { colourDiff, diffLines, unifiedDiff } from './diff.js';
import { chooseFormat, guessColumns, render } from './format.js';
import { inferWorkloadEdges, toDot, toGraphNodes, toMermaid, toTree } from './graph.js';
import { liveDisplay, plainProgress } from './progress.js';

describe('output format', () => {
  it('defaults to a table on a terminal and JSON when piped; refuses unknown formats', () => {
    assert.equal(chooseFormat(undefined, true), 'table');
    assert.equal(chooseFormat(undefined, false), 'json');
    assert.equal(chooseFormat('yaml', true), 'yaml');
    assert.throws(() => chooseFormat('xml', true), UsageError);
  });

  it('tables have headers and rows and no escape codes; json/yaml are the data unchanged', () => {
    const rows = [{ id: 'a', name: 'A', nested: { x: 1 } }, { id: 'b', name: 'B', nested: {} }];
    const table = render(rows, 'table', guessColumns(rows));
    assert.match(table, /ID.*NAME/);
    assert.match(table, /│ b +│ B +│/);
    assert.doesNotMatch(table, /NESTED/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(table, /\u001b\[/);
    assert.deepEqual(JSON.parse(render(rows, 'json')), rows);
    assert.match(render(rows, 'yaml'), /^- id: a\n {2}name: A/);
    assert.equal(render([], 'table', guessColumns([])), 'No resources found.');
  });
});

describe('unified diff', () => {
  it('edit script reproduces both sides', () => {
    const a = ['a', 'b', 'c', 'd'];
    const b = ['a', 'c', 'x', 'd', 'e'];
    const edits = diffLines(a, b);
    assert.deepEqual(edits.filter((e) => e.kind !== '+').map((e) => e.line), a);
    assert.deepEqual(edits.filter((e) => e.kind !== '-').map((e) => e.line), b);
  });

  it('prints headers, hunk ranges and +/- lines; nothing for equal inputs', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n');
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10'].join('\n');
    const text = unifiedDiff(before, after, { from: 'a', to: 'b' }, 2);
    assert.equal(text, ['--- a', '+++ b', '@@ -3,5 +3,5 @@', ' 3', ' 4', '-5', '+five', ' 6', ' 7'].join('\n'));
    assert.equal(unifiedDiff('same\n', 'same\n', { from: 'a', to: 'b' }), '');
  });

  it('colours added lines green and removed red only when asked', () => {
    const text = '--- a\n+++ b\n-old\n+new';
    assert.equal(colourDiff(text, false), text);
    const coloured = colourDiff(text, true);
    // picocolors disables itself without a TTY; either way the lines keep their order and content.
    // eslint-disable-next-line no-control-regex
    assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), text);
  });
});

describe('graph rendering', () => {
  const nodes = toGraphNodes([
    { guresid: 'g-w', type: 'workload', class: 'default', id: 'modules.api', def_id: 'default-workload', depends_on: ['g-db', 'g-dns'] },
    { guresid: 'g-db', type: 'postgres', class: 'default', id: 'modules.api.externals.db', depends_on: [] },
    { guresid: 'g-dns', type: 'dns', class: 'large', id: 'shared.dns', depends_on: [] },
  ]);

  it('dot lists each node once and each dependency as an edge', () => {
    const dot = toDot(nodes);
    assert.match(dot, /^digraph resources \{/);
    assert.equal((dot.match(/\[label=/g) ?? []).length, 3);
    assert.match(dot, /"g-w" -> "g-db";/);
    assert.match(dot, /"g-w" -> "g-dns";/);
    assert.match(dot, /label="dns\/large shared\.dns"/);
  });

  it('mermaid uses short ids and arrows', () => {
    const text = toMermaid(nodes);
    assert.match(text, /^flowchart LR/);
    assert.equal((text.match(/-->/g) ?? []).length, 2);
  });

  it('tree puts the workload at the root and its dependencies under it', () => {
    assert.equal(toTree(nodes), ['workload modules.api (default-workload)', '├── postgres modules.api.externals.db', '└── dns/large shared.dns'].join('\n'));
  });

  it('without edges, a workload is linked to its own externals only', () => {
    const flat = toGraphNodes([
      { guresid: 'w1', type: 'workload', id: 'modules.api' },
      { guresid: 'd1', type: 'postgres', id: 'modules.api.externals.db' },
      { guresid: 'd2', type: 'redis', id: 'modules.web.externals.cache' },
      { guresid: 'w2', type: 'workload', id: 'modules.web' },
    ]);
    const linked = inferWorkloadEdges(flat);
    assert.deepEqual(linked.find((n) => n.guresid === 'w1')?.dependsOn, ['d1']);
    assert.deepEqual(linked.find((n) => n.guresid === 'w2')?.dependsOn, ['d2']);
    assert.deepEqual(inferWorkloadEdges(nodes), nodes);
  });

  it('active resources (no edges) become nodes', () => {
    const fromActive = toGraphNodes([{ gu_res_id: 'x1', type: 'redis', class: 'default', res_id: 'shared.cache', def_id: 'redis-dev' }]);
    assert.deepEqual(fromActive, [{ guresid: 'x1', type: 'redis', class: 'default', id: 'shared.cache', defId: 'redis-dev', dependsOn: [] }]);
  });
});

describe('plain progress (not a terminal)', () => {
  it('one line per event, repeated phases collapsed, final status last', () => {
    const lines: string[] = [];
    const progress = plainProgress((text) => lines.push(text));
    progress.phase('provisioning');
    progress.phase('provisioning');
    progress.step('postgres db', true);
    progress.finish('deployment d1 failed', false);
    assert.deepEqual(lines, ['... provisioning\n', 'ok: postgres db\n', 'FAILED: deployment d1 failed\n']);
  });
});

describe('live display or plain lines', () => {
  it('a terminal gets the live display, unless its TERM is dumb; a pipe never does, whatever TERM says', () => {
    assert.equal(liveDisplay({ isTTY: true }, { TERM: 'xterm-256color' }), true);
    assert.equal(liveDisplay({ isTTY: true }, {}), true, 'TERM unset (a minimal environment) is not dumb');
    assert.equal(liveDisplay({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(liveDisplay({ isTTY: false }, { TERM: 'xterm' }), false);
    assert.equal(liveDisplay({}, { TERM: 'xterm' }), false);
  });
});
