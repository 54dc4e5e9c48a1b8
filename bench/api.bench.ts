/**
 * API throughput and latency under load, measured by autocannon in a second process (never the server's own event
 * loop) against a Baton listening on a socket, on SQLite and PostgreSQL, at 10 and 100 connections:
 *   GET  /orgs/local/apps (a page of 50 apps)      requests/s, p50, p99
 *   POST /orgs/local/apps/bench/deltas (new delta)  requests/s, p50, p99
 *   GET at a fixed 1,000 req/s (SQLite)             p99
 * Targets (2-core machine): ≥ 5,000 GET/s with p99 < 20 ms at 1,000 req/s on SQLite; ≥ 3,000 GET/s on PostgreSQL.
 *
 *   node --import tsx bench/api.bench.ts [--quick]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DialectName } from '../src/store/index.js';
import { QUICK, RUNS, median, startBenchBaton, writeScaleResult } from './scale-support.js';
import type { ScaleFigure } from './scale-support.js';

const DURATION_S = QUICK ? 1 : 10;
const CONNECTIONS = [10, 100];
const AUTOCANNON = join(import.meta.dirname, '..', 'node_modules', '.bin', 'autocannon');

interface Cannon {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

const figures: ScaleFigure[] = [];
for (const dialect of ['sqlite', 'postgres'] as DialectName[]) {
  const server = await startBenchBaton(dialect);
  try {
    await server.call('POST', '/orgs/local/apps', { id: 'bench', name: 'bench' });
    for (let i = 0; i < (QUICK ? 5 : 50); i++) await server.call('POST', '/orgs/local/apps', { id: `app-${i}`, name: `app ${i}` });
    const get = `${server.url}/orgs/local/apps`;
    const post = `${server.url}/orgs/local/apps/bench/deltas`;
    const delta = JSON.stringify({ metadata: { name: 'load' }, modules: { add: { api: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'api:1' } } } } } } });
    for (const connections of CONNECTIONS) {
      const gets = [];
      const posts = [];
      for (let run = 0; run < RUNS; run++) {
        gets.push(await cannonAsync(get, server.token, connections));
        posts.push(await cannonAsync(post, server.token, connections, { method: 'POST', body: delta }));
      }
      const getRate = median(gets.map((g) => g.requests.average));
      const target = dialect === 'sqlite' ? 5000 : 3000;
      figures.push(
        { label: `${dialect} GET /orgs/{org}/apps, ${connections} connections`, value: getRate, unit: 'req/s', target: `>= ${target} req/s`, met: getRate >= target, limit: 'one Node process on 2 shared cores: JSON serialisation, token authentication (one keyed hash and one indexed lookup per request) and the database driver share one event loop' },
        { label: `${dialect} GET p50 / p99, ${connections} connections`, value: `${median(gets.map((g) => g.latency.p50))} / ${median(gets.map((g) => g.latency.p99))}`, unit: 'ms' },
        { label: `${dialect} POST /orgs/{org}/apps/{app}/deltas, ${connections} connections`, value: median(posts.map((p) => p.requests.average)), unit: 'req/s' },
        { label: `${dialect} POST p50 / p99, ${connections} connections`, value: `${median(posts.map((p) => p.latency.p50))} / ${median(posts.map((p) => p.latency.p99))}`, unit: 'ms' },
      );
    }
    if (dialect === 'sqlite') {
      const paced = [];
      for (let run = 0; run < RUNS; run++) paced.push(await cannonAsync(get, server.token, 10, { rate: 1000 }));
      const p99 = median(paced.map((p) => p.latency.p99));
      figures.push({ label: 'sqlite GET p99 at 1,000 req/s (10 connections)', value: p99, unit: 'ms', target: '< 20 ms', met: p99 < 20, limit: 'garbage collection pauses and the shared cores' });
    }
  } finally {
    await server.stop();
  }
}

/** autocannon in a child process, asynchronously (a blocking spawn would stall the server under test, which runs here). */
async function cannonAsync(url: string, token: string, connections: number, options: { method?: string; body?: string; rate?: number } = {}): Promise<Cannon> {
  const args = ['-j', '-c', String(connections), '-d', String(DURATION_S), '-H', `authorization=Bearer ${token}`];
  if (options.method) args.push('-m', options.method);
  if (options.body) args.push('-H', 'content-type=application/json', '-b', options.body);
  // -R: requests per second over all connections.
  if (options.rate) args.push('-R', String(options.rate));
  const child = spawn(AUTOCANNON, [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon failed (${code}): ${err}`);
  const result = JSON.parse(out) as Cannon;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`autocannon saw ${result.non2xx} non-2xx answers and ${result.errors} errors on ${url}`);
  return result;
}

writeScaleResult('api', figures, `autocannon ${DURATION_S} s per run in a second process; Baton in-process with its worker idle; 51 apps listed (one page).`);
