/* eslint-disable @typescript-eslint/no-explicit-any -- the test reads deep into the stored delta JSON */
/**
 * `baton score deploy` (the real binary) against a Baton in this process: the flags a humctl user brings —
 * `--overrides-file`, `--workload-source-url` and a `ScoreDeployConfig` (`--deploy-config`) whose workloads each
 * have their extensions file — reach the delta the server stores (issues #26 item 6, #18 item 5).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Delta {
  modules: { add: Record<string, { profile: string; spec: Record<string, any>; deploy?: unknown }> };
}

describe('score deploy flags reach the stored delta', { timeout: 180_000 }, () => {
  let baton: InProcessBaton;
  let dir: string;

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'baton-score-deploy-'));
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scoreDeploy = (args: string[]): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve, reject) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
      const child = spawn(process.execPath, ['bin/baton.js', 'score', 'deploy', ...args, '--env', 'development', '--yes'], {
        cwd: REPO_ROOT,
        env: { ...env, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: baton.org, BATON_CONFIG: join(dir, 'cli.yaml') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out }));
    });

  const onlyDelta = async (app: string): Promise<Delta> => {
    const res = await baton.app.inject({ method: 'GET', url: `/orgs/${baton.org}/apps/${app}/deltas`, headers: baton.authHeaders });
    assert.equal(res.statusCode, 200, res.body);
    const deltas = res.json<Delta[]>();
    assert.equal(deltas.length, 1, res.body);
    return deltas[0]!;
  };

  it('--overrides-file and --workload-source-url', async () => {
    writeFileSync(join(dir, 'score.yaml'), 'apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx:1.27}}\n');
    writeFileSync(join(dir, 'overrides.yaml'), 'containers: {main: {variables: {MODE: prod}}}\n');
    const run = await scoreDeploy(['-f', join(dir, 'score.yaml'), '--overrides-file', join(dir, 'overrides.yaml'), '--workload-source-url', 'https://git.example.com/web', '--app', 'flags']);
    assert.equal(run.code, 0, run.out);
    const spec = (await onlyDelta('flags')).modules.add.web!.spec;
    assert.deepEqual(spec.containers.main.variables, { MODE: 'prod' });
    assert.deepEqual(spec.annotations, { 'humanitec.io/workload-source': 'https://git.example.com/web' });
  });

  it("--overrides (humctl's name) works as --overrides-file; both at once is a usage error", async () => {
    writeFileSync(join(dir, 'score2.yaml'), 'apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx:1.27}}\n');
    writeFileSync(join(dir, 'overrides2.yaml'), 'containers: {main: {variables: {MODE: humctl}}}\n');
    const run = await scoreDeploy(['-f', join(dir, 'score2.yaml'), '--overrides', join(dir, 'overrides2.yaml'), '--app', 'flags-humctl']);
    assert.equal(run.code, 0, run.out);
    assert.deepEqual((await onlyDelta('flags-humctl')).modules.add.web!.spec.containers.main.variables, { MODE: 'humctl' });
    const both = await scoreDeploy(['-f', join(dir, 'score2.yaml'), '--overrides', join(dir, 'overrides2.yaml'), '--overrides-file', join(dir, 'overrides2.yaml'), '--app', 'flags-both']);
    assert.equal(both.code, 2, both.out);
    assert.match(both.out, /give --overrides or --overrides-file, not both/);
  });

  it('--deploy-config with a ScoreDeployConfig deploys every listed workload with its extensions', async () => {
    mkdirSync(join(dir, 'front'));
    mkdirSync(join(dir, 'back'));
    writeFileSync(join(dir, 'front', 'score.yaml'), 'apiVersion: score.dev/v1b1\nmetadata: {name: front}\ncontainers: {web: {image: nginx:1.27}}\n');
    writeFileSync(join(dir, 'front', 'humanitec.score.yaml'), 'apiVersion: humanitec.org/v1b1\nspec: {pod: {annotations: {team: front}}}\n');
    writeFileSync(join(dir, 'back', 'score.yaml'), 'apiVersion: score.dev/v1b1\nmetadata: {name: back}\ncontainers: {api: {image: .}}\n');
    writeFileSync(join(dir, 'back', 'humanitec.score.yaml'), 'apiVersion: humanitec.org/v1b1\nspec: {deployment: {replicas: 2}}\n');
    writeFileSync(
      join(dir, 'deploy-config.yaml'),
      `apiVersion: config.humanitec.io/v1b1
kind: ScoreDeployConfig
workloads:
  - {name: front, specFile: front/score.yaml, extensionsFile: front/humanitec.score.yaml}
  - {name: back, specFile: back/score.yaml, extensionsFile: back/humanitec.score.yaml, image: "busybox:1"}
`,
    );
    const run = await scoreDeploy(['--deploy-config', join(dir, 'deploy-config.yaml'), '--app', 'multi']);
    assert.equal(run.code, 0, run.out);
    const add = (await onlyDelta('multi')).modules.add;
    assert.deepEqual(Object.keys(add).sort(), ['back', 'front']);
    assert.deepEqual(add.front!.spec.pod, { annotations: { team: 'front' } });
    assert.deepEqual(add.back!.spec.deployment, { replicas: 2 });
    assert.equal(add.back!.spec.containers.api.image, 'busybox:1');
  });

  // Issue #19 themes 4 and 6: an unset environment value is deferred in a variable (empty, with a warning at its
  // line) and refused in a file, at the file content's line and field in the Score file.
  it('an unset environment value: a warning at the variable, an error at the file content', async () => {
    writeFileSync(
      join(dir, 'unset.yaml'),
      'apiVersion: score.dev/v1b1\nmetadata: {name: unset}\ncontainers:\n  main:\n    image: nginx:1.27\n    variables:\n      GREETING: ${resources.env.NOT_SET}\nresources:\n  env: {type: environment}\n',
    );
    const deferred = await scoreDeploy(['-f', join(dir, 'unset.yaml'), '--app', 'unset']);
    assert.equal(deferred.code, 0, deferred.out);
    assert.ok(deferred.out.includes(`${join(dir, 'unset.yaml')}:7:17: warning: containers.main.variables.GREETING: \${resources.env.NOT_SET} is not set`), deferred.out);
    writeFileSync(
      join(dir, 'unset-file.yaml'),
      'apiVersion: score.dev/v1b1\nmetadata: {name: unset-file}\ncontainers:\n  main:\n    image: nginx:1.27\n    files:\n      /etc/app.conf:\n        content: "greeting=${resources.env.NOT_SET}"\nresources:\n  env: {type: environment}\n',
    );
    const refused = await scoreDeploy(['-f', join(dir, 'unset-file.yaml'), '--app', 'unset-file']);
    assert.notEqual(refused.code, 0, refused.out);
    assert.ok(refused.out.includes(`${join(dir, 'unset-file.yaml')}:8:18: containers.main.files./etc/app\\.conf.content: placeholder "\${resources.env.NOT_SET}": the value "NOT_SET" is not set`), refused.out);
    assert.match(refused.out, /not deployed/);
  });

  it('a mistyped resource type is shown at the resource in the Score file, with a suggestion', async () => {
    writeFileSync(
      join(dir, 'typo.yaml'),
      'apiVersion: score.dev/v1b1\nmetadata: {name: typo}\ncontainers: {main: {image: nginx:1.27}}\nresources:\n  db:\n    type: postgress\n',
    );
    const run = await scoreDeploy(['-f', join(dir, 'typo.yaml'), '--app', 'typo']);
    assert.notEqual(run.code, 0, run.out);
    assert.ok(run.out.includes(`${join(dir, 'typo.yaml')}:6:5: resources.db: `), run.out);
    assert.match(run.out, /did you mean "postgres"\?/);
  });
});
