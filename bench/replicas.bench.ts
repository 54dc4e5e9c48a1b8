/**
 * Replica scaling: 1, 2 and 3 `baton serve` processes on one PostgreSQL schema sharing a gitops remote (a bare
 * repository), 30 environments (one app each), every environment deployed at once (a workload with 4 echo resources);
 * throughput = deployments ÷ time from the first submit to the last success. Reports deployments/min per replica
 * count (median) and the scaling ratio 3 replicas ÷ 1 (target ≥ 1.8×; on 2 cores the replicas share the CPUs with
 * PostgreSQL, and the gitops remote serialises pushes, which bounds the ratio).
 *
 *   node --import tsx bench/replicas.bench.ts [--quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../src/store/testing.js';
import { startBatonProcess } from '../test/helpers/baton-process.js';
import type { BatonProcess } from '../test/helpers/baton-process.js';
import { QUICK, RUNS, bigDelta, echoDefinition, jsonCaller, median, waitDeployed, writeScaleResult } from './scale-support.js';

const ENVIRONMENTS = QUICK ? 3 : 30;
const REPLICAS = QUICK ? [1, 2] : [1, 2, 3];

async function measure(replicas: number): Promise<number> {
  const database = await createTestDatabase('postgres');
  const remote = mkdtempSync(join(tmpdir(), 'baton-bench-remote-'));
  execFileSync('git', ['init', '--bare', '--quiet', '--initial-branch=main', remote]);
  const processes: BatonProcess[] = [];
  const token = 'b'.repeat(32);
  try {
    for (let i = 0; i < replicas; i++) {
      // One data folder per replica (as on Kubernetes); the database and the remote are shared.
      const dataDir = i === 0 ? database.dataDir : mkdtempSync(join(tmpdir(), 'baton-bench-replica-'));
      processes.push(
        await startBatonProcess({
          database: { ...database, dataDir },
          token,
          env: { BATON_GITOPS_URL: remote, BATON_SECRET_KEY: 'c'.repeat(64), BATON_ENGINE_POLL_MS: '20' },
        }),
      );
    }
    const first = jsonCaller(processes[0]!.url, token);
    const apps = Array.from({ length: ENVIRONMENTS }, (_, i) => `r${i}`);
    const deltas: string[] = [];
    for (const app of apps) {
      await first.call('POST', '/orgs/local/apps', { id: app, name: app });
      await first.call('POST', '/orgs/local/resources/defs', echoDefinition(app));
      deltas.push((await first.call<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, bigDelta(1, 4, 'api:1'))).id);
    }
    const started = performance.now();
    // Submissions spread over the replicas, as a load balancer would; any replica's worker may run any of them.
    const ids = await Promise.all(apps.map((app, i) => jsonCaller(processes[i % replicas]!.url, token).call<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/development/deploys`, { delta_id: deltas[i] })));
    await Promise.all(apps.map((app, i) => waitDeployed(first, app, 'development', ids[i]!.id)));
    const minutes = (performance.now() - started) / 60_000;
    return ENVIRONMENTS / minutes;
  } finally {
    for (const p of processes) await p.stop();
    for (const p of processes.slice(1)) rmSync(p.database.dataDir, { recursive: true, force: true });
    await database.cleanup();
    rmSync(remote, { recursive: true, force: true });
  }
}

const perReplicas = new Map<number, number>();
for (const replicas of REPLICAS) {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) rates.push(await measure(replicas));
  perReplicas.set(replicas, median(rates));
  console.log(`${replicas} replica(s): ${median(rates).toFixed(0)} deployments/min (runs ${rates.map((r) => r.toFixed(0)).join(', ')})`);
}
const top = Math.max(...REPLICAS);
const ratio = perReplicas.get(top)! / perReplicas.get(1)!;
writeScaleResult(
  'replicas',
  [
    ...REPLICAS.map((n) => ({ label: `${n} replica(s), ${ENVIRONMENTS} environments`, value: perReplicas.get(n)!, unit: 'deployments/min' })),
    { label: `scaling ratio ${top} replicas ÷ 1`, value: ratio, unit: '×', target: '>= 1.8×', met: ratio >= 1.8, limit: 'replicas and PostgreSQL share 2 cores, and every deployment pushes to the one gitops remote (pushes serialise)' },
  ],
  `PostgreSQL, ${ENVIRONMENTS} apps × 1 environment, one workload with 4 humanitec/echo resources each, all submitted at once round-robin over the replicas; each replica a separate \`baton serve\` process with its own data folder, one bare gitops remote.`,
);
