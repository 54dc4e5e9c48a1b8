/**
 * Conformance with the reference tools: their own test tables, translated case by case into
 * test/fixtures/score-conformance (sources, commits and licences in its SOURCES.md), run against Baton.
 * Deliberate differences are applied by name to the reference expectation (and listed in docs/score.md),
 * never skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import {
  applyPropertyOverride,
  convertScoreToDelta,
  deepMerge,
  loadScoreFiles,
  loadYamlFile,
  parsePropertyOverride,
  parseScoreDocuments,
  readBinaryFile,
  validateScore,
} from './index.js';
import type { DeltaRequest, ScoreIssue } from './index.js';
import { parseDotPath } from './overrides.js';
import { createBuiltinRegistry } from '../drivers/registry.js';
import { buildResourceGraph, type GraphSetResource } from '../resources/graph.js';
import { defaultDefinitions } from '../resources/defaults/index.js';

const root = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'score-conformance');

interface WriteCase {
  name: string;
  spec: unknown;
  path?: string[];
  property?: string;
  delete?: boolean;
  value?: unknown;
  expected?: unknown;
  error?: string;
  error_names?: string;
}
const overrides = parse(readFileSync(join(root, 'score-go-overrides.yaml'), 'utf8')) as {
  parse: { input: string; expected: string[] }[];
  write: WriteCase[];
  merge: { name: string; input: unknown; overrides: unknown; expected: unknown }[];
  properties: WriteCase[];
};

for (const row of overrides.parse) {
  test(`score-go TestParseDotPathParts ${JSON.stringify(row.input)}`, () => {
    assert.deepEqual(parseDotPath(row.input), row.expected);
  });
}

const escapeSegment = (segment: string) => segment.replace(/\\/g, '\\\\').replace(/\./g, '\\.');

for (const row of [...overrides.write, ...overrides.properties]) {
  test(`${row.property === undefined ? 'score-go TestWritePathInStruct' : 'property override'}: ${row.name}`, () => {
    const override =
      row.property !== undefined
        ? parsePropertyOverride(row.property)
        : { path: row.path!.map(escapeSegment).join('.'), value: row.delete ? undefined : row.value };
    const before = structuredClone(row.spec);
    if (row.expected === undefined) {
      assert.throws(
        () => applyPropertyOverride(row.spec, override),
        (error: unknown) => error instanceof InvalidInput && error.message.includes(row.error_names ?? ''),
      );
    } else {
      assert.deepEqual(applyPropertyOverride(row.spec, override), row.expected);
    }
    assert.deepEqual(row.spec, before, 'the input is not modified');
  });
}

for (const row of overrides.merge) {
  test(`score-go ${row.name}`, () => {
    const before = structuredClone(row.input);
    assert.deepEqual(deepMerge(row.input, row.overrides), row.expected);
    assert.deepEqual(row.input, before);
  });
}

interface HumanitecCase {
  name: string;
  source: string;
  envId: string;
  deltaName: string;
  extensions?: string;
  workloadSourceUrl?: string;
  differences: string[];
}
const humanitecDir = join(root, 'score-humanitec');
const humanitecCases = parse(readFileSync(join(humanitecDir, 'cases.yaml'), 'utf8')) as HumanitecCase[];

type Module = DeltaRequest['modules']['add'][string];
const containersOf = (module: Module) => module.spec.containers as Record<string, Record<string, unknown>>;

/** Each deliberate difference (docs/score.md) as a change to the reference's expectation and, if needed, to the run. */
const differences: Record<string, { expectation: (delta: DeltaRequest) => void; properties?: string[]; check?: (convert: () => unknown) => void }> = {
  // score-humanitec marks every module `humanitec.io/managed-by: score-humanitec`; Baton is not score-humanitec.
  'no-managed-by-annotation': {
    expectation: (delta) => {
      for (const module of Object.values(delta.modules.add)) {
        const annotations = module.spec.annotations as Record<string, string>;
        delete annotations['humanitec.io/managed-by'];
        if (Object.keys(annotations).length === 0) delete module.spec.annotations;
      }
    },
  },
  // The Go case's container has no image; the Score schema requires one, so the YAML gives `busybox`.
  'image-required': {
    expectation: (delta) => {
      for (const module of Object.values(delta.modules.add)) for (const container of Object.values(containersOf(module))) container.image ??= 'busybox';
    },
  },
  // score-humanitec leaves `${pod.debug.level}` as it is; score-go (and Baton) refuse a placeholder they cannot
  // resolve. The file as is must fail naming the variable; with the variable deleted (`-p path`), the rest matches.
  'unknown-placeholder-refused': {
    properties: ['containers.backend.variables.LOGS_LEVEL'],
    check: (convert) => {
      assert.throws(convert, (error: unknown) => {
        assert.ok(error instanceof InvalidInput);
        const issues = error.details.issues as ScoreIssue[];
        assert.deepEqual(issues.map((issue) => issue.path), ['/containers/backend/variables/LOGS_LEVEL']);
        assert.match(issues[0]!.message, /unknown first element 'pod'/);
        return true;
      });
    },
    expectation: (delta) => {
      for (const module of Object.values(delta.modules.add)) delete (containersOf(module).backend?.variables as Record<string, string> | undefined)?.LOGS_LEVEL;
    },
  },
};

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

for (const row of humanitecCases) {
  test(`score-humanitec ${row.source}`, () => {
    const dir = join(humanitecDir, row.name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as DeltaRequest;
    const options = {
      envId: row.envId,
      deltaName: row.deltaName,
      readFile: readBinaryFile,
      ...(row.extensions ? { extensions: loadYamlFile(join(dir, row.extensions)) } : {}),
      ...(row.workloadSourceUrl ? { workloadSourceUrl: row.workloadSourceUrl } : {}),
    };
    const properties: string[] = [];
    for (const name of row.differences) {
      const difference = differences[name];
      assert.ok(difference, `unknown difference ${name}`);
      difference.check?.(() => convertScoreToDelta(loadScoreFiles([join(dir, 'score.yaml')]), options));
      difference.expectation(expected);
      properties.push(...(difference.properties ?? []));
    }
    const delta = convertScoreToDelta(loadScoreFiles([join(dir, 'score.yaml')]), { ...options, properties });
    // The Go test compares `shared` as a set (ElementsMatch).
    assert.deepEqual({ ...delta, shared: [...delta.shared].sort(byPath) }, { ...expected, shared: [...expected.shared].sort(byPath) });
  });
}

interface ValidateCase {
  name: string;
  files?: unknown;
  variables?: unknown;
  volumes?: unknown;
  resources?: unknown;
  containers?: unknown;
  errors: { go: string; baton?: string }[];
}
const validateTables = parse(readFileSync(join(root, 'score-go-validate.yaml'), 'utf8')) as {
  placeholders: { base: { containers: { hello: Record<string, unknown> } } & Record<string, unknown>; cases: ValidateCase[] };
  before: ValidateCase[];
};

function expectValidation(workload: unknown, row: ValidateCase): void {
  const { errors } = validateScore(parseScoreDocuments(stringify(workload), `${row.name}.yaml`));
  if (row.errors.length === 0) {
    assert.deepEqual(errors, []);
    return;
  }
  const messages = errors.map((issue) => issue.message);
  for (const error of row.errors) {
    const wanted = error.baton ?? error.go;
    assert.ok(messages.some((message) => message.includes(wanted)), `no error containing ${JSON.stringify(wanted)} in ${JSON.stringify(messages)}`);
  }
  assert.ok(errors.every((issue) => issue.line >= 1 && issue.column >= 1));
}

for (const row of validateTables.placeholders.cases) {
  test(`score-go TestValidatePlaceholders: ${row.name}`, () => {
    const workload = structuredClone(validateTables.placeholders.base);
    const hello = workload.containers.hello;
    if (row.files) hello.files = row.files;
    if (row.variables) hello.variables = row.variables;
    if (row.volumes) hello.volumes = row.volumes;
    if (row.resources) workload.resources = row.resources;
    expectValidation(workload, row);
  });
}

for (const row of validateTables.before) {
  test(`score-go TestValidateContainerBefore: ${row.name}`, () => {
    expectValidation({ apiVersion: 'score.dev/v1b1', metadata: { name: 'test' }, containers: row.containers }, row);
  });
}

interface ServicePortCase {
  name: string;
  source: string;
  resource: string;
  scores: string[];
  outputs?: Record<string, unknown>;
  reference_error?: string;
  baton_error?: string;
  differences?: string[];
}
const servicePortCases = (parse(readFileSync(join(root, 'score-compose-service-port.yaml'), 'utf8')) as { cases: ServicePortCase[] }).cases;

/** Baton's service-port outputs beyond score-compose's `hostname` and `port` (docs/score.md, "The service-port resource"). */
const servicePortDifferences: Record<string, (outputs: Record<string, unknown>, row: ServicePortCase, scores: ScoreWorkloadLike[]) => void> = {
  'service-port-extra-outputs': (outputs, row, scores) => {
    const [workload, resource] = row.resource.split('.') as [string, string];
    const params = scores.find((s) => s.metadata.name === workload)!.resources![resource]!.params as { workload: string; port: string };
    const target = scores.find((s) => s.metadata.name === params.workload)!;
    const [name, port] = Object.entries(target.service!.ports).find(([portName, entry]) => portName === params.port || String(entry.port) === params.port)!;
    Object.assign(outputs, { name, service_port: port.port, protocol: 'TCP' });
  },
};
interface ScoreWorkloadLike {
  metadata: { name: string };
  resources?: Record<string, { params?: unknown }>;
  service?: { ports: Record<string, { port: number }> };
}

for (const row of servicePortCases) {
  test(`score-compose service-port: ${row.name}`, async () => {
    const documents = row.scores.flatMap((text, index) => parseScoreDocuments(text, `score-${index}.yaml`));
    const context = { orgId: 'local', appId: 'conformance', envId: 'development', envType: 'development' };
    // Baton refuses a port of a workload converted alongside already at conversion; otherwise the graph does.
    const build = () => {
      const delta = convertScoreToDelta(documents, {});
      const modules = Object.fromEntries(Object.entries(delta.modules.add).map(([name, module]) => [name, { spec: module.spec, externals: module.externals as Record<string, GraphSetResource> }]));
      return buildResourceGraph({ set: { modules }, context, definitions: defaultDefinitions() });
    };
    if (row.reference_error !== undefined) {
      assert.throws(build, (error: unknown) => error instanceof InvalidInput && error.message.includes(row.baton_error!), `${row.reference_error}: ${row.baton_error}`);
      return;
    }
    const [workload, resource] = row.resource.split('.') as [string, string];
    const node = build().nodes.find((n) => n.resId === `modules.${workload}.externals.${resource}`)!;
    const definition = defaultDefinitions().find((d) => d.id === node.definition.id)!;
    const result = await createBuiltinRegistry({ terraformStateDir: '/nonexistent' })
      .get(definition.driver_type)
      .provision({ guresid: node.guresid, type: node.type, class: node.class, resId: node.resId, resource: node.params, driver: { values: definition.driver_inputs.values, secrets: {} }, context, signal: new AbortController().signal, log: () => undefined });
    const expected = { ...row.outputs };
    for (const name of row.differences ?? []) {
      const apply = servicePortDifferences[name];
      assert.ok(apply, `unknown difference ${name}`);
      apply(expected, row, row.scores.map((text) => parse(text) as ScoreWorkloadLike));
    }
    assert.deepEqual(result.values, expected);
  });
}
