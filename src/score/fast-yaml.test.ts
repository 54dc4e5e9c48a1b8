import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { parseScoreDocuments, parseScoreDocumentsWithYaml } from './document.js';
import type { ScoreDocument } from './document.js';
import { fastLoadDocuments } from './fast-yaml.js';
import type { JsonPath } from './types.js';

/** Every path to every value of a plain JSON-like value (for comparing locations). */
function allPaths(value: unknown, path: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, index) => allPaths(item, [...path, index], out));
  else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) allPaths(inner, [...path, key], out);
  return out;
}

/** The fast path must give exactly what the `yaml` path gives: values, indexes, errors and every position. */
function assertSameAsYaml(text: string, expectFastPath?: boolean): void {
  const fast = parseScoreDocuments(text, 'f.yaml');
  const reference = parseScoreDocumentsWithYaml(text, 'f.yaml');
  if (expectFastPath !== undefined) assert.equal(fastLoadDocuments(text) !== undefined, expectFastPath, `fast path use for:\n${text}`);
  const shape = (documents: ScoreDocument[]) => documents.map(({ file, documentIndex, value, syntaxErrors }) => ({ file, documentIndex, value, syntaxErrors }));
  assert.deepEqual(shape(fast), shape(reference), `different documents for:\n${JSON.stringify(text)}`);
  fast.forEach((document, index) => {
    for (const path of allPaths(document.value)) {
      for (const atKey of [false, true]) {
        assert.deepEqual(document.locate(path, atKey), reference[index]!.locate(path, atKey), `position of ${path.join('/')} in:\n${text}`);
      }
    }
  });
}

const examples = join(import.meta.dirname, 'fixtures', 'examples');

test('every example Score file reads the same through the fast path and the yaml path, positions included', () => {
  let fastPathFiles = 0;
  for (const dir of readdirSync(examples).filter((name) => /^\d\d-/.test(name))) {
    for (const file of readdirSync(join(examples, dir)).filter((name) => name.endsWith('.yaml'))) {
      const text = readFileSync(join(examples, dir, file), 'utf8');
      assertSameAsYaml(text);
      if (fastLoadDocuments(text)) fastPathFiles++;
    }
  }
  assert.ok(fastPathFiles >= 10, `only ${fastPathFiles} example files took the fast path`);
});

test('scalars resolve exactly as in the YAML 1.2 core schema of the yaml package', () => {
  const scalars = [
    '0o17', '0o8', '0x1F', '0xg', '-0x1F', '+0o7', '0b101', '012', '+12', '-12', '-0', '1_000', '99999999999999999999',
    '.5', '-.5', '+.5', '1.', '1.50', '1e3', '1E-3', '.5e2', '1e400', '-1e400', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'nan',
    '~', 'null', 'Null', 'NULL', 'nULL', '', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
    '2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30:00', '1:20', '0.1.2', '"123"', "'true'", '"a\\tb\\u00e9"', "'it''s'",
  ];
  for (const scalar of scalars) {
    const text = `a: ${scalar}\nb:\n  - ${scalar}\nc: [${scalar || '""'}]\n`;
    const expected = parseAllDocuments(text)[0]!.toJS() as unknown;
    assert.deepEqual(fastLoadDocuments(text)?.[0], expected, `for ${scalar}`);
  }
});

test('constructs the two parsers may read differently go to the yaml parser', () => {
  const risky = [
    'a:\n\tb: 1\n', // tab indentation
    '%YAML 1.2\n---\na: 1\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    '? a\n: 1\n',
    '~: 1\n',
    ': 1\n',
    '[a, b]: 1\n',
    'a: [1,\n  2]\n',
    'a: "x"#c\n',
    '__proto__: {a: 1}\n',
    'a: 1\n...\n',
    '--- a: 1\n',
    'a: 1\n---\n', // trailing empty document
    '--- null\n',
    '- a\n', // not a map
    '',
    `a: ${'x'.repeat(1200)}\n`,
  ];
  for (const text of risky) assertSameAsYaml(text, false);
});

test('invalid YAML is reported by the yaml parser with its messages and positions', () => {
  for (const text of ['a: 1\na: 2\n', 'a: b: c\n', 'a:\n  b: 1\n c: 2\n', 'a: "unterminated\n', 'a: [1, 2\n', 'containers:\n  - {\n']) {
    const documents = parseScoreDocuments(text, 'bad.yaml');
    assert.ok(documents.some((document) => document.syntaxErrors.length > 0), `expected a syntax error for:\n${text}`);
    assertSameAsYaml(text, false);
  }
});

test('positions of the fast path point at the right line and column', () => {
  const text = 'apiVersion: score.dev/v1b1\nmetadata:\n  name: hello\ncontainers:\n  main:\n    image: nginx\n';
  const [document] = parseScoreDocuments(text, 'hello.yaml');
  assert.ok(fastLoadDocuments(text));
  assert.deepEqual(document!.locate(['containers', 'main', 'image']), { line: 6, column: 12 });
  assert.deepEqual(document!.locate(['containers', 'main'], true), { line: 5, column: 3 });
  assert.deepEqual(document!.locate(['containers', 'missing', 'x']), { line: 5, column: 3 });
});

test('several documents keep their indexes and positions on the fast path', () => {
  const text = '# two workloads\n---\nmetadata:\n  name: a\n---\nmetadata:\n  name: b\n  x: [1, 2]\n';
  assertSameAsYaml(text, true);
  const documents = parseScoreDocuments(text, 'two.yaml');
  assert.deepEqual(documents.map((document) => document.documentIndex), [0, 1]);
  assert.deepEqual(documents[1]!.locate(['metadata', 'x', 1]), { line: 8, column: 10 });
});

// Fragments of Score-like YAML, including the corners where parsers tend to differ; the texts generated
// from them are often invalid YAML, which must then never be accepted by the fast path.
// Mostly plain fragments (which should take the fast path) with some corners mixed in.
const keyArbitrary = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'name', 'b-c', 'x.y/z', '1', '0x1', 'true', 'é', 'a b', '-x'), weight: 8 },
  { arbitrary: fc.constantFrom('"q k"', "'s k'", 'null', '~', '', 'k#', '? k', '[k]', '&a k', 'k\t'), weight: 1 },
);
const scalarArbitrary = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'v', 'hello world', '8080', '0o17', '0x1F', '-0x1F', '-.5', '1e3', '1e400', '.inf', 'true', 'False', 'yes', 'null', '~', '',
      '2001-12-14', '"dq \\" \\n x"', "'sq '' x'", 'a #c', 'a#b', '${metadata.name}', '$${x}', '[1, 2]', '{a: 1, b: [x]}', '{}', '[]',
      '|\n  line1\n  line2\n', '>-\n  folded\n  text\n\n  more\n', '|+\n  keep\n\n', '|2\n    indented\n', 'multi\n  line plain',
      '"multi\n  line quoted"', "'multi\n\n  line single'", '"a\\\n  b"',
    ),
    weight: 8,
  },
  {
    arbitrary: fc.constantFrom(
      'x: y', '- x', '"unterminated', '[a,\n  b]', '&a v', '*a', '!!str 5', '@x', '`x', '%x', '? x', 'a\tb', '\t', '--- x', '...', 'a: b: c',
      '|\n line\n  more', '"x"#c', '{a: 1, a: 2}',
    ),
    weight: 1,
  },
);

type Tree = { key: string; scalar?: string; children?: Tree[]; list?: boolean };
const treeArbitrary: fc.Arbitrary<Tree[]> = fc.letrec<{ nodes: Tree[] }>((tie) => ({
  nodes: fc.array(
    fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ key: keyArbitrary, scalar: scalarArbitrary }),
      fc.record({ key: keyArbitrary, children: tie('nodes'), list: fc.boolean() }),
    ),
    { minLength: 1, maxLength: 4 },
  ),
})).nodes;

function render(nodes: Tree[], indent: number, indentStep: number): string {
  const pad = ' '.repeat(indent);
  return nodes
    .map((node) => {
      if (node.scalar !== undefined) return `${pad}${node.key}: ${node.scalar.replace(/\n/g, `\n${pad}`)}\n`;
      const children = node.children ?? [];
      if (node.list) return `${pad}${node.key}:\n` + children.map((child) => `${pad}- ${render([child], indent + 2, indentStep).trimStart()}`).join('');
      return `${pad}${node.key}:\n${render(children, indent + indentStep, indentStep)}`;
    })
    .join('');
}

test('on generated YAML the fast path either agrees with the yaml parser or steps aside', () => {
  let runs = 0;
  let fastRuns = 0;
  fc.assert(
    fc.property(
      fc.array(treeArbitrary, { minLength: 1, maxLength: 3 }),
      fc.constantFrom(1, 2, 4),
      fc.boolean(),
      fc.boolean(),
      (documents, indentStep, crlf, leadingMarker) => {
        let text = documents.map((nodes) => render(nodes, 0, indentStep)).join('---\n');
        if (leadingMarker) text = `---\n${text}`;
        if (crlf) text = text.replace(/\n/g, '\r\n');
        runs++;
        if (fastLoadDocuments(text)) fastRuns++;
        assertSameAsYaml(text);
      },
    ),
    { numRuns: 1500 },
  );
  // The property says little unless a fair share of the texts really takes the fast path.
  assert.ok(fastRuns >= runs / 20, `only ${fastRuns} of ${runs} generated texts took the fast path`);
});

test('issues of a fast-parsed file carry their positions when read and when serialised', async () => {
  const { validateScore } = await import('./validate.js');
  const text = [
    'apiVersion: score.dev/v1b1',
    'metadata:',
    '  name: legacy',
    'containers:',
    '  main:',
    '    image: nginx',
    '    files:',
    '      - target: /etc/a.conf',
    '        content: x',
    '    variables:',
    '      PORT: 80',
  ].join('\n');
  assert.ok(fastLoadDocuments(text));
  const { warnings, errors } = validateScore(parseScoreDocuments(text, 'legacy.yaml'));
  assert.deepEqual(
    warnings.map(({ path, line, column }) => ({ path, line, column })),
    [{ path: '/containers/main/files', line: 8, column: 7 }],
  );
  const [serialised] = JSON.parse(JSON.stringify(errors)) as { path: string; line: number; column: number }[];
  assert.deepEqual([serialised?.path, serialised?.line, serialised?.column], ['/containers/main/variables/PORT', 11, 13]);
});
