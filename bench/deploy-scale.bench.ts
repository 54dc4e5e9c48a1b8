/**
 * One large deployment: 1,000 workloads × 4 echo `config` resources (plus each workload's implicit resources) to
 * the embedded gitops repository (the default target), on SQLite, through the real API and worker. Reports the wall
 * time (submit → succeeded; target < 10 s) and the orchestration cost per resource: (wall − time in drivers − time in
 * the target) ÷ resources (target < 0.5 ms).
 *
 *   node --import tsx bench/deploy-scale.bench.ts [--quick]
 */
import type { EngineTimings } from '../src/engine/index.js';
import { QUICK, RUNS, bigDelta, echoDefinition, median, startBenchBaton, waitDeployed, writeScaleResult } from './scale-support.js';

const WORKLOADS = QUICK ? 20 : 1000;
const RESOURCES = 4;
const timings = new Map<string, EngineTimings>();
const b = await startBenchBaton('sqlite', {}, { nodeConcurrency: 16, onTimings: (id, t) => timings.set(id, t) });
const runs: Array<{ wallMs: number; costMs: number; resources: number }> = [];
try {
  await b.call('POST', '/orgs/local/apps', { id: 'big', name: 'big' });
  await b.call('POST', '/orgs/local/resources/defs', echoDefinition('big'));
  for (let run = 0; run < RUNS; run++) {
    const delta = await b.call<{ id: string }>('POST', '/orgs/local/apps/big/deltas', bigDelta(WORKLOADS, RESOURCES, `api:${run}`));
    const started = performance.now();
    const deploy = await b.call<{ id: string }>('POST', '/orgs/local/apps/big/envs/development/deploys', { delta_id: delta.id });
    await waitDeployed(b, 'big', 'development', deploy.id);
    const wallMs = performance.now() - started;
    const t = timings.get(deploy.id)!;
    const resources = (await b.call<unknown[]>('GET', '/orgs/local/apps/big/envs/development/resources')).length;
    runs.push({ wallMs, costMs: (wallMs - t.driverMs - t.targetMs) / resources, resources });
    console.log(`run ${run + 1}: ${wallMs.toFixed(0)} ms, drivers ${t.driverMs.toFixed(0)} ms, target ${t.targetMs.toFixed(0)} ms, ${resources} resources`);
  }
} finally {
  await b.stop();
}
const wall = median(runs.map((r) => r.wallMs)) / 1000;
const cost = median(runs.map((r) => r.costMs));
writeScaleResult(
  'deploy-scale',
  [
    { label: `wall time, ${WORKLOADS} workloads × ${RESOURCES} resources`, value: wall, unit: 's', target: '< 10 s', met: wall < 10, limit: 'see the per-resource cost: planning, placeholder resolution and persistence of every node run on one core' },
    { label: 'orchestration cost per resource (wall − drivers − target) ÷ resources', value: cost, unit: 'ms', target: '< 0.5 ms', met: cost < 0.5, limit: 'one transaction per persisted active resource on SQLite' },
    { label: 'active resources in the environment', value: runs[0]!.resources, unit: '' },
  ],
  `SQLite, embedded gitops repository, humanitec/echo drivers, node concurrency 16; each run deploys a delta that changes every image. Runs: ${runs.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')} s.`,
);
