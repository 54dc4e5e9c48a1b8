// Benchmarks for src/resources: definition matching throughput and graph building time.
// Run: node --import tsx bench/resources.bench.ts   (writes the "resources" section of bench/results/resources.json)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildResourceGraph, createMatcher, type ResourceDefinition } from '../src/resources/index.js';

const TYPES = ['postgres', 'mysql', 'redis', 's3', 'dns', 'route', 'config', 'mongodb', 'amqp', 'volume'];
const APPS = Array.from({ length: 50 }, (_, i) => `app-${i}`);
const ENVS = Array.from({ length: 20 }, (_, i) => `env-${i}`);
const ENV_TYPES = ['development', 'staging', 'production'];

/** Small deterministic PRNG so every run measures the same workload. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function makeDefinitions(count: number): ResourceDefinition[] {
  const random = prng(42);
  const definitions: ResourceDefinition[] = [];
  for (let i = 0; i < count; i++) {
    const type = TYPES[i % TYPES.length]!;
    const shape = i % 5;
    const criterion: ResourceDefinition['criteria'][number] = { id: `c${i}`, class: i % 7 === 0 ? 'sensitive' : 'default' };
    if (shape >= 1) criterion.env_type = pick(random, ENV_TYPES);
    if (shape >= 2) criterion.app_id = pick(random, APPS);
    if (shape >= 3) criterion.env_id = pick(random, ENVS);
    if (shape === 4) criterion.res_id = `modules.w${i % 100}.externals.r${i % 4}`;
    definitions.push({
      id: `def-${i}`, name: `def-${i}`, type, driver_type: 'humanitec/echo',
      driver_inputs: { values: {}, secrets: {} }, provision: {}, criteria: [criterion],
    });
  }
  // A catch-all per type, as most installations have, so every resolution finds a winner.
  for (const type of [...TYPES, 'workload', 'base-env', 'k8s-cluster', 'k8s-namespace']) {
    definitions.push({ id: `default-${type}`, name: type, type, driver_type: 'humanitec/echo', driver_inputs: { values: {}, secrets: {} }, provision: {}, criteria: [{ id: `d-${type}`, class: '*' }] });
  }
  return definitions;
}

function benchMatching() {
  const definitions = makeDefinitions(10_000);
  const buildStart = performance.now();
  const matcher = createMatcher(definitions);
  const indexMs = performance.now() - buildStart;
  const random = prng(7);
  const queries = Array.from({ length: 100_000 }, () => ({
    resource: { type: pick(random, TYPES), class: random() < 0.1 ? 'sensitive' : 'default', resId: `modules.w${Math.floor(random() * 100)}.externals.r${Math.floor(random() * 4)}` },
    context: { appId: pick(random, APPS), envId: pick(random, ENVS), envType: pick(random, ENV_TYPES) },
  }));
  let matched = 0;
  for (const q of queries.slice(0, 5_000)) if (matcher.tryMatch(q.resource, q.context)) matched++; // warm-up
  matched = 0;
  const start = performance.now();
  for (const q of queries) if (matcher.tryMatch(q.resource, q.context)) matched++;
  const ms = performance.now() - start;
  if (matched !== queries.length) throw new Error(`only ${matched} of ${queries.length} resolutions found a definition`);
  return { definitions: definitions.length, resolutions: queries.length, index_build_ms: round(indexMs), resolve_ms: round(ms), resolutions_per_second: Math.round(queries.length / (ms / 1000)) };
}

function benchGraph() {
  const definitions = makeDefinitions(10_000);
  const modules: Record<string, { externals: Record<string, { type: string }> }> = {};
  for (let w = 0; w < 500; w++) {
    modules[`w${w}`] = { externals: { db: { type: 'postgres' }, cache: { type: 'redis' }, bucket: { type: 's3' }, cfg: { type: 'config' } } };
  }
  const context = { orgId: 'bench-org', appId: 'app-1', envId: 'env-1', envType: 'development' };
  const matcher = createMatcher(definitions);
  for (let i = 0; i < 3; i++) buildResourceGraph({ set: { modules }, context, definitions: matcher }); // warm-up
  const runs: number[] = [];
  let nodes = 0;
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    nodes = buildResourceGraph({ set: { modules }, context, definitions: matcher }).nodes.length;
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  const withIndexStart = performance.now();
  buildResourceGraph({ set: { modules }, context, definitions });
  const withIndexMs = performance.now() - withIndexStart;
  return { workloads: 500, resources_per_workload: 4, nodes, median_ms: round(runs[5]!), min_ms: round(runs[0]!), max_ms: round(runs[9]!), including_index_build_ms: round(withIndexMs) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const matching = benchMatching();
const graph = benchGraph();
console.log(`matching: ${matching.resolutions_per_second.toLocaleString('en')} resolutions/s against ${matching.definitions} definitions (target ≥ 100,000/s)`);
console.log(`graph:    ${graph.median_ms} ms median for ${graph.workloads} workloads × ${graph.resources_per_workload} resources (${graph.nodes} nodes; target < 200 ms)`);

const resultsUrl = new URL('./results/resources.json', import.meta.url);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
function readExisting(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(resultsUrl, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
const existing = readExisting();
existing.resources = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
  matching: { ...matching, target_per_second: 100_000 },
  graph: { ...graph, target_ms: 200 },
};
writeFileSync(resultsUrl, JSON.stringify(existing, null, 2) + '\n');
