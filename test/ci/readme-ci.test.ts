/**
 * Issue 17, point 6: the README's copy-and-paste CI snippets work as written. The `sh` block of the README's CI
 * section (create the rule, notify a build, push a workload artefact from score.yaml) runs with bash, curl, jq and
 * yq against a real Baton; the GitHub Actions step is parsed as YAML and its `run` script runs with its `env`, the
 * `${{ … }}` expressions filled in as GitHub would. Baton must then have the rule, the artefact versions and the
 * rule's deployment.
 *
 * The README uses mikefarah's yq (`yq -o json FILE`, the one on GitHub's runners). Where only the Python yq (a jq
 * wrapper, `yq . FILE`) is installed, a two-line adapter on PATH translates that one call to it; the YAML is still
 * converted by a real yq.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startEngineHarness, waitForDeployment } from '../engine/harness.js';
import type { EngineHarness } from '../engine/harness.js';

const run = promisify(execFile);
const IMAGE = 'registry.example.com/acme/web';
const SHA = '75ef9faee755c70589550b513ad881e5a603182c';

/** The README's CI section: its first `sh` block and its first `yaml` block. */
function readmeCiBlocks(): { sh: string; actions: string } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## CI: ');
  assert.ok(start >= 0, 'the README has a CI section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const sh = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  const actions = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(sh && actions, 'the CI section has a sh block and a GitHub Actions block');
  return { sh, actions };
}

/** Fills GitHub's `${{ expr }}` expressions from `values`. */
function githubExpressions(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_m, expr: string) => {
    assert.ok(expr in values, `the test knows ${expr}`);
    return values[expr]!;
  });
}

describe('the README CI snippets', () => {
  let h: EngineHarness;
  let dir: string;
  let path: string;

  before(async () => {
    h = await startEngineHarness();
    dir = mkdtempSync(join(tmpdir(), 'baton-readme-ci-'));
    path = process.env.PATH ?? '';
    const version = await run('yq', ['--version']).then((r) => r.stdout + r.stderr, (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`);
    if (!/mikefarah/i.test(version)) {
      const bin = join(dir, 'bin');
      await run('mkdir', ['-p', bin]);
      // `yq -o json FILE` (mikefarah) → `yq . FILE` (the Python yq, whose output is JSON).
      writeFileSync(join(bin, 'yq'), `#!/bin/sh\nif [ "$1" = "-o" ] && [ "$2" = "json" ]; then shift 2; exec /usr/bin/env PATH="${path}" yq . "$@"; fi\nexec /usr/bin/env PATH="${path}" yq "$@"\n`);
      chmodSync(join(bin, 'yq'), 0o755);
      path = `${bin}:${path}`;
    }
    writeFileSync(join(dir, 'score.yaml'), `apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    image: .\n`);
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' })).status, 201);
    const delta = await h.api<{ id: string }>('POST', '/orgs/local/apps/shop/deltas', {
      modules: { add: { web: { profile: 'humanitec/default-module', externals: {}, spec: { containers: { main: { id: 'main', image: `${IMAGE}:1.0.0` } } } } } },
    });
    const deploy = await h.api<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.body.id, comment: 'first' });
    assert.equal((await waitForDeployment(h, 'shop', 'development', deploy.body.id)).status, 'succeeded');
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.stop();
  });

  it('the sh block creates the rule, notifies the build (which the rule deploys) and pushes the workload artefact', async () => {
    const { sh } = readmeCiBlocks();
    await run('bash', ['-euo', 'pipefail', '-c', sh], {
      cwd: dir,
      env: { PATH: path, BATON_URL: h.url, BATON_ORG: 'local', BATON_TOKEN: h.token, IMAGE, VERSION: '1.1.0', GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA },
    });
    const rules = await h.api<{ artefacts_filter: string[]; match_ref: string }[]>('GET', '/orgs/local/apps/shop/envs/development/rules');
    assert.deepEqual(rules.body.map((r) => [r.artefacts_filter, r.match_ref]), [[[IMAGE], '^refs/heads/main$']]);
    const versions = await h.api<{ type: string; name: string; version: string; ref: string }[]>('GET', '/orgs/local/artefact-versions');
    assert.deepEqual(versions.body.map((v) => [v.type, v.name, v.version, v.ref]).sort(), [
      ['container', IMAGE, '1.1.0', 'refs/heads/main'],
      ['workload', 'acme/web-workload', '', ''],
    ]);
    const workload = versions.body.find((v) => v.type === 'workload') as unknown as { id: string };
    const set = await h.api<{ modules: { web: { spec: { containers: { main: { image: string } } } } } }>('GET', `/orgs/local/artefact-versions/${workload.id}/workload-deployment-set`);
    assert.equal(set.body.modules.web.spec.containers.main.image, `${IMAGE}:1.1.0`, 'the workload takes the image given');
    const auto = await (async () => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const found = (await h.api<{ id: string; comment: string }[]>('GET', '/orgs/local/apps/shop/envs/development/deploys')).body.find((d) => d.comment !== 'first');
        if (found) return found;
      }
      return undefined;
    })();
    assert.ok(auto, 'the rule deployed the notified build');
    assert.match(auto.comment, new RegExp(`${IMAGE}:1\\.1\\.0 from refs/heads/main at ${SHA}`));
  });

  it('the GitHub Actions step, run as GitHub would, registers the image', async () => {
    const { actions } = readmeCiBlocks();
    const steps = parse(actions) as { name: string; env: Record<string, string>; run: string }[];
    assert.equal(steps.length, 1);
    const values = { 'vars.BATON_URL': h.url, 'vars.BATON_ORG': 'local', 'secrets.BATON_TOKEN': h.token, 'github.repository': 'acme/shop', 'github.sha': SHA };
    const env = Object.fromEntries(Object.entries(steps[0]!.env).map(([k, v]) => [k, githubExpressions(String(v), values)]));
    await run('bash', ['-e', '-c', githubExpressions(steps[0]!.run, values)], { env: { PATH: path, ...env, GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA } });
    const versions = await h.api<{ name: string; version: string; commit: string }[]>('GET', `/orgs/local/artefact-versions?name=${encodeURIComponent('ghcr.io/acme/shop')}`);
    assert.deepEqual(versions.body.map((v) => [v.name, v.version, v.commit]), [['ghcr.io/acme/shop', SHA, SHA]]);
  });
});
