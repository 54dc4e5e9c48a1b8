/**
 * The real `baton` binary (child processes, `node bin/baton.js ...`) against a real Baton (`baton serve` child
 * process): login, create, apply, score deploy --wait, get, diff, rollback, logs, graph, errors and exit codes.
 * A second part runs `score deploy --wait` under a pseudo-terminal (`script`) to see the live display.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { runBatonCli } from '../helpers/cli-run.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const POSTGRES_DEF = `apiVersion: entity.humanitec.io/v1b1
kind: Definition
metadata:
  id: e2e-postgres
entity:
  name: e2e-postgres
  type: postgres
  driver_type: humanitec/echo
  driver_inputs:
    values: {host: db.internal, port: 5432, name: appdb}
    secrets: {username: app, password: s3cret}
  criteria:
    - {}
`;
const DNS_DEF = `apiVersion: entity.humanitec.io/v1b1
kind: Definition
metadata:
  id: e2e-dns
entity:
  name: e2e-dns
  type: dns
  driver_type: humanitec/template
  driver_inputs:
    values:
      templates:
        outputs: |
          host: {{ .id }}.example.test
  criteria:
    - {}
`;
// A definition whose template fails: deployments needing a redis fail with this message.
const BROKEN_REDIS_DEF = `apiVersion: entity.humanitec.io/v1b1
kind: Definition
metadata:
  id: e2e-broken-redis
entity:
  name: e2e-broken-redis
  type: redis
  driver_type: humanitec/template
  driver_inputs:
    values:
      templates:
        outputs: |
          {{ fail "redis is deliberately broken" }}
  criteria:
    - {}
`;
const TWO_WORKLOADS = `apiVersion: score.dev/v1b1
metadata:
  name: api
containers:
  main:
    image: .
    variables:
      DB_HOST: \${resources.db.host}
service:
  ports:
    web: {port: 80, targetPort: 8080}
resources:
  db:
    type: postgres
---
apiVersion: score.dev/v1b1
metadata:
  name: web
containers:
  main:
    image: nginx:1.27
resources:
  dns:
    type: dns
`;
const NEEDS_REDIS = `apiVersion: score.dev/v1b1
metadata:
  name: cache-user
containers:
  main:
    image: busybox:1
    variables:
      REDIS: \${resources.cache.host}
resources:
  cache:
    type: redis
`;

// 14 steps against a real server: about 2 minutes alone, generous for a loaded 2-core CI machine.
describe('baton CLI end to end', { timeout: 480_000 }, () => {
  let baton: BatonProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const app = `shop-${randomBytes(3).toString('hex')}`;

  const baton_ = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => runBatonCli(args, { env: { ...env, ...extraEnv } });
  const ok = async (args: string[]): Promise<string> => {
    const run = await baton_(args);
    assert.equal(run.code, 0, `baton ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  };
  const deploysJson = async (): Promise<{ id: string; status: string; set_id: string; created_at: string }[]> =>
    JSON.parse(await ok(['get', 'deploys', '--app', app, '--env', 'development', '-o', 'json'])) as { id: string; status: string; set_id: string; created_at: string }[];

  before(async () => {
    baton = await startBatonProcess();
    dir = mkdtempSync(join(tmpdir(), 'baton-cli-e2e-'));
    mkdirSync(join(dir, 'defs'));
    writeFileSync(join(dir, 'defs', 'postgres.yaml'), POSTGRES_DEF);
    writeFileSync(join(dir, 'defs', 'dns.yaml'), DNS_DEF);
    writeFileSync(join(dir, 'broken-redis.yaml'), BROKEN_REDIS_DEF);
    writeFileSync(join(dir, 'score.yaml'), TWO_WORKLOADS);
    writeFileSync(join(dir, 'redis-score.yaml'), NEEDS_REDIS);
    // A clean environment: no inherited BATON_*/HUMANITEC_* settings, config in the temp dir.
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    env.BATON_CONFIG = join(dir, 'config.yaml');
    env.HOME = dir;
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('login stores url, token and the only org in the config file', async () => {
    const out = await ok(['login', baton.url, '--token', baton.token]);
    assert.match(out, /logged in to .* \(org local\)/);
    const config = readFileSync(join(dir, 'config.yaml'), 'utf8');
    assert.match(config, /org: local/);
    assert.ok(config.includes(baton.url));
  });

  it('login with no token (empty stdin) is a usage error, exit 2', async () => {
    const run = await baton_(['login', baton.url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no token given/);
  });

  it('a bad token is exit 3 with the server message and status, no stack trace', async () => {
    const run = await baton_(['get', 'apps'], { BATON_TOKEN: 'wrong' });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /HTTP 401/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('create app, then a duplicate is exit 5 and a missing app exit 4', async () => {
    assert.match(await ok(['create', 'app', app]), new RegExp(`app "${app}" created`));
    const duplicate = await baton_(['create', 'app', app]);
    assert.equal(duplicate.code, 5);
    assert.match(duplicate.stderr, /HTTP 409/);
    const missing = await baton_(['get', 'apps', `${app}-nope`]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /not found \(HTTP 404/);
    const apps = JSON.parse(await ok(['get', 'apps', '-o', 'json'])) as { id: string }[];
    assert.ok(apps.some((a) => a.id === app));
    // humctl's environment variables select the app too (piped, so JSON by default).
    const envs = await baton_(['get', 'envs'], { HUMANITEC_APP: app });
    assert.equal(envs.code, 0, envs.stderr);
    assert.deepEqual((JSON.parse(envs.stdout) as { id: string }[]).map((e) => e.id), ['development']);
  });

  it('apply -f a directory creates the definitions, and is idempotent', async () => {
    const first = await ok(['apply', '-f', join(dir, 'defs')]);
    assert.match(first, /Definition\/e2e-dns created/);
    assert.match(first, /Definition\/e2e-postgres created/);
    const second = await ok(['apply', '-f', join(dir, 'defs')]);
    assert.match(second, /0 created, 0 updated, 2 unchanged/);
    const defs = JSON.parse(await ok(['get', 'defs', '-o', 'json'])) as { id: string }[];
    assert.ok(defs.some((d) => d.id === 'e2e-postgres') && defs.some((d) => d.id === 'e2e-dns'));
  });

  it('score deploy --wait deploys two workloads, then a second deploy changes the image', async () => {
    const first = await ok(['score', 'deploy', '-f', join(dir, 'score.yaml'), '--app', app, '--env', 'development', '--image', 'busybox:1', '--wait']);
    assert.match(first, /delta \S+ created \(api, web\)/);
    assert.match(first, /provisioned postgres\.default#modules\.api\.externals\.db/);
    assert.match(first, /done: deployment \S+ succeeded\n$/);
    await ok(['score', 'deploy', '-f', join(dir, 'score.yaml'), '--app', app, '--env', 'development', '--image', 'busybox:2', '--wait', '--comment', 'second']);
    const deploys = await deploysJson();
    assert.equal(deploys.length, 2);
    assert.ok(deploys.every((d) => d.status === 'succeeded'));
  });

  it('diff deploys shows the image change as a unified diff', async () => {
    const [newer, older] = [...(await deploysJson())].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    const out = await ok(['diff', 'deploys', older!.id, newer!.id, '--app', app, '--env', 'development']);
    assert.match(out, /~ module api/);
    assert.match(out, /^-\s+image: busybox:1$/m);
    assert.match(out, /^\+\s+image: busybox:2$/m);
    assert.match(out, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
  });

  it('rollback redeploys the previous succeeded deployment', async () => {
    const before_ = [...(await deploysJson())].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    const out = await ok(['rollback', 'development', '--app', app, '--wait']);
    assert.match(out, new RegExp(`done: deployment \\S+ succeeded`));
    const after_ = [...(await deploysJson())].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    assert.equal(after_.length, 3);
    assert.equal(after_[0]!.set_id, before_[1]!.set_id);
    assert.notEqual(after_[0]!.set_id, before_[0]!.set_id);
  });

  it('logs prints the structured log of a deployment', async () => {
    const [first] = [...(await deploysJson())].sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    const out = await ok(['logs', first!.id, '--app', app, '--env', 'development']);
    assert.match(out, /\[read\] deployment started/);
    assert.match(out, /\[create\] modules\.api\.externals\.db: provisioned/);
    assert.match(out, /deployment succeeded/);
    const followed = await ok(['logs', first!.id, '--app', app, '--env', 'development', '-f']);
    assert.equal(followed.trim().split('\n').length, out.trim().split('\n').length);
  });

  it('resources graph -o dot is a graph with both workloads linked to their resources', async () => {
    const dot = await ok(['resources', 'graph', '--app', app, '--env', 'development', '-o', 'dot']);
    assert.match(dot, /^digraph resources \{\n[\s\S]*\}\n$/);
    const nodes = new Map<string, string>();
    for (const m of dot.matchAll(/^ {2}"([^"]+)" \[label="([^"]+)"\];$/gm)) nodes.set(m[1]!, m[2]!);
    const edges = [...dot.matchAll(/^ {2}"([^"]+)" -> "([^"]+)";$/gm)].map((m) => [nodes.get(m[1]!), nodes.get(m[2]!)]);
    assert.ok(nodes.size >= 4, dot);
    for (const [from, to] of edges) assert.ok(from !== undefined && to !== undefined, 'every edge joins declared nodes');
    assert.ok(edges.some(([from, to]) => from?.startsWith('workload modules.api') && to?.startsWith('postgres modules.api.externals.db')));
    assert.ok(edges.some(([from, to]) => from?.startsWith('workload modules.web') && to?.startsWith('dns modules.web.externals.dns')));
  });

  it('status lists the environment with its last deployment', async () => {
    const rows = JSON.parse(await ok(['status', '--app', app, '-o', 'json'])) as { env: string; status: string; comment: string }[];
    const development = rows.find((r) => r.env === 'development');
    assert.equal(development?.status, 'succeeded');
    assert.match(development?.comment ?? '', /^rollback to /);
  });

  it('a deployment the plan shows would fail: score deploy exits 1 with the error and deploys nothing', async () => {
    await ok(['apply', '-f', join(dir, 'broken-redis.yaml')]);
    const run = await baton_(['score', 'deploy', '-f', join(dir, 'redis-score.yaml'), '--app', `${app}-b`, '--env', 'development', '--wait']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`app "${app}-b" did not exist: created it`));
    assert.match(run.stderr, /not deployed: .*redis is deliberately broken/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    // Nothing is left behind: the app the command created (with its env and delta) is deleted again.
    assert.match(run.stderr, new RegExp(`removed app "${app}-b" again`));
    const apps = JSON.parse(await ok(['get', 'apps', '-o', 'json'])) as { id: string }[];
    assert.ok(!apps.some((a) => a.id === `${app}-b`));
  });

  it('a deployment that fails in the engine makes deploy --wait exit 1 and print its errors', async () => {
    // Deploying a delta directly skips the plan, so the failure happens in the engine itself.
    await ok(['create', 'app', `${app}-b`]);
    writeFileSync(join(dir, 'redis-delta.json'), await ok(['score', 'convert', join(dir, 'redis-score.yaml'), '--app', `${app}-b`]));
    const delta = JSON.parse(await ok(['create', 'delta', '-f', join(dir, 'redis-delta.json'), '--app', `${app}-b`, '-o', 'json'])) as { id: string };
    const run = await baton_(['deploy', 'delta', delta.id, 'development', '--app', `${app}-b`, '--wait']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout + run.stderr, /failed/);
    assert.match(run.stderr, /redis is deliberately broken/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('score deploy --wait under a pseudo-terminal shows a live progress display ending with the final status', () => {
    const command = ['node', 'bin/baton.js', 'score', 'deploy', '-f', join(dir, 'score.yaml'), '--app', app, '--env', 'development', '--image', 'busybox:3', '--wait', '--yes']
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...env, TERM: 'xterm-256color', COLUMNS: '160' }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const screen = result.stdout;
    // ora redraws its line: a spinner frame, cursor control sequences, and ✔ for finished steps.
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    // eslint-disable-next-line no-control-regex
    assert.match(screen, /\u001b\[(\d*G|2K|1A|\?25l)/);
    // eslint-disable-next-line no-control-regex
    const plain = screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n').trim();
    assert.match(plain, /✔ \[create\] modules\.api: provisioned workload\.default#modules\.api/);
    assert.match(plain, /⠋ \[create\] .*provisioning/);
    assert.match(plain.split('\n').filter((l) => l.trim() !== '').at(-1) ?? '', /✔ deployment \S+ succeeded$/);
  });
});
