/**
 * The deployment engine end to end: one deployment of 50 workloads with 200 resources (100 echo, 100 template)
 * through read → match → create → deploy (directory target), on SQLite, through the real API and worker.
 * Reports wall time (submit → succeeded, median of 5) and the overhead ratio: total ÷ time spent inside drivers
 * and the target. Target: under 2 s.
 *
 *   node --import tsx bench/engine.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createBaton } from '../src/baton/create-baton.js';
import { loadConfig } from '../src/config/index.js';
import type { EngineTimings } from '../src/engine/index.js';
import { createTestDatabase } from '../src/store/testing.js';

const WORKLOADS = 50;
const RESOURCES_PER_WORKLOAD = 4;
const RUNS = 5;

const database = await createTestDatabase('sqlite');
const token = randomBytes(16).toString('hex');
const timings = new Map<string, EngineTimings>();
const baton = await createBaton(
  loadConfig({ BATON_DATA_DIR: database.dataDir, BATON_BOOTSTRAP_TOKEN: token, BATON_LOG_LEVEL: 'silent', BATON_ENGINE_POLL_MS: '5' }),
  { nodeConcurrency: 16, onTimings: (id, t) => timings.set(id, t) },
);
const { app } = baton;
baton.startEngine();
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const call = async <T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> => {
  const res = await app.inject({ method, url, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
};

await call('POST', '/orgs/local/apps', { id: 'bench', name: 'Bench' });
await call('POST', '/orgs/local/resources/defs', {
  id: 'bench-cluster', name: 'dir', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root: join(database.dataDir, 'manifests') } }, criteria: [{ app_id: 'bench' }],
});
await call('POST', '/orgs/local/resources/defs', {
  id: 'bench-echo', name: 'echo', type: 'config', driver_type: 'humanitec/echo', driver_inputs: { values: { region: 'eu', id: '${context.res.id}' } }, criteria: [{ app_id: 'bench', class: 'echo' }],
});
await call('POST', '/orgs/local/resources/defs', {
  id: 'bench-template', name: 'template', type: 'config', driver_type: 'humanitec/template',
  driver_inputs: { values: { templates: { outputs: 'host: {{ .id | trunc 12 }}.internal\nport: 8080\n' } } }, criteria: [{ app_id: 'bench', class: 'tpl' }],
});

function deltaFor(image: string) {
  const add: Record<string, unknown> = {};
  for (let w = 0; w < WORKLOADS; w++) {
    const externals: Record<string, { type: string; class: string }> = {};
    const variables: Record<string, string> = {};
    for (let r = 0; r < RESOURCES_PER_WORKLOAD; r++) {
      const cls = r % 2 === 0 ? 'echo' : 'tpl';
      externals[`r${r}`] = { type: 'config', class: cls };
      variables[`R${r}`] = cls === 'echo' ? `\${externals.r${r}.region}` : `\${externals.r${r}.host}:\${externals.r${r}.port}`;
    }
    add[`w${w}`] = { profile: 'humanitec/default-module', externals, spec: { containers: { main: { id: 'main', image, variables } } } };
  }
  return { modules: { add } };
}

const runs: { wallMs: number; driverMs: number; targetMs: number }[] = [];
for (let run = 0; run < RUNS; run++) {
  const delta = await call<{ id: string }>('POST', '/orgs/local/apps/bench/deltas', deltaFor(`app:${run}`));
  const started = performance.now();
  const deployment = await call<{ id: string }>('POST', '/orgs/local/apps/bench/envs/development/deploys', { delta_id: delta.id });
  for (;;) {
    const view = await call<{ status: string }>('GET', `/orgs/local/apps/bench/envs/development/deploys/${deployment.id}`);
    if (view.status === 'failed') throw new Error(JSON.stringify(await call('GET', `/orgs/local/apps/bench/envs/development/deploys/${deployment.id}/errors`)));
    if (view.status === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const wallMs = performance.now() - started;
  const t = timings.get(deployment.id)!;
  runs.push({ wallMs, driverMs: t.driverMs, targetMs: t.targetMs });
  console.log(`run ${run + 1}: ${wallMs.toFixed(0)} ms wall, drivers ${t.driverMs.toFixed(0)} ms, target ${t.targetMs.toFixed(0)} ms`);
}
const resources = await call<unknown[]>('GET', '/orgs/local/apps/bench/envs/development/resources');
await baton.close();
await database.cleanup();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const wall = median(runs.map((r) => r.wallMs));
const inside = median(runs.map((r) => r.driverMs + r.targetMs));
const figures = {
  'wall time, 50 workloads / 200 resources (median)': `${wall.toFixed(0)} ms (target < 2000 ms: ${wall < 2000 ? 'met' : 'missed'})`,
  'time inside drivers + target (median)': `${inside.toFixed(0)} ms`,
  'overhead ratio total ÷ (drivers + target)': (wall / inside).toFixed(2),
  'active resources after the runs': resources.length,
};
console.log(figures);
const resultsDir = join(import.meta.dirname, 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, 'engine.json');
let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
} catch {
  // first run
}
writeFileSync(
  file,
  JSON.stringify(
    {
      ...previous,
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model.split(' ')[0] ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      figures,
      notes: `SQLite, in-process API (inject) and worker, directory target; ${WORKLOADS} workloads × ${RESOURCES_PER_WORKLOAD} config resources (half humanitec/echo, half humanitec/template) + implicit resources; each run deploys a delta that changes every image. Driver time is the wall time during which at least one driver was running; runs: ${runs.map((r) => r.wallMs.toFixed(0)).join(', ')} ms.`,
    },
    null,
    2,
  ) + '\n',
);
