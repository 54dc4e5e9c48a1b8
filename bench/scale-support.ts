/**
 * Shared by the scale benchmarks (api, deploy-scale, growth, replicas, data-volume): the `--quick` switch, medians,
 * the fitted growth exponent, a Baton in this process over a fresh SQLite or PostgreSQL database, and where results go.
 *
 * `--quick` (passed on by bench/run.ts) shrinks every size and duration so the harness can be checked in seconds on
 * a loaded machine; its figures go to bench/results-quick/ (git-ignored) and never into BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Baton, BatonOverrides } from '../src/baton/create-baton.js';
import { createBaton } from '../src/baton/create-baton.js';
import { loadConfig } from '../src/config/index.js';
import type { DialectName } from '../src/store/index.js';
import { createTestDatabase } from '../src/store/testing.js';
import type { TestDatabase } from '../src/store/testing.js';

export const QUICK = process.argv.includes('--quick') || process.env.BATON_BENCH_QUICK === '1';
/** When this benchmark started and the machine's load then (the notes say both: the machine may be shared). */
const STARTED = performance.now();
const LOAD_AT_START = loadavg();
/** Every figure is the median of this many runs (the issue asks for at least 5; BATON_BENCH_RUNS for profiling). */
export const RUNS = QUICK ? 1 : Number(process.env.BATON_BENCH_RUNS ?? 5);

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Least-squares slope of log(y) over log(x): 1 is linear growth, 2 quadratic. */
export function fitExponent(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return num / den;
}

export interface BenchBaton {
  baton: Baton;
  database: TestDatabase;
  url: string;
  token: string;
  /** JSON call through the real socket; throws on a status ≥ 300. */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** JSON calls to a Baton at `url` through the real socket; throws on a status ≥ 300. */
export function jsonCaller(url: string, token: string): Pick<BenchBaton, 'call'> {
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

export async function startBenchBaton(dialect: DialectName, env: Record<string, string> = {}, overrides: BatonOverrides = {}): Promise<BenchBaton> {
  const database = await createTestDatabase(dialect);
  const token = randomBytes(16).toString('hex');
  const baton = await createBaton(
    loadConfig({
      BATON_DATA_DIR: database.dataDir,
      ...(database.databaseUrl !== undefined ? { BATON_DATABASE_URL: database.databaseUrl } : {}),
      BATON_BOOTSTRAP_TOKEN: token,
      BATON_LOG_LEVEL: 'silent',
      BATON_PORT: '0',
      BATON_ENGINE_POLL_MS: '5',
      BATON_AUTH_FAILURE_LIMIT: '0',
      ...env,
    }),
    overrides,
  );
  const url = await baton.listen();
  const { call } = jsonCaller(url, token);
  return {
    baton,
    database,
    url,
    token,
    call,
    async stop() {
      await baton.close();
      await database.cleanup();
    },
  };
}

/** Polls a deployment until it ends; throws with its errors when it failed. */
export async function waitDeployed(b: Pick<BenchBaton, 'call'>, appId: string, envId: string, deployId: string, timeoutMs = 30 * 60_000): Promise<void> {
  const path = `/orgs/local/apps/${appId}/envs/${envId}/deploys/${deployId}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await b.call<{ status: string }>('GET', path);
    if (view.status === 'succeeded') return;
    if (view.status === 'failed') throw new Error(`deployment ${deployId} failed: ${JSON.stringify(await b.call('GET', `${path}/errors`))}`);
    if (Date.now() > deadline) throw new Error(`deployment ${deployId} still ${view.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A delta adding `workloads` workloads (named w<first>, w<first+1>, …) with `resources` echo `config` resources
 * each (needs `echoDefinition`).
 */
export function bigDelta(workloads: number, resources: number, image: string, first = 0): { modules: { add: Record<string, unknown> } } {
  const add: Record<string, unknown> = {};
  for (let w = first; w < first + workloads; w++) {
    const externals: Record<string, { type: string; class: string }> = {};
    const variables: Record<string, string> = {};
    for (let r = 0; r < resources; r++) {
      externals[`r${r}`] = { type: 'config', class: 'echo' };
      variables[`R${r}`] = `\${externals.r${r}.region}`;
    }
    add[`w${w}`] = { profile: 'humanitec/default-module', externals, spec: { containers: { main: { id: 'main', image, variables } } } };
  }
  return { modules: { add } };
}

/** Workloads per request of `postBigDelta`: a request body stays under the API's 1 MiB limit. */
const DELTA_CHUNK = 1000;

/** Creates `bigDelta(workloads, …)` through the API: POST of the first 1,000 workloads, PATCHes merging the rest. */
export async function postBigDelta(b: Pick<BenchBaton, 'call'>, appId: string, workloads: number, resources: number, image: string): Promise<string> {
  const path = `/orgs/local/apps/${appId}/deltas`;
  const { id } = await b.call<{ id: string }>('POST', path, bigDelta(Math.min(workloads, DELTA_CHUNK), resources, image));
  for (let first = DELTA_CHUNK; first < workloads; first += DELTA_CHUNK) {
    await b.call('PATCH', `${path}/${id}`, [bigDelta(Math.min(DELTA_CHUNK, workloads - first), resources, image, first)]);
  }
  return id;
}

export function echoDefinition(appId: string): Record<string, unknown> {
  return { id: `${appId}-echo`, name: 'echo', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { region: 'eu' } }, criteria: [{ app_id: appId, class: 'echo' }] };
}

export interface ScaleFigure {
  label: string;
  value: number | string;
  unit: string;
  /** The issue's target, e.g. "< 10 s"; `met` says whether this run reached it. */
  target?: string;
  met?: boolean;
  /** What limits the figure when the target is missed (said in BENCHMARKS.md). */
  limit?: string;
}

/** Writes bench/results/<name>.json (quick: bench/results-quick/, never read into BENCHMARKS.md). */
export function writeScaleResult(name: string, figures: readonly ScaleFigure[], notes: string): void {
  const dir = join(import.meta.dirname, QUICK ? 'results-quick' : 'results');
  mkdirSync(dir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    ...(QUICK ? { mode: 'quick (harness check only: sizes and durations shrunk, not comparable to the targets)' } : { runs: `median of ${RUNS} runs` }),
    figures: Object.fromEntries(
      figures.map((f) => [
        f.label,
        `${typeof f.value === 'number' ? Number(f.value.toFixed(f.value < 10 ? 2 : 0)) : f.value} ${f.unit}`.trim() +
          (f.target ? ` (target ${f.target}: ${f.met ? 'met' : 'NOT met'}${!f.met && f.limit ? `; limit: ${f.limit}` : ''})` : ''),
      ]),
    ),
    notes,
    load: `1/5/15-min load average ${LOAD_AT_START.map((l) => l.toFixed(1)).join(' ')} at the start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end (${cpus().length} cores; above ~1 other work shared them and the times are overstated)`,
    wall_time: `${((performance.now() - STARTED) / 1000).toFixed(0)} s for the whole benchmark (set-up and seeding included)`,
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  for (const f of figures) console.log(`${f.label}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target}: ${f.met ? 'met' : 'NOT met'})` : ''}`);
}
