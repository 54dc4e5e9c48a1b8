/**
 * `baton resources active-resource-usage` against a real `baton serve`: which app/env uses which active resource
 * and definition, how many deploys ago each was provisioned, and `--def` narrowing it to one definition.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { runBatonCli } from '../helpers/cli-run.js';


interface Usage {
  app_id: string;
  env_id: string;
  type: string;
  res_id: string;
  def_id: string;
  usage: string;
  deploys_ago: number | null;
  orphaned: boolean;
}

describe('baton resources active-resource-usage', { timeout: 300_000 }, () => {
  let baton: BatonProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => runBatonCli(args, { env });
  const ok = async (...args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `baton ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    baton = await startBatonProcess({ startTimeoutMs: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'baton-cli-usage-'));
    const score = (resources: string) => `apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    image: busybox:1\n${resources}`;
    writeFileSync(join(dir, 'with-cache.yaml'), score('resources:\n  cache:\n    type: redis\n'));
    writeFileSync(join(dir, 'without.yaml'), score(''));
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    Object.assign(env, { BATON_CONFIG: join(dir, 'config.yaml'), HOME: dir, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: 'local' });
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every app/env resource with its definition; a resource a later deploy dropped is "1 deploy ago, orphaned"', async () => {
    await ok('score', 'deploy', '-f', join(dir, 'with-cache.yaml'), '--app', 'shop', '--env', 'development', '--yes', '--wait');
    await ok('score', 'deploy', '-f', join(dir, 'without.yaml'), '--app', 'blog', '--env', 'development', '--yes', '--wait');
    await ok('score', 'deploy', '-f', join(dir, 'without.yaml'), '--app', 'shop', '--env', 'development', '--yes', '--wait');

    const all = JSON.parse(await ok('resources', 'active-resource-usage', '-o', 'json')) as Usage[];
    const cache = all.find((r) => r.app_id === 'shop' && r.res_id === 'modules.web.externals.cache');
    assert.ok(cache, JSON.stringify(all, null, 1));
    assert.equal(cache.type, 'redis');
    assert.notEqual(cache.def_id, '');
    assert.equal(cache.deploys_ago, 1);
    assert.equal(cache.usage, '1 deploy ago, orphaned');
    const shopWorkload = all.find((r) => r.app_id === 'shop' && r.res_id === 'modules.web');
    assert.equal(shopWorkload?.usage, 'latest deploy');
    assert.ok(all.some((r) => r.app_id === 'blog' && r.res_id === 'modules.web'), 'without --app: every app');

    const onlyBlog = JSON.parse(await ok('resources', 'active-resource-usage', '--app', 'blog', '--env', 'development', '-o', 'json')) as Usage[];
    assert.ok(onlyBlog.length > 0 && onlyBlog.every((r) => r.app_id === 'blog' && r.env_id === 'development'));

    const byDef = JSON.parse(await ok('resources', 'active-resource-usage', '--def', cache.def_id, '-o', 'json')) as Usage[];
    assert.deepEqual(byDef.map((r) => `${r.app_id}/${r.env_id}/${r.res_id}`), ['shop/development/modules.web.externals.cache']);

    const table = await ok('resources', 'active-resource-usage', '--app', 'shop', '--env', 'development', '-o', 'table');
    assert.match(table, /APP.*ENV.*TYPE.*CLASS.*RES ID.*DEFINITION.*USAGE/);
    assert.match(table, /redis.*1 deploy ago, orphaned/);

    const missing = await run(['resources', 'active-resource-usage', '--def', 'no-such-def']);
    assert.equal(missing.code, 4, missing.stderr);
  });
});
