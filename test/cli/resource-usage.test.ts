/**
 * `baton resources active-resource-usage` against a real `baton serve`: which app/env uses which active resource
 * and definition, how many deploys ago each was provisioned, and `--def` narrowing it to one definition.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { runBatonCli } from '../helpers/cli-run.js';

/**
 * A server without Baton's usage endpoint (Humanitec, an older Baton) in front of the real one: it answers that path
 * with a plain-text 404, as Go's default mux does, passes everything else through, and records each request's path.
 */
async function startServerWithoutUsageEndpoint(target: string): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if ((req.url ?? '').includes('/baton/active-resource-usage')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

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

  it('asks Baton once, and prints what the per-environment requests of a server without the endpoint print', async () => {
    await ok('score', 'deploy', '-f', join(dir, 'with-cache.yaml'), '--app', 'blog', '--env', 'development', '--yes', '--wait');
    const older = await startServerWithoutUsageEndpoint(baton.url);
    try {
      const viaOlder = (args: string[]) => runBatonCli(args, { env: { ...env, BATON_URL: older.url } });
      const cases = [
        ['-o', 'json'],
        ['-o', 'table'],
        ['-o', 'yaml', '--app', 'shop'],
        ['-o', 'table', '--app', 'blog', '--env', 'development'],
        ['-o', 'json', '--env', 'development'],
      ];
      for (const extra of cases) {
        const direct = await run(['resources', 'active-resource-usage', '-v', ...extra]);
        assert.equal(direct.code, 0, direct.stderr);
        const requests = direct.stderr.split('\n').filter((line) => line.startsWith('> '));
        assert.equal(requests.length, 1, `one request for ${extra.join(' ')}:\n${direct.stderr}`);
        assert.match(requests[0]!, /GET \S+\/orgs\/local\/baton\/active-resource-usage\?per_page=100\S* → 200/);

        older.paths.length = 0;
        const fallback = await viaOlder(['resources', 'active-resource-usage', ...extra]);
        assert.equal(fallback.code, 0, fallback.stderr);
        assert.ok(older.paths.some((p) => p.includes('/baton/active-resource-usage')), 'the endpoint was tried first');
        assert.ok(older.paths.some((p) => /\/envs\/[^/]+\/resources$/.test(p)), `the fallback asked per environment: ${older.paths.join(' ')}`);
        assert.equal(direct.stdout, fallback.stdout, `same output for ${extra.join(' ')}`);
      }
      assert.match((await run(['resources', 'active-resource-usage', '-o', 'table'])).stdout, /blog\W+development\W+redis.*latest deploy/);

      // `--def`: the same rows; the definition's own listing (the fallback) never marks a resource orphaned, Baton's
      // endpoint says which are.
      const all = JSON.parse(await ok('resources', 'active-resource-usage', '-o', 'json')) as Usage[];
      const defId = all.find((r) => r.app_id === 'blog' && r.type === 'redis')!.def_id;
      const byDef = JSON.parse(await ok('resources', 'active-resource-usage', '--def', defId, '--env', '', '-o', 'json')) as Usage[];
      const fallbackByDef = JSON.parse((await viaOlder(['resources', 'active-resource-usage', '--def', defId, '--env', '', '-o', 'json'])).stdout) as Usage[];
      assert.deepEqual(byDef.map((r) => ({ ...r, orphaned: false, usage: r.usage.replace(', orphaned', '') })), fallbackByDef);
      assert.deepEqual(byDef.map((r) => `${r.app_id}:${r.usage}`), ['blog:latest deploy', 'shop:1 deploy ago, orphaned']);

      // A genuine 404 stays one: the fallback asks again and gets the same answer.
      const missing = await viaOlder(['resources', 'active-resource-usage', '--app', 'no-such-app']);
      assert.equal(missing.code, 4, missing.stderr);
      assert.equal((await run(['resources', 'active-resource-usage', '--app', 'no-such-app'])).code, 4);
    } finally {
      await older.close();
    }
  });
});
