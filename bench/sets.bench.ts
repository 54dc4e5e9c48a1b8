/**
 * Deployment-set benchmark: diff and apply of two 500-workload sets (target: diff + apply < 50 ms).
 * Run: node --import tsx bench/sets.bench.ts   (writes bench/results/sets.json, rendered into BENCHMARKS.md by bench/run.ts)
 */
import { writeBenchResult } from './report.js';
import { applyDelta, diffSets, mergeDeltas, parseDelta, parseSet, setId, type DeploymentSet } from '../src/sets/index.js';

const WORKLOADS = 500;
const ITERATIONS = 30;

function workload(i: number, version: number): Record<string, unknown> {
  const variables: Record<string, string> = {};
  for (let v = 0; v < 10; v++) variables[`VAR_${v}`] = `value-${i}-${v}`;
  variables.DB_URL = 'postgresql://${externals.db.username}:${externals.db.password}@${externals.db.host}/${externals.db.name}';
  return {
    profile: 'humanitec/default-module',
    spec: {
      containers: {
        main: {
          id: 'main',
          image: `registry.example.com/team/svc-${i}:1.${version}.0`,
          variables,
          args: ['--port', '8080', '--verbose'],
          resources: { limits: { cpu: '250m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          readiness_probe: { type: 'http', path: '/healthz', port: 8080 },
        },
        sidecar: { id: 'sidecar', image: 'envoyproxy/envoy:v1.30', variables: { LOG_LEVEL: 'info' } },
      },
      service: { ports: { www: { protocol: 'TCP', service_port: 80, container_port: 8080 } } },
      labels: { team: `team-${i % 7}` },
    },
    externals: { db: { type: 'postgres', class: 'default' }, cache: { type: 'redis', params: { size: 'S' } } },
  };
}

function buildSets(): { a: DeploymentSet; b: DeploymentSet } {
  const modulesA: Record<string, unknown> = {};
  const modulesB: Record<string, unknown> = {};
  for (let i = 0; i < WORKLOADS; i++) {
    modulesA[`svc-${i}`] = workload(i, 0);
    // B: 10% new images, 5% removed, 5% new workloads, the rest unchanged.
    if (i % 20 === 0) continue;
    modulesB[`svc-${i}`] = workload(i, i % 10 === 1 ? 1 : 0);
  }
  for (let i = WORKLOADS; i < WORKLOADS + WORKLOADS / 20; i++) modulesB[`svc-${i}`] = workload(i, 0);
  const shared = { dns: { type: 'dns' }, queue: { type: 'amqp' } };
  return {
    a: parseSet({ version: 0, modules: modulesA, shared }),
    b: parseSet({ version: 0, modules: modulesB, shared: { ...shared, dns: { type: 'dns', class: 'internal' } } }),
  };
}

function measure(fn: () => void): { medianMs: number; minMs: number; maxMs: number } {
  for (let i = 0; i < 5; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((x, y) => x - y);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { medianMs: round(samples[Math.floor(samples.length / 2)]!), minMs: round(samples[0]!), maxMs: round(samples.at(-1)!) };
}

const { a, b } = buildSets();
const delta = diffSets(a, b);
if (setId(applyDelta(a, delta)) !== setId(b)) throw new Error('benchmark sanity check failed: apply(diff) != b');
const wire = JSON.stringify(delta);

const figures = {
  workloads: WORKLOADS,
  iterations: ITERATIONS,
  deltaSummary: {
    added: Object.keys(delta.modules.add).length,
    removed: delta.modules.remove.length,
    updated: Object.keys(delta.modules.update).length,
    sharedOps: delta.shared.length,
  },
  diffPlusApply: measure(() => applyDelta(a, diffSets(a, b))),
  diff: measure(() => diffSets(a, b)),
  apply: measure(() => applyDelta(a, delta)),
  applyFromEmpty: measure(() => applyDelta({ version: 0, modules: {}, shared: {} }, diffSets({ version: 0, modules: {}, shared: {} }, b))),
  setId: measure(() => setId(b)),
  parseDeltaFromJson: measure(() => parseDelta(JSON.parse(wire))),
  merge5Diffs: measure(() => mergeDeltas(delta, [delta, delta, delta, delta].map((d) => diffSets(b, applyDelta(b, d))))),
};
const targetMs = 50;
const timed = Object.entries(figures).filter(
  (entry): entry is [string, ReturnType<typeof measure>] => typeof entry[1] === 'object' && 'medianMs' in entry[1],
);
console.log(`sets benchmark (${WORKLOADS} workloads, median of ${ITERATIONS} runs after 5 warm-ups)`);
writeBenchResult(
  'sets',
  timed.map(([label, value]) => ({
    label: `${label} (median)`,
    value: value.medianMs,
    unit: 'ms',
    ...(label === 'diffPlusApply' ? { target: `< ${targetMs} ms`, met: value.medianMs < targetMs } : {}),
  })),
  `Two ${WORKLOADS}-workload sets (2 containers each); the delta between them: ${JSON.stringify(figures.deltaSummary)}. ` +
    'diffPlusApply = diffSets(a, b) then applyDelta(a, delta); applyFromEmpty = diff from and apply to the empty set (500 adds); ' +
    'merge5Diffs = five derived diffs merged. Spread (min..max ms): ' +
    timed.map(([label, value]) => `${label} ${value.minMs}..${value.maxMs}`).join(', ') +
    '.',
);
