/**
 * Delta ids by unique prefix wherever the CLI takes one (`get delta`, `update delta`, `deploy delta`), the real binary
 * against a Baton in this process (issue #23: "ids accept unique prefixes everywhere an id is taken").
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';
import { runBatonCli, type CliRun } from '../helpers/cli-run.js';


describe('delta ids by prefix', { timeout: 120_000 }, () => {
  let baton: InProcessBaton;
  let dir: string;

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'baton-delta-refs-'));
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]): Promise<CliRun> => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    return runBatonCli([...args, '--app', 'deltas'], { env: { ...env, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: baton.org, BATON_CONFIG: join(dir, 'cli.yaml') } });
  };

  it('get, update and deploy take a unique prefix of a delta id; an unknown one is exit 4', async () => {
    assert.equal((await cli(['create', 'app', 'deltas'])).code, 0);
    const created = await cli(['create', 'delta', '--env', 'development', '-o', 'json']);
    assert.equal(created.code, 0, created.stderr);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const prefix = id.slice(0, 8);

    const shown = await cli(['get', 'delta', prefix, '-o', 'json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { id: string }).id, id);

    const updated = await cli(['update', 'delta', prefix, 'add', '/modules/web', '{profile: humanitec/default-module, spec: {containers: {main: {id: main, image: "busybox:1"}}}}']);
    assert.equal(updated.code, 0, updated.stderr);

    const deployed = await cli(['deploy', 'delta', prefix, 'development']);
    assert.equal(deployed.code, 0, deployed.stderr);
    const deploys = await baton.app.inject({ method: 'GET', url: `/orgs/${baton.org}/apps/deltas/envs/development/deploys`, headers: baton.authHeaders });
    const comments = deploys.json<{ comment: string }[]>().map((d) => d.comment);
    assert.deepEqual(comments, [`deploy delta ${id}`], 'the full id was sent');

    const unknown = await cli(['get', 'delta', 'zzzz']);
    assert.equal(unknown.code, 4, unknown.stderr);
    assert.match(unknown.stderr, /no delta id starts with "zzzz"/);
  });
});
