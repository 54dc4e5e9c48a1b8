/**
 * Everyday CLI habits against a real Baton (`baton serve` child process) through the real `baton` binary: a closed
 * stdout pipe ends quietly, `get envs` shows the last deployment, ids by unique prefix and humctl's `.`/`+N`/`env/`
 * references, `get deploy-error`, `deploy env ENV` (redeploy), and `score deploy`'s --dry-run, --message, --remove,
 * the named plan, the no-op deploy, and a refused deploy that leaves neither app nor delta behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { runBatonCli } from '../helpers/cli-run.js';


interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const score = (name: string, extra = '') => `apiVersion: score.dev/v1b1
metadata:
  name: ${name}
containers:
  main:
    image: busybox:1
    variables:
      MODE: "${name}"
${extra}`;
// A placeholder nothing provides: the plan refuses it.
const BROKEN = `apiVersion: score.dev/v1b1
metadata:
  name: web
containers:
  main:
    image: busybox:1
    files:
      /etc/mode:
        content: \${resources.env.MISSING}
resources:
  env:
    type: environment
`;

describe('baton CLI habits', { timeout: 480_000 }, () => {
  let baton: BatonProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const app = 'habits';

  const run = (args: string[], options: { closeStdout?: boolean } = {}): Promise<Run> =>
    // closeStdout: like `| head` having exited, the reading end is closed before the CLI writes anything.
    runBatonCli(args, { env, closeStdout: options.closeStdout === true });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, `baton ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '-o', 'json')) as T;
  const deploys = () => json<{ id: string; set_id: string; created_at: string; comment: string }[]>('get', 'deploys');
  const newestFirst = <T extends { created_at: string }>(list: T[]) => [...list].sort((a, b) => b.created_at.localeCompare(a.created_at));

  before(async () => {
    baton = await startBatonProcess({ startTimeoutMs: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'baton-cli-habits-'));
    writeFileSync(join(dir, 'web.yaml'), score('web'));
    writeFileSync(join(dir, 'web2.yaml'), score('web', '    args: ["two"]\n'));
    writeFileSync(join(dir, 'api.yaml'), score('api'));
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    Object.assign(env, { BATON_CONFIG: join(dir, 'config.yaml'), HOME: dir, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: 'local', BATON_APP: app, BATON_ENV: 'development' });
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a stdout closed by the reader (| head) ends the command quietly, without an EPIPE trace', async () => {
    for (const args of [['version'], ['get', 'orgs']]) {
      const r = await run(args, { closeStdout: true });
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, `baton ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.code, 0);
    }
  });

  it('a refused score deploy leaves no app and no delta behind', async () => {
    const r = await run(['score', 'deploy', '-f', join(dir, 'broken.yaml'), '--app', 'refused', '--yes']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /not deployed/);
    const apps = await json<{ id: string }[]>('get', 'apps');
    assert.ok(!apps.some((a) => a.id === 'refused'), 'the app created for the deploy was removed');
  });

  it('score deploy --dry-run creates nothing; then a deploy with --message; a repeat is a no-op', async () => {
    const dry = await ok('score', 'deploy', '-f', join(dir, 'web.yaml'), '--dry-run');
    assert.match(dry, /dry run/);
    assert.ok(!(await json<{ id: string }[]>('get', 'apps')).some((a) => a.id === app));

    const first = await ok('score', 'deploy', '-f', join(dir, 'web.yaml'), '--message', 'first one', '--yes', '--wait');
    assert.match(first, /workloads: 1 added \(web\)/);
    assert.match(first, /objects: \d+ added \([^)]*web/);
    assert.equal((await deploys())[0]?.comment, 'first one');

    const again = await ok('score', 'deploy', '-f', join(dir, 'web.yaml'), '--yes');
    assert.match(again, /nothing to deploy: .*no deployment created/);
    assert.equal((await deploys()).length, 1);
    // No delta piles up: the no-op's and the dry run's deltas are archived.
    assert.equal((await json<unknown[]>('get', 'deltas')).length, 1);

    const plan = await ok('score', 'deploy', '-f', join(dir, 'web2.yaml'), '--dry-run');
    assert.match(plan, /1 updated \(web\)/);
    assert.match(plan, /1 changed \([^)]*web/);
    assert.equal((await deploys()).length, 1);
  });

  it('get envs shows LAST DEPLOY and STATUS', async () => {
    const [last] = await deploys();
    const table = await ok('get', 'envs', '-o', 'wide');
    assert.match(table, /LAST DEPLOY/);
    assert.ok(table.includes(last!.id), table);
    assert.match(table, /succeeded/);
  });

  it('ids take unique prefixes and ./+N references; diff sets deploy/+1 deploy/.; env/ENV', async () => {
    await ok('score', 'deploy', '-f', join(dir, 'web2.yaml'), '--yes', '--wait');
    const [newest, older] = newestFirst(await deploys());
    assert.ok(newest && older);
    // Ids begin with the creation time, so deployments made seconds apart share 8 or more leading characters: take
    // the shortest prefix (at least 8) that no other deployment of the environment shares.
    const others = (await deploys()).filter((d) => d.id !== newest.id).map((d) => d.id);
    let length = 8;
    while (others.some((id) => id.startsWith(newest.id.slice(0, length)))) length += 1;
    assert.equal((await json<{ id: string }>('get', 'deploy', newest.id.slice(0, length))).id, newest.id);
    assert.equal((await json<{ id: string }>('get', 'deploy', '.')).id, newest.id);
    assert.equal((await json<{ id: string }>('get', 'deploy', '+1')).id, older.id);
    assert.equal((await json<{ id: string }>('get', 'deployment-set', '.')).id, newest.set_id);
    assert.equal((await json<{ id: string }>('get', 'set', older.set_id.slice(0, 12))).id, older.set_id);
    const diff = await ok('diff', 'sets', 'deploy/+1', 'deploy/.');
    assert.match(diff, /two/);
    assert.match(await ok('diff', 'sets', 'env/development', newest.set_id.slice(0, 10)), /no changes/);
    assert.match(await ok('logs', newest.id.slice(0, 12)), /succeeded/);
    // Deployment ids made close in time share their first characters: such a prefix is refused, naming both.
    let common = 0;
    while (newest.id[common] === older.id[common]) common++;
    if (common > 0) {
      const ambiguous = await run(['logs', newest.id.slice(0, common)]);
      assert.equal(ambiguous.code, 2, ambiguous.stderr);
      assert.match(ambiguous.stderr, /is ambiguous: 2 deployment ids start with it/);
    }
    const missing = await run(['get', 'deploy', 'zzzz']);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /no deployment id starts with "zzzz"/);
    const tooFar = await run(['get', 'deploy', '+9']);
    assert.match(tooFar.stderr, /goes back further/);
  });

  it('get deploy-error shows the newest deployment\'s errors; deploy env ENV redeploys it', async () => {
    assert.deepEqual(await json<unknown[]>('get', 'deploy-error'), []);
    const [before] = newestFirst(await deploys());
    const out = await ok('deploy', 'env', 'development', '--wait');
    assert.match(out, /deployment \S+ started in habits\/development/);
    const [redeploy] = newestFirst(await deploys());
    assert.notEqual(redeploy!.id, before!.id);
    assert.equal(redeploy!.set_id, before!.set_id);
    assert.match(redeploy!.comment, new RegExp(`redeploy of ${before!.id}`));
  });

  it('score deploy --remove removes the workloads not in the given Score files', async () => {
    const out = await ok('score', 'deploy', '-f', join(dir, 'api.yaml'), '--remove', '--yes', '--wait');
    assert.match(out, /workloads: 1 added \(api\), 0 updated, 1 removed \(web\)/);
    const set = await json<{ modules: Record<string, unknown> }>('get', 'set', '.');
    assert.deepEqual(Object.keys(set.modules), ['api']);
  });

  it('-v prints each request to stderr, without the token', async () => {
    const r = await run(['get', 'envs', '-o', 'name', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`> GET ${baton.url}/orgs/local/apps/${app}/envs → 200 \\(\\d+ ms\\)`));
    assert.ok(!r.stderr.includes(baton.token));
    assert.equal(r.stdout.trim(), 'env/development');
  });

  it('delete -f removes the objects of a manifest file; a second time they are reported missing (exit 4)', async () => {
    const file = join(dir, 'def.yaml');
    writeFileSync(
      file,
      'apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata: {id: habits-redis}\nentity:\n  name: habits-redis\n  type: redis\n  driver_type: humanitec/echo\n  driver_inputs: {values: {host: r}}\n  criteria: [{app_id: nothing}]\n',
    );
    await ok('apply', '-f', file);
    assert.match(await ok('delete', '-f', file), /Definition\/habits-redis deleted/);
    assert.ok(!(await ok('get', 'defs', '-o', 'name')).includes('habits-redis'));
    const again = await run(['delete', '-f', file]);
    assert.equal(again.code, 4, again.stderr);
    assert.match(again.stdout, /Definition\/habits-redis not found/);
  });

  it('update delta ID add|remove PATH VALUE changes a delta (the id by prefix)', async () => {
    const delta = await json<{ id: string }>('create', 'delta');
    assert.match(await ok('update', 'delta', delta.id.slice(0, 12), 'add', '/modules/api/spec/containers/main/image', 'nginx:1.28'), /updated/);
    await ok('update', 'delta', delta.id, 'remove', '/modules/old');
    const after = await json<{ modules: { update: Record<string, unknown[]>; remove: string[] } }>('get', 'delta', delta.id);
    assert.deepEqual(after.modules.update.api, [{ op: 'add', path: '/spec/containers/main/image', value: 'nginx:1.28' }]);
    assert.deepEqual(after.modules.remove, ['old']);
  });

  it('-o name and jsonpath, --no-headers', async () => {
    assert.equal((await ok('get', 'envs', '-o', 'name')).trim(), 'env/development');
    assert.equal((await ok('get', 'envs', '-o', 'jsonpath={.items[*].id}')).trim(), 'development');
    const bare = await ok('get', 'envs', '-o', 'table', '--no-headers');
    assert.doesNotMatch(bare, /LAST DEPLOY/);
    assert.match(bare, /development/);
  });

  it('describe shows a deployment with its errors and an environment with its resources', async () => {
    const deploy = await ok('describe', 'deploy', '.');
    assert.match(deploy, /^id: /m);
    assert.match(deploy, /errors: none/);
    const envView = await ok('describe', 'env', 'development');
    assert.match(envView, /active resources:/);
    assert.match(envView, /workload modules\.api/);
  });

  it('score available-resource-types lists the types the org\'s definitions offer', async () => {
    const rows = await json<{ type: string; class: string; definitions: string[] }[]>('score', 'available-resource-types');
    assert.ok(rows.some((r) => r.type === 'postgres' && r.class === 'default'), JSON.stringify(rows));
  });

  it('--env "" creates an app-scoped value even when an env is set in the context', async () => {
    await ok('create', 'value', 'FLAG', 'on', '--env', '');
    const appValues = await json<{ key: string }[]>('get', 'values', '--env', '');
    assert.ok(appValues.some((v) => v.key === 'FLAG'));
    const direct = await fetch(`${baton.url}/orgs/local/apps/${app}/values`, { headers: { authorization: `Bearer ${baton.token}` } });
    assert.ok(((await direct.json()) as { key: string }[]).some((v) => v.key === 'FLAG'));
    // humctl's spelling: --is-secret and -d.
    await ok('create', 'value', 'TOKEN', 's3cret', '--is-secret', '-d', 'api token', '--env', '');
    const token = (await json<{ key: string; is_secret: boolean; description: string; value: unknown }[]>('get', 'values', '--env', '')).find((v) => v.key === 'TOKEN');
    assert.equal(token?.is_secret, true);
    assert.equal(token?.description, 'api token');
    assert.notEqual(token?.value, 's3cret');
  });

  it('config current-context, get-contexts and delete-context', async () => {
    assert.equal((await ok('config', 'current-context')).trim(), 'default');
    await ok('config', 'set', 'app', 'other', '--context', 'spare');
    const table = await ok('config', 'get-contexts');
    assert.match(table, /\*\s*│ default/);
    assert.match(table, /spare/);
    assert.equal((await ok('config', 'get-contexts', '-o', 'name')).trim().split('\n').sort().join(','), 'default,spare');
    const refused = await run(['config', 'delete-context', 'default']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is the current context/);
    await ok('config', 'delete-context', 'spare');
    assert.doesNotMatch(await ok('config', 'get-contexts'), /spare/);
  });
});
